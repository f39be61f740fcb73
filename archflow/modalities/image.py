"""Images: a folder of class folders or an NPZ of pixel arrays; resizing and augmentation inside the model."""

from __future__ import annotations

from archflow.images import FILE_COLUMN, ImagePreprocessor
from archflow.modalities.base import Modality
from archflow.selection import measure_images


class Image(Modality):
    name = "image"

    def kept_columns(self, snapshot):
        return (FILE_COLUMN,) if FILE_COLUMN in snapshot.columns else ()  # which file each image came from

    def measure(self, train_frame, target, task, settings, found):
        image = settings.image
        return measure_images(train_frame, target, task, list(image.size) or None, image.pretrained_weights, image.fine_tune_epochs)

    def choice_inputs(self, settings, found):
        return {"flip": settings.image.flip}

    def make_preprocessor(self, inputs, frame, target, unseen, min_category_count):
        return ImagePreprocessor(inputs["size"], inputs["channels"], inputs.get("rotation", 0.05), inputs.get("shift", 0.1), inputs.get("flip", False))

    def keyed_inputs(self, description, frame):
        return ImagePreprocessor(description["size"], description["channels"]).to_inputs(frame), frame.index

    def baseline_features(self, inputs, train_frame, test_frame, target):
        flat = [self.keyed_inputs(inputs, f)[0]["image"].reshape(len(f), -1) / 255.0 for f in (train_frame, test_frame)]
        return flat[0], flat[1], "passthrough"


IMAGE = Image()
