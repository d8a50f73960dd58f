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

A JPEG that already is what would be stored (upright, within the long side, compact: what
static/js/photo-shrink.js sends) is kept as sent rather than decoded and encoded again: its
metadata segments (EXIF, XMP, ICC, comments) and anything after its end are cut out of the file
byte by byte, and a decode at an eighth of its size checks that what is kept is a whole picture.
That is a fifth of the work of encoding it again, and it spares the photo a second lossy
compression.
"""

import io
import math
import re
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


# Markers kept when a JPEG is kept as sent: the tables, frame and scans a decoder needs, and the
# JFIF and Adobe segments (the latter says how the colours are coded). Other APPn segments and
# comments are dropped; any other marker (arithmetic coding, lossless, hierarchical) means the
# picture is encoded again instead.
_FRAME = {0xC0, 0xC1, 0xC2}  # baseline, extended and progressive Huffman-coded frames
_TABLES = {0xC4, 0xDB, 0xDD}  # Huffman tables, quantisation tables, restart interval
_KEPT_APP = {0xE0: b"JFIF\x00", 0xEE: b"Adobe"}
_SOS, _EOI = 0xDA, 0xD9

# Kept as sent only when at most this many bytes a pixel (2 bits): photo-shrink.js's quality 0.9
# gives about 0.13, the stored copies of quality 85 about 0.1; a larger file is encoded again.
KEEP_AS_SENT_BYTES_PER_PIXEL = 0.25


class CutShort(ValueError):
    """The file ends before its end marker (an interrupted copy or download)."""


_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk's type and its fixed checksum

# In entropy-coded data a 0xFF byte is followed by 0x00 (a stuffed byte), a restart marker or another
# 0xFF (fill): the first 0xFF followed by anything else is the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _end_of_scan(data: bytes, start: int) -> int:
    """Where the entropy-coded data that starts at `start` ends: the next marker other than a restart."""
    found = _NEXT_MARKER.search(data, start)
    if found is None:
        raise CutShort
    return found.start()


def jpeg_without_metadata(data: bytes) -> bytes | None:
    """The JPEG's frame, tables and scans alone, up to its end marker; None if it holds a marker not kept.

    Raises `CutShort` when the file ends before its end marker."""
    if data[:2] != b"\xff\xd8":
        return None
    kept, at = [b"\xff\xd8"], 2
    try:
        while True:
            if data[at] != 0xFF:
                return None  # not a marker where one belongs: left to the decoder
            while data[at + 1] == 0xFF:  # fill bytes before a marker
                at += 1
            marker = data[at + 1]
            if marker == _EOI:
                return b"".join(kept) + b"\xff\xd9"
            end = at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")
            if end > len(data):
                raise CutShort
            if marker == _SOS:
                end = _end_of_scan(data, end)
                kept.append(data[at:end])
            elif marker in _FRAME or marker in _TABLES:
                kept.append(data[at:end])
            elif marker in _KEPT_APP and data[at + 4 : end].startswith(_KEPT_APP[marker]):
                kept.append(data[at:end])
            elif not (0xE0 <= marker <= 0xEF or marker == 0xFE):  # other APPn and comments are dropped
                return None
            at = end
    except IndexError as error:
        raise CutShort from error


def _as_sent(data: bytes, stripped: bytes) -> bytes | None:
    """The JPEG without its metadata (`stripped`) when it is already upright, within the long side and
    compact; else None."""
    from PIL import ExifTags, Image

    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        upright = image.getexif().get(ExifTags.Base.Orientation, 1) == 1
        if not upright or image.mode not in ("RGB", "L") or max(width, height) > long_side():
            return None
    if len(stripped) > width * height * KEEP_AS_SENT_BYTES_PER_PIXEL:
        return None
    with Image.open(io.BytesIO(stripped)) as check:  # the whole stream decodes (raises if not)
        check.draft(check.mode, (max(1, width // 8), max(1, height // 8)))
        check.load()
    return stripped


def _reencode(data: bytes, content_type: str) -> bytes:
    """Decode and encode the image again: drops EXIF (location, device) and anything appended to it.

    A compact, upright JPEG within the long side is kept as sent without its metadata (`_as_sent`)."""
    from PIL import Image, ImageOps

    # A file that ends before its end marker raises `CutShort`: Pillow would decode the part that came
    # and fill the rest with grey, since WeasyPrint turns on `LOAD_TRUNCATED_IMAGES` for the whole process.
    if content_type == "image/png" and _PNG_END not in data:
        raise CutShort
    stripped = jpeg_without_metadata(data) if content_type == "image/jpeg" else None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if stripped is not None and (as_sent := _as_sent(data, stripped)) is not None:
            return as_sent
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
