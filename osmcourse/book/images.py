"""Figures that weigh a third of what matplotlib writes: the book's PNGs with 256 colours.

Lighthouse's mobile audit found the largest paint of the lab pages to be a figure of up to
about 100 KB: matplotlib writes full-colour PNGs, but a chart has a few flat colours and their
anti-aliased edges. At the end of an HTML build, every PNG in ``_images/`` is stored again as
a palette PNG of at most 256 colours (Pillow's median cut, no dithering, so flat areas stay
flat), about three times smaller and, at the figures' size, the same to the eye. Only when it
is smaller, and never for an image with transparent pixels (a palette would lose its edges).
The notebooks and their outputs are not touched (nbval compares them): only the published copy.
Deterministic: the same figure gives the same bytes, so a rebuild publishes no new file.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sphinx.application import Sphinx

COLOURS = 256


def palette_png(data: bytes) -> bytes | None:
    """``data`` (a PNG) as a palette PNG, or ``None`` if that is not smaller or would lose
    transparency."""
    with Image.open(io.BytesIO(data)) as image:
        if image.mode not in ("RGB", "RGBA"):
            return None
        if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
            return None  # some pixel is (partly) transparent
        quantized = image.convert("RGB").quantize(
            colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        out = io.BytesIO()
        quantized.save(out, "PNG", optimize=True)
    smaller = out.getvalue()
    return smaller if len(smaller) < len(data) else None


def compress_images(outdir: Path) -> tuple[int, int]:
    """Store every PNG of ``outdir/_images`` as a palette PNG where that is smaller; return the
    bytes before and after."""
    before = after = 0
    for path in sorted((outdir / "_images").glob("*.png")):
        data = path.read_bytes()
        smaller = palette_png(data)
        before += len(data)
        after += len(smaller or data)
        if smaller is not None:
            path.write_bytes(smaller)
    return before, after


def finish(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        compress_images(Path(app.outdir))


def setup(app: Sphinx) -> None:
    app.connect("build-finished", finish)
