"""Uploads are judged by their content, limited in size, and images lose their metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.apply.copies import clean_upload


def _jpeg_with_exif():
    image = Image.new("RGB", (20, 20), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:28 10:00:00"  # DateTime
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_images_are_reencoded_without_exif():
    original = _jpeg_with_exif()
    assert b"PhoneMaker" in original
    cleaned = clean_upload(SimpleUploadedFile("a.jpg", original, "image/jpeg"))
    assert cleaned.content_type == "image/jpeg"
    assert b"PhoneMaker" not in cleaned.content
    assert not Image.open(io.BytesIO(cleaned.content)).getexif()


def test_a_pdf_is_kept_as_it_is():
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    cleaned = clean_upload(SimpleUploadedFile("a.pdf", pdf, "application/pdf"))
    assert (cleaned.content_type, cleaned.extension, cleaned.content) == ("application/pdf", "pdf", pdf)


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.jpg", b"MZ\x90\x00 an executable"), ("scan.pdf", b"<html>not a pdf</html>"), ("a.png", b"GIF89a....")],
    ids=["exe-named-jpg", "html-named-pdf", "gif"],
)
def test_the_name_does_not_decide_the_type(name, content):
    with pytest.raises(ValidationError, match="只能上传"):
        clean_upload(SimpleUploadedFile(name, content, "image/jpeg"))


def test_files_over_the_limit_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2048, "application/pdf")
    with pytest.raises(ValidationError, match="不能超过"):
        clean_upload(big)


def test_a_broken_image_is_refused_with_a_clear_message():
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    with pytest.raises(ValidationError, match="图片无法读取"):
        clean_upload(SimpleUploadedFile("a.png", broken, "image/png"))
