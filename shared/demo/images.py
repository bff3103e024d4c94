"""Product pictures drawn locally with Pillow (no network, no stock photos): a simple, clean
illustration of the product's kind in the variant's colour on a soft studio background."""

from __future__ import annotations

import io
import math
from functools import cache

from PIL import Image, ImageDraw, ImageFilter

SIZE = 960


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _shade(rgb: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return _mix(rgb, (0, 0, 0), t) if t > 0 else _mix(rgb, (255, 255, 255), -t)


def _tee(d: ImageDraw.ImageDraw, c: tuple[int, int, int], hood: bool = False) -> None:
    s = SIZE / 960
    body = [(330, 230), (400, 205), (440, 235), (520, 235), (560, 205), (630, 230), (760, 330), (700, 420),
            (640, 385), (640, 760), (320, 760), (320, 385), (260, 420), (200, 330)]
    d.polygon([(x * s, y * s) for x, y in body], fill=c)
    d.arc([430 * s, 190 * s, 530 * s, 270 * s], 0, 180, fill=_shade(c, 0.25), width=int(10 * s))
    if hood:
        d.ellipse([395 * s, 150 * s, 565 * s, 300 * s], fill=_shade(c, 0.12))
        d.rounded_rectangle([400 * s, 560 * s, 560 * s, 660 * s], radius=18, fill=_shade(c, 0.1))
    d.line([(320 * s, 740 * s), (640 * s, 740 * s)], fill=_shade(c, 0.18), width=int(12 * s))


def _mug(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.ellipse([560, 400, 720, 600], outline=_shade(c, 0.1), width=34)
    d.rounded_rectangle([300, 330, 620, 700], radius=40, fill=c)
    d.ellipse([300, 300, 620, 360], fill=_shade(c, -0.25))
    d.ellipse([320, 310, 600, 352], fill=_shade(c, 0.35))


def _candle(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.rounded_rectangle([330, 360, 630, 720], radius=30, fill=_mix(c, (255, 255, 255), 0.55))
    d.rounded_rectangle([330, 470, 630, 610], radius=6, fill=c)
    d.rectangle([470, 310, 490, 362], fill=(60, 50, 40))
    d.ellipse([455, 220, 505, 318], fill=(250, 190, 80))
    d.ellipse([468, 255, 492, 312], fill=(255, 236, 170))


def _tote(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.arc([360, 200, 600, 460], 180, 360, fill=_shade(c, 0.2), width=26)
    d.polygon([(290, 330), (670, 330), (700, 760), (260, 760)], fill=c)
    d.line([(290, 380), (670, 380)], fill=_shade(c, 0.15), width=8)


def _cap(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.pieslice([280, 300, 680, 700], 180, 360, fill=c)
    d.ellipse([440, 290, 520, 320], fill=_shade(c, 0.2))
    d.ellipse([230, 470, 760, 560], fill=_shade(c, 0.18))
    d.rectangle([280, 470, 680, 500], fill=_shade(c, 0.08))


def _beanie(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.ellipse([440, 200, 520, 280], fill=_shade(c, -0.3))
    d.pieslice([290, 250, 670, 720], 180, 360, fill=c)
    d.rounded_rectangle([280, 470, 680, 620], radius=24, fill=_shade(c, 0.12))
    for x in range(300, 670, 34):
        d.line([(x, 480), (x, 610)], fill=_shade(c, 0.22), width=6)


def _print(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.rectangle([270, 170, 690, 790], fill=(250, 248, 243), outline=(70, 60, 50), width=18)
    d.rectangle([330, 230, 630, 730], fill=_mix(c, (255, 255, 255), 0.7))
    d.ellipse([420, 300, 540, 420], fill=_mix(c, (250, 180, 90), 0.5))
    d.polygon([(330, 730), (450, 520), (540, 640), (600, 560), (630, 600), (630, 730)], fill=c)


def _textile(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.rounded_rectangle([300, 200, 660, 760], radius=12, fill=c)
    for y in (260, 300, 680, 720):
        d.line([(300, y), (660, y)], fill=_shade(c, -0.35), width=10)
    d.line([(300, 480), (660, 480)], fill=_shade(c, 0.1), width=4)


def _notebook(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    for i, off in enumerate((60, 30, 0)):
        d.rounded_rectangle([310 + off, 210 - off, 650 + off, 740 - off], radius=14,
                            fill=_shade(c, 0.1 * (2 - i)))
    d.rectangle([560, 210, 590, 740], fill=_shade(c, -0.4))


def _round(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    for i, (x, y) in enumerate(((360, 330), (560, 350), (460, 520))):
        d.ellipse([x - 120, y - 120, x + 120, y + 120], fill=_shade(c, 0.06 * i))
        d.ellipse([x - 80, y - 80, x + 80, y + 80], outline=_shade(c, -0.3), width=8)


def _card(d: ImageDraw.ImageDraw, c: tuple[int, int, int]) -> None:
    d.rounded_rectangle([230, 300, 730, 640], radius=36, fill=c)
    d.rounded_rectangle([270, 340, 360, 400], radius=10, fill=_shade(c, -0.4))
    d.ellipse([560, 470, 690, 600], fill=_shade(c, -0.25))


DRAWERS = {
    "tee": _tee, "hoodie": lambda d, c: _tee(d, c, hood=True), "mug": _mug, "candle": _candle, "tote": _tote,
    "cap": _cap, "beanie": _beanie, "print": _print, "textile": _textile, "notebook": _notebook, "round": _round,
    "card": _card,
}


@cache
def _studio_backdrop(background: str) -> Image.Image:
    """The soft-lit backdrop with a floor shadow (blurs are slow: made once per colour)."""
    bg = _hex(background)
    image = Image.new("RGB", (SIZE, SIZE), bg)
    glow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(glow).ellipse([120, 80, 840, 800], fill=255)
    image.paste(_shade(bg, -0.45), mask=glow.filter(ImageFilter.GaussianBlur(140)))
    shadow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(shadow).ellipse([250, 760, 710, 830], fill=90)
    image.paste(_shade(bg, 0.25), mask=shadow.filter(ImageFilter.GaussianBlur(22)))
    return image


BACKDROPS = ("#f1ede6", "#ece9e2", "#eef0ec", "#f3ece4")


def product_image(kind: str, color: str, *, seed: int = 0) -> bytes:
    """PNG bytes of an illustration of `kind` in `color`; the seed picks one of a few backdrops, so
    two products of the same kind and colour still get pictures of their own."""
    image = _studio_backdrop(BACKDROPS[seed % len(BACKDROPS)]).copy()
    layer = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    DRAWERS[kind](ImageDraw.Draw(layer), _hex(color))
    image.paste(layer, mask=layer)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def banner_image(colors: list[str], *, width: int = 1920, height: int = 1080, seed: int = 0) -> bytes:
    """PNG bytes of a soft abstract landscape for heroes and editorial blocks."""
    top, bottom = _hex(colors[0]), _hex(colors[1])
    image = Image.new("RGB", (width, height), top)
    d = ImageDraw.Draw(image)
    for y in range(height):
        d.line([(0, y), (width, y)], fill=_mix(top, bottom, y / height))
    sun = Image.new("L", (width, height), 0)
    ImageDraw.Draw(sun).ellipse([width * 0.62, height * 0.18, width * 0.62 + 260, height * 0.18 + 260], fill=255)
    image.paste((255, 226, 180), mask=sun.filter(ImageFilter.GaussianBlur(6)))
    for layer_index, color in enumerate(colors[2:]):
        rgb = _hex(color)
        base = height * (0.55 + 0.12 * layer_index)
        points = [(0, height)]
        for x in range(0, width + 40, 40):
            wave = math.sin((x / width) * math.pi * (2 + layer_index) + seed + layer_index) * height * 0.06
            points.append((x, base + wave))
        points.append((width, height))
        d.polygon(points, fill=rgb)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
