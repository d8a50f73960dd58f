"""Small print in a stored copy: `.venv/bin/python bench/small_print.py` writes bench/img/small-print-*.png.

A 12 MP photo of an A4 certificate (4000 px across 297 mm) with 5 pt to 8 pt text, slightly blurred
and grainy like a phone photo, is stored as the portal stores it (applications/apply/copies.py) and
compared with the photo itself: the same 60 × 20 mm region of each, at its own pixels (grey,
16 levels, to keep the committed files small).
"""

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
LINES = (
    (8, "证书编号：S000033010600123  发证日期：2026年6月1日"),
    (7, "职业（工种）：数控车工  等级：技师（二级）"),
    (6, "身份证号码：330106********0012  发证机关：杭州市人力资源和社会保障局"),
    (5, "本证书可在全国职业技能等级证书查询系统核验 www.osta.org.cn"),
)
WIDTH, HEIGHT = 4000, 3000


def photo():
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    per_mm = WIDTH / 297
    image = Image.new("RGB", (WIDTH, HEIGHT), (236, 228, 210))
    draw, y = ImageDraw.Draw(image), 1200
    for points, text in LINES:
        size = round(points * 0.3528 * per_mm)
        draw.text((1000, y), f"{points}pt {text}", font=ImageFont.truetype(FONT, size), fill=(40, 40, 40))
        y += int(size * 1.8)
    image = image.filter(ImageFilter.GaussianBlur(1.2))  # a phone's optics
    image = Image.blend(image, Image.effect_noise((WIDTH, HEIGHT), 30).convert("RGB"), 0.06)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from PIL import Image

    from applications.apply.copies import _reencode

    original = photo()
    per_mm = WIDTH / 297
    box_mm = (1000 / per_mm - 2, 1200 / per_mm - 3, 1000 / per_mm + 58, 1200 / per_mm + 17)
    for name, data in (("full", original), ("stored", _reencode(original, "image/jpeg"))):
        image = Image.open(io.BytesIO(data))
        scale = image.size[0] / 297
        crop = image.crop(tuple(round(value * scale) for value in box_mm)).convert("L").quantize(16)
        out = ROOT / "bench" / "img" / f"small-print-{name}.png"
        out.parent.mkdir(exist_ok=True)
        crop.save(out, optimize=True)
        print(
            f"{out.relative_to(ROOT)}: copy {image.size[0]}×{image.size[1]}, crop {crop.size}, {out.stat().st_size} B"
        )


if __name__ == "__main__":
    main()
