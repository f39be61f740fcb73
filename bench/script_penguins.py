"""The hand-written script archflow's pipeline is measured against (issue 13): the job a person
would write for penguins without a pipeline, with nothing archflow adds (no validation, no DVC,
no Prefect, no search, no baselines, no card).

    python bench/script_penguins.py          # prints hold-out accuracy, CV accuracy and seconds
    python bench/script_penguins.py --search # the same job as archflow's default: three MLPs compared first

The same split as archflow (the bundled example's 20 % hold-out, stratified, seed 42), 5-fold
stratified CV with per-fold imputation, scaling and one-hot encoding, class weights, the same MLP
(one hidden layer of 32 units, dropout 0.1, L2 1e-4; Adam at 0.003; batches of 32), early stopping (patience
25, up to 300 epochs), fed through tf.data as archflow feeds it; then the fold models averaged,
as archflow's default final model, and hold-out accuracy.

``--search`` does by hand what archflow's default search does on penguins: the same 5 folds for
each of the rules' four candidates (the rule's one layer of 32 units, one of 128, two of 64, and
the rule's at a third of the learning rate), the best mean CV accuracy wins (archflow also keeps the rule's pick when the lead is within
one standard error), and the winner's fold models are the final model, as archflow reuses them.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
STARTED = time.perf_counter()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from palmerpenguins import load_penguins  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402

SEED, FOLDS, EPOCHS, PATIENCE, RATE = 42, 5, 300, 25, 0.003


CANDIDATES = {"rule": (1, 32, RATE), "wider": (1, 128, RATE), "deeper": (2, 64, RATE), "slower": (1, 32, RATE / 3)}  # hidden layers, units, learning rate


def model(width: int, classes: int, layers: int = 1, units: int = 32, rate: float = RATE) -> keras.Model:
    inputs = x = keras.Input((width,))
    for _ in range(layers):
        x = keras.layers.Dense(units, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-4))(x)
        x = keras.layers.Dropout(0.1)(x)
    net = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(x))
    net.compile(keras.optimizers.Adam(rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return net


def dataset(x, y, weights=None, shuffle=False):
    parts = (x.astype("float32"), y) if weights is None else (x.astype("float32"), y, weights)
    data = tf.data.Dataset.from_tensor_slices(parts)
    if shuffle:
        data = data.shuffle(len(x), seed=SEED)
    return data.batch(32)  # archflow's batch size for 275 training rows


def main() -> None:
    keras.utils.set_random_seed(SEED)
    frame = load_penguins().dropna(subset=["species"]).drop(columns=["year"])
    classes = sorted(frame["species"].unique())
    y_all = frame["species"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    x_all = frame.drop(columns=["species"])
    x_train, x_test, y_train, y_test = train_test_split(x_all, y_all, test_size=0.2, stratify=y_all, random_state=SEED)
    numeric = [c for c in x_train.columns if x_train[c].dtype.kind in "fi"]
    categorical = [c for c in x_train.columns if c not in numeric]

    def encoder():
        return ColumnTransformer([
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)), categorical),
        ])

    def cross_validate(layers: int, units: int, rate: float):
        members, scores = [], []
        for number, (fit_rows, val_rows) in enumerate(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x_train, y_train), start=1):
            keras.utils.set_random_seed(SEED + number)
            prep = encoder().fit(x_train.iloc[fit_rows])
            x_fit, x_val = prep.transform(x_train.iloc[fit_rows]), prep.transform(x_train.iloc[val_rows])
            weights = compute_class_weight("balanced", classes=np.arange(len(classes)), y=y_train[fit_rows])[y_train[fit_rows]]
            net = model(x_fit.shape[1], len(classes), layers, units, rate)
            stop = keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True)
            net.fit(dataset(x_fit, y_train[fit_rows], weights, shuffle=True), validation_data=dataset(x_val, y_train[val_rows]), epochs=EPOCHS, callbacks=[stop], verbose=0)
            scores.append(float(np.mean(net.predict(dataset(x_val, y_train[val_rows]), verbose=0).argmax(1) == y_train[val_rows])))
            members.append((prep, net))
        return members, scores

    shapes = CANDIDATES if "--search" in sys.argv[1:] else {"rule": CANDIDATES["rule"]}
    results = {name: cross_validate(*shape) for name, shape in shapes.items()}
    best = max(results, key=lambda name: np.mean(results[name][1]))
    members, scores = results[best]
    probabilities = np.mean([net.predict(dataset(prep.transform(x_test), y_test), verbose=0) for prep, net in members], axis=0)
    accuracy = float(np.mean(probabilities.argmax(1) == y_test))
    print(f"{best}: hold-out accuracy {accuracy:.4f}; CV accuracy {np.mean(scores):.4f} ± {np.std(scores):.4f}; {time.perf_counter() - STARTED:.1f} s")


if __name__ == "__main__":
    main()
