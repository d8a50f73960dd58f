"""Uploaded ID card, certificate and bank card copies: checked by content, cleaned, kept private."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


@dataclass(frozen=True)
class CleanUpload:
    content: bytes
    content_type: str
    extension: str


def _kind_of(head: bytes):
    import filetype

    guess = filetype.guess(head)
    return guess.mime if guess else None


def _reencode(data: bytes, content_type: str) -> bytes:
    """Decode and encode the image again: drops EXIF (location, device) and anything appended to it."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if content_type == "image/jpeg":
            image.convert("RGB").save(out, format="JPEG", quality=90)
        else:
            image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def clean_upload(upload) -> CleanUpload:
    """Accept a JPEG, PNG or PDF by its content (not its name), at most ATTACHMENT_MAX_BYTES."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(f"文件不能超过{limit // (1024 * 1024)}MB，请压缩后重新上传。", code="too_large")
    upload.seek(0)  # a form may be validated more than once
    data = upload.read()
    content_type = _kind_of(data[:262])
    if content_type not in ALLOWED:
        raise ValidationError("只能上传JPG、PNG图片或PDF文件。", code="type")
    if content_type != "application/pdf":
        try:
            data = _reencode(data, content_type)
        except Exception as error:  # Pillow raises many kinds for broken or hostile images
            raise ValidationError("图片无法读取，请重新拍照或扫描后上传。", code="broken") from error
    return CleanUpload(data, content_type, ALLOWED[content_type])
