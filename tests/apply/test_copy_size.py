"""Phone photos are stored at a legible reduced size, decoded at that size, without their EXIF; one already
shrunk by the browser is kept as sent, without its metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFilter

from applications.apply.copies import clean_upload, jpeg_without_metadata


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


def _photo(size, **options):
    """A photo-like JPEG (blurred noise: 0.13 bytes a pixel at quality 90, as a phone photo shrunk by the
    browser) with EXIF, a comment and something appended."""
    grain = [Image.effect_noise(size, 40).filter(ImageFilter.GaussianBlur(2)) for _band in range(3)]
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    Image.merge("RGB", grain).save(out, "JPEG", exif=exif, comment=b"taken at home", **options)
    return out.getvalue() + b"<script>appended</script>"


def _scans(data):
    """The bytes from the first scan header to the end marker: the picture itself."""
    start = data.index(b"\xff\xda")
    return data[start : data.index(b"\xff\xd9", start) + 2]


@pytest.mark.parametrize("progressive", [False, True])
def test_a_photo_shrunk_by_the_browser_is_kept_as_sent_without_its_metadata(progressive):
    sent = _photo((2000, 1500), quality=90, progressive=progressive)
    kept = clean_upload(SimpleUploadedFile("photo.jpg", sent)).content
    assert _scans(kept) == _scans(sent[: sent.rindex(b"\xff\xd9") + 2])  # not compressed a second time
    assert kept.endswith(b"\xff\xd9") and b"script" not in kept
    stored = Image.open(io.BytesIO(kept))
    assert not stored.getexif() and "comment" not in stored.info
    assert stored.tobytes() == Image.open(io.BytesIO(sent)).tobytes()


def test_a_small_photo_taken_sideways_is_still_turned_upright():
    stored = _stored(_jpeg((1600, 1200), exif_orientation=6))
    assert stored.size == (1200, 1600)


def test_a_small_but_bloated_jpeg_is_encoded_again():
    sent = _photo((800, 600), quality=100)  # over 0.25 bytes a pixel
    kept = clean_upload(SimpleUploadedFile("photo.jpg", sent)).content
    assert len(kept) < len(sent) * 0.6 and _scans(kept) != _scans(sent)


def _png(size):
    out = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise(size, 40) for _band in range(3)]).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(lambda: _photo((800, 600), quality=85), id="kept as sent"),
        pytest.param(lambda: _photo((2400, 1800), quality=95), id="encoded again"),
        pytest.param(lambda: _png((600, 400)), id="png"),
    ],
)
def test_a_copy_cut_short_is_refused_even_after_a_pdf_was_made(sent):
    import weasyprint  # noqa: F401 (it turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process)

    data = sent()
    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile("copy", data[: len(data) * 2 // 3]))
    assert refused.value.code == "broken"


def test_a_jpeg_with_a_marker_that_is_not_kept_is_not_kept_as_sent():
    sent = _photo((400, 300), quality=85)
    scan = sent.index(b"\xff\xda")
    odd = sent[:scan] + b"\xff\xf7\x00\x04ab" + sent[scan:]  # a JPEG-LS frame marker
    assert jpeg_without_metadata(sent) is not None
    assert jpeg_without_metadata(odd) is None
