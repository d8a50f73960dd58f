"""Phone photos are stored at a legible reduced size, decoded at that size, without their EXIF."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.apply.copies import clean_upload


def _jpeg(size, exif_orientation=None):
    image = Image.new("RGB", size, (200, 180, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if exif_orientation:
        exif[0x0112] = exif_orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def _stored(upload):
    return Image.open(io.BytesIO(clean_upload(upload).content))


def test_a_12_megapixel_photo_is_stored_at_2000_pixels_on_the_long_side_without_exif():
    stored = _stored(_jpeg((4000, 3000)))
    assert stored.size == (2000, 1500)
    assert not stored.getexif()


def test_a_rotated_photo_is_turned_upright_after_reducing(settings):
    stored = _stored(_jpeg((4000, 3000), exif_orientation=6))  # taken holding the phone upright
    assert stored.size == (1500, 2000)


def test_a_photo_much_larger_than_the_long_side_is_shrunk_further(settings):
    settings.ATTACHMENT_LONG_SIDE = 1300  # decoded at half size (2000), still over 1.5 × 1300
    assert _stored(_jpeg((4000, 3000))).size == (1300, 975)


def test_a_small_photo_keeps_its_size():
    assert _stored(_jpeg((1600, 1200))).size == (1600, 1200)
