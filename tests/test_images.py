"""The published figures are palette PNGs: smaller, the same size, the same to the eye
(osmcourse/book/images.py). The notebooks' own outputs are never touched."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from osmcourse.book.images import compress_images, palette_png  # noqa: E402


def chart(transparent: bool = False) -> bytes:
    figure, axes = plt.subplots(figsize=(6, 4), dpi=110)
    axes.barh(["earned", "owned", "paid"], [84, 69, 48], color=["#0072b2", "#009e73", "#d55e00"])
    axes.plot(np.linspace(0, 80, 50), np.linspace(0, 2, 50), color="black")
    axes.set_title("Trust in advertising formats")
    out = io.BytesIO()
    figure.savefig(out, format="png", transparent=transparent)
    plt.close(figure)
    return out.getvalue()


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def test_a_chart_becomes_a_smaller_palette_png_that_looks_the_same():
    original = chart()
    smaller = palette_png(original)
    assert smaller is not None and len(smaller) < len(original) / 1.5
    with Image.open(io.BytesIO(smaller)) as image:
        assert image.mode == "P"
    before, after = pixels(original), pixels(smaller)
    assert before.shape == after.shape
    # Flat areas stay exact; only anti-aliased edges move, and by little.
    assert np.mean(np.abs(before - after)) < 1.0
    assert palette_png(original) == smaller  # deterministic: a rebuild writes the same bytes


def test_a_transparent_image_is_left_alone_and_a_build_folder_is_rewritten(tmp_path):
    assert palette_png(chart(transparent=True)) is None
    images = tmp_path / "_images"
    images.mkdir()
    (images / "a.png").write_bytes(chart())
    (images / "b.png").write_bytes(chart(transparent=True))
    untouched = (images / "b.png").read_bytes()
    before, after = compress_images(tmp_path)
    assert after < before
    assert (images / "b.png").read_bytes() == untouched
    with Image.open(images / "a.png") as image:
        assert image.mode == "P"
