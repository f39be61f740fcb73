"""Images: folders and NPZ files in, corrupt files named, augmentation only while training,
and a CNN end to end on tiny images made here."""

import numpy as np
import pandas as pd
import pytest

from archflow.images import ImagePreprocessor, decode_batch, encode_png, load_image_folder, load_npz
from archflow.schema import infer_schema
from archflow.validation import requirements_for, validate_frame


def bars(count: int, size: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images with a bright horizontal (label 0) or vertical (label 1) bar."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 40, size=(count, size, size), dtype="uint8")
    labels = np.arange(count) % 2
    for image, label, where in zip(images, labels, rng.integers(2, size - 2, count)):
        if label:
            image[:, where] = 255
        else:
            image[where, :] = 255
    return images, labels


def write_folder(root, count=24):
    images, labels = bars(count)
    for index, (image, label) in enumerate(zip(images, labels)):
        folder = root / ("vertical" if label else "horizontal")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"img{index}.png").write_bytes(encode_png(image))
    return root


def test_folder_and_npz_load_into_png_rows(tmp_path):
    frame = load_image_folder(write_folder(tmp_path / "imgs"))
    assert len(frame) == 24 and set(frame["label"]) == {"horizontal", "vertical"}
    images, labels = bars(6)
    np.savez(tmp_path / "set.npz", x=images, y=labels)
    from_npz = load_npz(tmp_path / "set.npz")
    assert decode_batch(from_npz["image"], (12, 12), 1)[0, :, :, 0].tolist() == images[0].tolist()
    assert decode_batch(from_npz["image"], (6, 6), 1).shape == (6, 6, 6, 1)  # resized


def test_corrupt_image_fails_validation_naming_the_file(tmp_path):
    frame = load_image_folder(write_folder(tmp_path / "imgs"))
    schema = infer_schema(frame, "imgs", "label", "auto", 0.5, 50)
    broken = frame.copy()
    broken.loc[3, "image"] = broken.loc[3, "image"][:40]  # truncated PNG
    summary = validate_frame(broken, schema, requirements_for(2, 0.2, 10))
    assert not summary["success"]
    failure = next(f for f in summary["failures"] if "cannot be decoded" in f["problem"])
    assert failure["examples"] == [broken.loc[3, "file"]]


def test_fine_tuning_unfreezes_only_the_top_of_the_pretrained_base(tmp_path):
    import keras

    from archflow.architectures import PRETRAINED_BASE, build_model, unfreeze_top

    weights = tmp_path / "base.weights.h5"
    keras.applications.MobileNetV2(input_shape=(32, 32, 3), include_top=False, weights=None).save_weights(weights)
    tensors, encoded = ImagePreprocessor((16, 16), 1).fit(pd.DataFrame()).build_encoder()
    hyper = {"weights": str(weights), "dropout": 0.2, "fine_tune_layers": 20, "fine_tune_epochs": 1}
    model = build_model(tensors, encoded, "mobilenet_v2", hyper, {"units": 1, "activation": "sigmoid", "loss": "binary_crossentropy"}, 0.01)
    base = model.get_layer(PRETRAINED_BASE)
    assert not base.trainable and len(model.trainable_weights) == 2  # only the output layer learns at first
    unfreeze_top(model, 20, 0.001)
    assert all(layer.trainable for layer in base.layers[-20:]) and not any(layer.trainable for layer in base.layers[:-20])
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.001)


def test_augmentation_applies_while_training_only():
    import keras

    prep = ImagePreprocessor((12, 12), 1, rotation=0.2, shift=0.2).fit(pd.DataFrame({"image": []}))
    tensors, encoded = prep.build_encoder()
    encoder = keras.Model(tensors, encoded)
    pixels = bars(4)[0][..., None].astype("float32")
    inference = [np.asarray(encoder({"image": pixels}, training=False)) for _ in range(2)]
    training = np.asarray(encoder({"image": pixels}, training=True))
    assert np.allclose(inference[0], inference[1]) and np.allclose(inference[0], pixels / 255)
    assert not np.allclose(training, inference[0])


@pytest.mark.slow
def test_cnn_end_to_end_on_an_image_folder(tmp_path, prefect_api, monkeypatch):
    import keras

    from archflow.predict import load_trained
    from tests.stages import run_all_stages, tiny_settings

    monkeypatch.chdir(tmp_path)
    write_folder(tmp_path / "data/raw/bars", count=40)
    metrics = run_all_stages(tiny_settings(source="data/raw/bars", target="label"))
    assert metrics["test"]["accuracy"] >= 0.9 and "logistic" in metrics["baseline"], metrics["test"]  # 1.0 on CPU with the seed
    trained = load_trained("models/candidate")
    assert trained.metadata.architecture == "cnn"
    keras.saving.load_model("models/candidate/model.keras", safe_mode=True)
    raw = load_image_folder(tmp_path / "data/raw/bars").head(3)
    assert set(trained.predict(raw)["prediction"]) <= {"horizontal", "vertical"}


@pytest.mark.slow
def test_transfer_learning_from_a_local_weights_file(tmp_path, prefect_api, monkeypatch):
    """MobileNetV2 started from a weights file the test writes (nothing can be downloaded)."""
    import keras

    from archflow.architectures import PRETRAINED_BASE
    from archflow.predict import load_trained
    from tests.stages import run_all_stages, tiny_settings

    monkeypatch.chdir(tmp_path)
    weights = tmp_path / "data/raw/mobilenet_v2.weights.h5"
    weights.parent.mkdir(parents=True)
    keras.applications.MobileNetV2(input_shape=(32, 32, 3), include_top=False, weights=None).save_weights(weights)
    images, labels = bars(30, size=32)
    np.savez(tmp_path / "data/raw/bars.npz", x=images, y=labels)
    settings = tiny_settings(source="data/raw/bars.npz", target="label")
    from dataclasses import replace

    settings = replace(settings, image=replace(settings.image, pretrained_weights=str(weights), fine_tune_epochs=1), train=replace(settings.train, epochs=1, patience=1))
    run_all_stages(settings)
    trained = load_trained("models/candidate")
    assert trained.metadata.architecture == "mobilenet_v2"
    curves = pd.read_csv("reports/training/learning_curves.csv")
    assert curves.groupby("fold")["epoch"].max().eq(2).all()  # 1 frozen epoch + 1 fine-tuning epoch
    assert trained.metadata.final_model == "bag" and trained.model.get_layer("fold_1").get_layer(PRETRAINED_BASE).count_params() > 2_000_000
    assert set(trained.predict(load_npz(tmp_path / "data/raw/bars.npz").head(4))["prediction"]) <= {"0", "1"}
