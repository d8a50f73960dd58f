"""The four copies a simulated applicant uploads, made once into var/load/photos/ (git-ignored).

`full`: 12-megapixel JPEGs (4000×3000) at quality 90, 2.8 MB each, about what a phone camera
writes: a smooth scene with sensor-like grain, so they compress like photographs, not like flat
colour. `small`: 1600×1200 at quality 85 (0.33 MB), what a phone sends after its own "reduce
size" step. `browser`: the `full` photos as static/js/photo-shrink.js sends them, drawn at 2000×1500
(ATTACHMENT_LONG_SIDE) and encoded at quality 0.9 (here by Pillow, as a stand-in for the canvas).
"""

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

BASE_DIR = Path(__file__).resolve().parents[2]
PHOTO_DIR = BASE_DIR / "var" / "load" / "photos"
KINDS = ("id_front", "id_back", "certificate", "bank_card")
SIZES = {"full": ((4000, 3000), 90), "small": ((1600, 1200), 85), "browser": ((2000, 1500), 90)}


def _photo(size, seed, quality):
    width, height = size
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), tuple(rng.randrange(90, 200) for _ in range(3)))
    image = Image.blend(base, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(60):  # "text lines" and edges, like a card or a certificate
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle((x, y, x + rng.randrange(50, width // 3), y + rng.randrange(8, 40)), fill=(30, 30, 30))
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image.filter(ImageFilter.SMOOTH), grain, 0.12)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _shrunk(full_path, size, quality):
    with Image.open(full_path) as image:
        out = io.BytesIO()
        image.resize(size, Image.Resampling.BICUBIC).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def ensure_photos(variant="full"):
    """Paths of the four photos of `variant`, generated the first time."""
    size, quality = SIZES[variant]
    folder = PHOTO_DIR / variant
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for number, kind in enumerate(KINDS):
        path = folder / f"{kind}.jpg"
        if not path.exists():
            if variant == "browser":
                path.write_bytes(_shrunk(ensure_photos("full")[kind], size, quality))
            else:
                path.write_bytes(_photo(size, number, quality))
        paths[kind] = path
    return paths


if __name__ == "__main__":
    for variant in SIZES:
        for kind, path in ensure_photos(variant).items():
            print(f"{variant:<6} {kind:<12} {path.stat().st_size / 1e6:.2f} MB  {path}")
