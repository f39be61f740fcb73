"""Images as data: loading a class-folder tree or an NPZ file into rows of PNG bytes.

A snapshot keeps every image as PNG bytes in an ``image`` column beside its ``label`` and
the ``file`` it came from, so images travel through the same Parquet snapshot, split and
validation as tables do, and a bad file can be named.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from archflow.errors import DataError
from archflow.limits import MAX_PIXELS
from archflow.npz import read_npz
from archflow.preprocessor import Preprocessor

IMAGE_COLUMN, FILE_COLUMN, LABEL_COLUMN = "image", "file", "label"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def encode_png(pixels: np.ndarray) -> bytes:
    """(height, width) or (height, width, channels) uint8 pixels -> PNG bytes."""
    from PIL import Image

    array = np.asarray(pixels, dtype="uint8")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def image_header(data: bytes) -> tuple[int, int, int] | None:
    """(height, width, channels) from the file's header alone, without decoding its pixels;
    None when the header cannot be read."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.height, image.width, len(image.getbands())
    except Exception:  # PIL raises many types for broken files, DecompressionBombError among them
        return None


def decode_image(data: bytes) -> np.ndarray:
    """Image bytes -> (height, width, channels) uint8; raises on a corrupt or truncated file."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        array = np.asarray(image)
    return array[:, :, None] if array.ndim == 2 else array


def image_facts(images: pd.Series, files: pd.Series, max_pixels: int = MAX_PIXELS) -> pd.DataFrame:
    """One row per image: its pixel count (from the header), whether it decodes (only images
    within ``max_pixels`` are decoded), and its height, width and channels."""
    rows = []
    for data, name in zip(images, files):
        header = image_header(data)
        pixels = header[0] * header[1] if header else 0
        if header and pixels > max_pixels:  # never decoded: the pixels check names it, not the decode check
            rows.append({"file": name, "pixels": pixels, "decodes": True, "height": header[0], "width": header[1], "channels": header[2]})
            continue
        try:
            height, width, channels = decode_image(data).shape
            rows.append({"file": name, "pixels": pixels, "decodes": True, "height": height, "width": width, "channels": channels})
        except Exception:  # PIL raises many types for broken files
            rows.append({"file": name, "pixels": pixels, "decodes": False, "height": 0, "width": 0, "channels": 0})
    return pd.DataFrame(rows)


def load_image_folder(folder: Path) -> pd.DataFrame:
    """A folder with one sub-folder of images per class -> rows (image bytes, file, label)."""
    classes = sorted(p for p in folder.iterdir() if p.is_dir())
    rows = [
        {IMAGE_COLUMN: path.read_bytes(), FILE_COLUMN: str(path.relative_to(folder)), LABEL_COLUMN: class_dir.name}
        for class_dir in classes
        for path in sorted(class_dir.iterdir())
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not rows:
        raise DataError(f"{folder}: no images found; expected one sub-folder per class holding .png or .jpg files")
    return pd.DataFrame(rows)


def images_to_frame(pixels: np.ndarray, labels: np.ndarray, origin: str) -> pd.DataFrame:
    """Arrays (samples, height, width[, channels]) in 0-255 and labels -> rows of PNG bytes."""
    if len(pixels) != len(labels):
        raise DataError(f"{origin}: {len(pixels)} images but {len(labels)} labels")
    return pd.DataFrame(
        {
            IMAGE_COLUMN: [encode_png(p) for p in pixels],
            FILE_COLUMN: [f"{origin}#{i}" for i in range(len(pixels))],
            LABEL_COLUMN: [str(v) for v in labels],
        }
    )


def load_npz(path: Path) -> pd.DataFrame:
    """An NPZ file with arrays ``x`` (samples, height, width[, channels], 0-255) and ``y``."""
    return images_from_arrays(read_npz(path), path)


def images_from_arrays(archive: dict[str, np.ndarray], path: Path) -> pd.DataFrame:
    """Images from an NPZ's arrays ``x`` and ``y``; ``path`` names the file in errors."""
    missing = {"x", "y"} - set(archive)
    if missing:
        raise DataError(f"{path}: an image NPZ needs arrays 'x' (images) and 'y' (labels); missing {sorted(missing)}")
    pixels, labels = archive["x"], archive["y"]
    if pixels.ndim not in (3, 4):
        raise DataError(f"{path}: 'x' must be (samples, height, width[, channels]), not shape {pixels.shape}")
    return images_to_frame(np.clip(pixels, 0, 255), labels, path.name)


def decode_batch(images: pd.Series, size: tuple[int, int], channels: int) -> np.ndarray:
    """Decode and resize to (rows, height, width, channels) float32 pixels in 0-255."""
    from PIL import Image

    out = np.zeros((len(images), size[0], size[1], channels), dtype="float32")
    for index, data in enumerate(images):
        array = decode_image(data)
        if array.shape[2] != channels:
            array = np.repeat(array[:, :, :1], channels, axis=2) if channels == 3 else array[:, :, :1]
        if array.shape[:2] != tuple(size):
            resized = Image.fromarray(array.squeeze(-1) if channels == 1 else array).resize((size[1], size[0]), Image.BILINEAR)
            array = np.asarray(resized).reshape(size[0], size[1], channels)
        out[index] = array
    return out


class ImagePreprocessor(Preprocessor):
    """Pixels in 0-255 -> scaled to 0-1 inside the model, with augmentation that Keras
    applies only while training (so validation and test images are never augmented)."""

    def __init__(self, size: tuple[int, int], channels: int, rotation: float = 0.05, shift: float = 0.1, flip: bool = False):
        self.size, self.channels = tuple(size), channels
        self.rotation, self.shift, self.flip = rotation, shift, flip

    def fit(self, frame: pd.DataFrame) -> ImagePreprocessor:
        """Pixel scaling is fixed (1/255): nothing is learned from the rows."""
        self.fitted_rows_ = len(frame)
        return self

    def describe(self) -> dict:
        return {"modality": "image", "size": list(self.size), "channels": self.channels}


    def to_inputs(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {"image": decode_batch(frame[IMAGE_COLUMN], self.size, self.channels)}

    def build_encoder(self):
        import keras

        pixels = keras.Input(shape=(*self.size, self.channels), name="image")  # (batch, height, width, channels), 0-255
        x = keras.layers.Rescaling(1 / 255, name="scale_pixels")(pixels)
        if self.flip:
            x = keras.layers.RandomFlip("horizontal", name="augment_flip")(x)
        if self.rotation:
            x = keras.layers.RandomRotation(self.rotation, fill_mode="constant", name="augment_rotate")(x)
        if self.shift:
            x = keras.layers.RandomTranslation(self.shift, self.shift, fill_mode="constant", name="augment_shift")(x)
        return {"image": pixels}, x
