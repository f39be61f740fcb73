"""Images: a folder of class folders or an NPZ of pixel arrays; resizing and augmentation inside the model."""

from __future__ import annotations

import dataclasses

import pandas as pd

from archflow.column_types import is_bytes
from archflow.images import FILE_COLUMN, ImagePreprocessor
from archflow.modalities.base import Candidate, Modality, rule_candidate
from archflow.selection import DataFacts, class_counts


TRANSFER_MAX_IMAGES = 2_000
WIDE_CNN_IMAGES = 10_000


def measure_images(train_frame: pd.DataFrame, target: str, task: str, size: list[int] | None, pretrained_weights: str = "", fine_tune_epochs: int = 10) -> DataFacts:
    """Image size (the configured one, else the most common), channel count, and the local
    pretrained weights file when params name one."""
    from archflow.images import IMAGE_COLUMN, decode_image

    shapes = pd.Series([decode_image(b).shape for b in train_frame[IMAGE_COLUMN]])
    height, width, channels = shapes.mode().iloc[0]
    if size:
        height, width = size
    details = {"size": [int(height), int(width)], "channels": int(channels), "resized": bool(size), "pretrained_weights": pretrained_weights, "fine_tune_epochs": fine_tune_epochs}
    return DataFacts("image", task, len(train_frame), 0, 0, int(height * width * channels), class_counts(train_frame, target, task), details)


def image_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """A CNN whose number of convolution blocks follows the image size; dropout the data size."""
    height, width = facts.details["size"]
    side = min(height, width)
    blocks = 2 if side <= 16 else 3 if side <= 64 else 4
    dropout = 0.25 if facts.examples >= 2_000 else 0.4
    # width follows the amount of data: 16 filters learn a few thousand images as well as 32
    # (3,000 28x28 digits: hold-out 0.998 against 0.997) at under half the cost an epoch
    filters = 16 if facts.examples < WIDE_CNN_IMAGES else 32
    reasons = [
        f"modality image ({height}x{width}, {facts.details['channels']} channel(s)): a convolutional network",
        f"images of {side} pixels on the short side: {blocks} convolution blocks (conv, batch normalisation, ReLU, max pooling), filters doubling per block",
        f"{facts.examples} training images: {filters} filters in the first block ({'under' if filters == 16 else 'at least'} {WIDE_CNN_IMAGES:,} images), dropout {dropout}; augmentation (small rotations and shifts) on training batches only",
    ]
    if facts.details.get("resized"):
        reasons.append(f"images resized to {height}x{width} (image.size in params)")
    inputs = {"size": [height, width], "channels": facts.details["channels"]}
    weights = facts.details.get("pretrained_weights")
    if weights and facts.examples < TRANSFER_MAX_IMAGES:
        reasons[0] = f"modality image ({height}x{width}, {facts.details['channels']} channel(s)) and only {facts.examples} training images (< {TRANSFER_MAX_IMAGES}) with pretrained weights at hand: transfer learning"
        tune = facts.details["fine_tune_epochs"]
        reasons[1] = f"MobileNetV2 from {weights}: trained frozen, then its top 20 layers fine-tuned for up to {tune} epochs at a tenth of the learning rate"
        return "mobilenet_v2", {"weights": weights, "dropout": 0.2, "fine_tune_layers": 20, "fine_tune_epochs": tune}, inputs, reasons
    return "cnn", {"blocks": blocks, "filters": filters, "dropout": dropout, "dense_units": 128}, inputs, reasons


class Image(Modality):
    name = "image"
    precedence = 30
    architectures = ("cnn", "mobilenet_v2")
    # an epoch over a few thousand images takes seconds on a CPU, not milliseconds. On 3,000 28x28
    # digits (one fold of 1,920 images) patience 10 kept a model scoring 0.998 on 600 held-out
    # images after 57 epochs; patience 25 ran 95 epochs for 0.997. The search's sample stays small.
    patience = 10
    search_rows = 1_000

    def claims_arrays(self, arrays):
        return True  # an NPZ that holds no sequences is read as images (or refused, naming the array)

    def frame_from_arrays(self, arrays, path):
        from archflow.images import images_from_arrays

        frame = images_from_arrays(arrays, path)
        return frame, f"{len(frame)} images"

    def detect(self, frame, target, layout, forced):
        images = [c for c in frame.columns if c != target and is_bytes(frame[c])]
        if images or forced:
            return f"column '{images[0] if images else 'image'}' holds encoded images: image data", {}
        return None

    def rules(self, facts, requested):
        return image_rules(facts, requested)

    def candidates(self, facts, choice):
        """The rule's network, the CNN at half and at twice its filters, and transfer learning
        or the CNN, whichever the rule did not pick, when pretrained weights are at hand."""
        rule = rule_candidate(choice)
        _, cnn, _, _ = image_rules(dataclasses.replace(facts, details={**facts.details, "pretrained_weights": ""}), "cnn")
        shortlist = [rule]
        if choice.architecture != "cnn":
            shortlist.append(Candidate("cnn", "cnn", cnn, {}, "a convolutional network trained from scratch"))
        shortlist += [
            Candidate("cnn-narrow", "cnn", {**cnn, "filters": cnn["filters"] // 2}, {}, f"{cnn['filters'] // 2} filters in the first block"),
            Candidate("cnn-wide", "cnn", {**cnn, "filters": cnn["filters"] * 2}, {}, f"{cnn['filters'] * 2} filters in the first block"),
        ]
        weights = facts.details.get("pretrained_weights")
        if weights and choice.architecture == "cnn":
            tune = facts.details["fine_tune_epochs"]
            shortlist.append(Candidate("mobilenet_v2", "mobilenet_v2", {"weights": weights, "dropout": 0.2, "fine_tune_layers": 20, "fine_tune_epochs": tune}, {}, "transfer learning from the given weights"))
        return shortlist

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
