"""Uploaded ID card, certificate and bank card copies: checked by content, cleaned, kept private.

Images are measured from their header before anything is decoded: one over
`ATTACHMENT_MAX_PIXELS` (40 million, a 12 MP phone photo is 12) is refused with the limit in the
message, since a small file can declare a huge canvas (a 350 KB PNG of 9,500 × 9,500 pixels took
9 s and 700 MB to decode). Pillow's own decompression-bomb warning is an error here too.

JPEG photos are stored at about `ATTACHMENT_LONG_SIDE` (2,000) pixels on the long side and
`ATTACHMENT_JPEG_QUALITY` (85), decoded at
that size directly (libjpeg's DCT scaling, Pillow's draft mode: a 12 MP photo decodes at half size in
a fifth of the time) and shrunk further only when still more than half as large again. 2,000 pixels
across an A4 certificate is about 170 dpi, which keeps its smallest print legible (bench/README.md).
"""

import io
import math
import warnings
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


def max_pixels() -> int:
    return getattr(settings, "ATTACHMENT_MAX_PIXELS", 40_000_000)


def image_pixels(data: bytes) -> int:
    """Width × height as the image's header declares them, without decoding it (ValueError if unreadable)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise TooManyPixels(None) from error
        except Exception as error:  # Pillow raises many kinds for broken or hostile headers
            raise ValueError("unreadable image") from error
    return width * height


class TooManyPixels(ValueError):
    def __init__(self, pixels):
        super().__init__(pixels)
        self.pixels = pixels


def too_many_pixels_message() -> str:
    limit = max_pixels()
    return (
        f"图片像素过多（超过{limit / 10_000:g}万像素），无法处理；请用手机正常拍照（1200万像素以内即可）"
        "或扫描时选择300dpi后重新上传。"
    )


def long_side() -> int:
    return settings.ATTACHMENT_LONG_SIDE


def _reduce(image):
    """Decode a JPEG at the smallest DCT scale that keeps `long_side()` pixels, then shrink if still much larger."""
    from PIL import Image

    target = long_side()
    width, height = image.size
    scale = target / max(width, height)
    if scale < 1:
        image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        if max(image.size) > target * 1.5:
            image.thumbnail((target, target), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return image


def _reencode(data: bytes, content_type: str) -> bytes:
    """Decode and encode the image again: drops EXIF (location, device) and anything appended to it."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            if content_type == "image/jpeg":
                image = _reduce(image)
                image.load()
                ImageOps.exif_transpose(image, in_place=True)
                (image if image.mode == "RGB" else image.convert("RGB")).save(
                    out, format="JPEG", quality=settings.ATTACHMENT_JPEG_QUALITY
                )
            else:
                ImageOps.exif_transpose(image).save(out, format="PNG", optimize=True)
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
            pixels = image_pixels(data)
        except TooManyPixels:
            raise ValidationError(too_many_pixels_message(), code="too_many_pixels") from None
        except ValueError as error:
            raise ValidationError("图片无法读取，请重新拍照或扫描后上传。", code="broken") from error
        if pixels > max_pixels():
            raise ValidationError(too_many_pixels_message(), code="too_many_pixels")
        try:
            data = _reencode(data, content_type)
        except Exception as error:  # Pillow raises many kinds for broken or hostile images
            raise ValidationError("图片无法读取，请重新拍照或扫描后上传。", code="broken") from error
    return CleanUpload(data, content_type, ALLOWED[content_type])
