"""Write an NPZ of a few thousand small grey images for the image-time benchmark.

    python bench/make_images.py /tmp/images/digits28.npz --count 3000

Nothing may download here, so the images are scikit-learn's bundled 8x8 digits, scaled up three
times, placed at a random offset on a 28x28 canvas (MNIST's size) with pixel noise: each image
is distinct, and the task stays a real 10-class digit problem. The file holds whole-number
pixels ``x`` (count, 28, 28) and labels ``y``, the layout archflow reads as images.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

SIDE = 28


def make_images(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    digits = load_digits()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(digits.images), count)
    canvas = np.zeros((count, SIDE, SIDE), dtype="float32")
    for row, pick in enumerate(picks):
        big = np.kron(digits.images[pick], np.ones((3, 3))) * (255 / 16)  # 24x24
        top, left = rng.integers(0, SIDE - 24 + 1, 2)
        canvas[row, top : top + 24, left : left + 24] = big
    canvas += rng.normal(0, 12, canvas.shape)
    return np.clip(canvas, 0, 255).round().astype("uint8"), digits.target[picks].astype("int64")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    x, y = make_images(args.count)
    args.path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.path, x=x, y=y)
    print(f"{args.path}: {len(x)} images of {SIDE}x{SIDE}, {len(np.unique(y))} classes")


if __name__ == "__main__":
    main()
