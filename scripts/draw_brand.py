"""Draw the PawControl brand images into custom_components/pawcontrol/brand.

Run from anywhere with Pillow installed: ``python3 scripts/draw_brand.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
import sys

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
BRAND = ROOT / "custom_components" / "pawcontrol" / "brand"
COLOUR = (160, 82, 45, 255)  # warm sienna brown
SCALE = 4  # draw at 4x, then downsample for anti-aliasing
LOGO_HEIGHT = 160
FONT_NAMES = ("DejaVuSans-Bold.ttf", "DejaVuSans-Bold", "Arial Bold.ttf", "arialbd.ttf")
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/System/Library/Fonts/Supplemental",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
# Toes as (centre x, centre y, half width, half height, tilt degrees) in a unit square.
TOES = (
    (0.19, 0.43, 0.085, 0.115, -28.0),
    (0.385, 0.22, 0.090, 0.122, -8.0),
    (0.615, 0.22, 0.090, 0.122, 8.0),
    (0.81, 0.43, 0.085, 0.115, 28.0),
)


def ellipse(
    cx: float, cy: float, rx: float, ry: float, tilt: float
) -> list[tuple[float, float]]:
    """Return the outline of a tilted ellipse as polygon points."""
    rad = math.radians(tilt)
    points = []
    for i in range(180):
        t = 2 * math.pi * i / 180
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append(
            (
                cx + x * math.cos(rad) - y * math.sin(rad),
                cy + x * math.sin(rad) + y * math.cos(rad),
            )
        )
    return points


def pad() -> list[tuple[float, float]]:
    """Return the outline of the main pad: narrow top, dimpled bottom."""
    points = []
    for i in range(360):
        t = 2 * math.pi * i / 360
        s = math.sin(t)
        x = 0.23 * math.cos(t) * (1 + 0.18 * s)
        y = 0.17 * s - 0.04 * max(s, 0.0) ** 10
        points.append((0.5 + x, 0.70 + y))
    return points


def paw(height: int) -> Image.Image:
    """Return the tight-cropped paw at 4x the given height."""
    side = height * SCALE * 2
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for shape in [pad(), *(ellipse(*toe) for toe in TOES)]:
        draw.polygon([(x * side, y * side) for x, y in shape], COLOUR)
    image = image.crop(image.getbbox())
    width = round(image.width * height * SCALE / image.height)
    return image.resize((width, height * SCALE), Image.Resampling.LANCZOS)


def find_font(size: int) -> ImageFont.FreeTypeFont | None:
    """Return a bold sans-serif font, or None when none is installed."""
    candidates = [*FONT_NAMES, *(f"{d}/{n}" for d in FONT_DIRS for n in FONT_NAMES)]
    for candidate in candidates:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return None


def icon(side: int) -> Image.Image:
    """Return the square paw icon, centred with a small margin."""
    big = side * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    mark = paw(round(side * 0.8))
    image.paste(mark, ((big - mark.width) // 2, (big - mark.height) // 2))
    return image.resize((side, side), Image.Resampling.LANCZOS)


def logo(height: int) -> Image.Image:
    """Return the tight paw-plus-name logo with the given height."""
    mark = paw(height)
    big = mark.height
    font = find_font(round(big * 0.6))
    if font is None:
        sys.stdout.write("no bold TTF font found; the logo shows the paw alone\n")
        width = mark.width
    else:
        width = round(mark.width + big * 0.2 + font.getlength("PawControl"))
    image = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    image.paste(mark, (0, 0))
    if font is not None:
        text_at = (mark.width + big * 0.16, big * 0.5)
        ImageDraw.Draw(image).text(text_at, "PawControl", COLOUR, font, anchor="lm")
    image = image.crop(image.getbbox())
    size = (round(image.width / SCALE), round(image.height / SCALE))
    return image.resize(size, Image.Resampling.LANCZOS)


def save(image: Image.Image, name: str) -> None:
    """Write one optimized RGBA PNG and say so."""
    path = BRAND / name
    image.save(path, optimize=True)
    sys.stdout.write(f"wrote {path.relative_to(ROOT)} {image.width}x{image.height}\n")


def main() -> None:
    """Draw and write every brand image."""
    BRAND.mkdir(parents=True, exist_ok=True)
    save(icon(256), "icon.png")
    save(icon(512), "icon@2x.png")
    save(logo(LOGO_HEIGHT), "logo.png")
    save(logo(LOGO_HEIGHT * 2), "logo@2x.png")


if __name__ == "__main__":
    main()
