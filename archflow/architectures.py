"""Architecture builders, found by name in a registry.

A builder maps the encoded feature tensor and a few hyperparameters to the network body;
:func:`build_model` adds the head the task calls for and compiles the model.
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from archflow.layers import DropMask, MaskedMaxPool1D, MaskedMean, Rescale, StepMask

BUILDERS: dict[str, Callable[..., keras.KerasTensor]] = {}
PER_STEP: set[str] = set()  # bodies that end in (batch, steps, units): one output per step (a decoder)
PRETRAINED_BASE = "pretrained_base"


def register(name: str, per_step: bool = False):
    """Register a body builder under ``name``; ``per_step``: it returns one vector per output
    step, and the head maps each to one value."""

    def add(builder):
        BUILDERS[name] = builder
        if per_step:
            PER_STEP.add(name)
        return builder

    return add


@register("mlp")
def mlp_body(features: keras.KerasTensor, hidden_layers: int, units: int, dropout: float, l2: float) -> keras.KerasTensor:
    """Dense (ReLU, L2) -> Dropout blocks, width halving with depth."""
    x = features
    for depth in range(hidden_layers):
        width = max(8, units // (2**depth))
        x = keras.layers.Dense(width, activation="relu", kernel_regularizer=keras.regularizers.L2(l2), name=f"dense_{depth + 1}")(x)
        x = keras.layers.Dropout(dropout, name=f"dropout_{depth + 1}")(x)
    return x


@register("cnn")
def cnn_body(images: keras.KerasTensor, blocks: int, filters: int, dropout: float, dense_units: int) -> keras.KerasTensor:
    """Conv -> BatchNorm -> ReLU (x2) -> MaxPool blocks, filters doubling; then global pooling."""
    x = images  # (batch, height, width, channels), scaled to 0-1
    for block in range(blocks):
        width = filters * 2**block
        for repeat in range(2):
            x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{block + 1}_{repeat + 1}")(x)
            # momentum 0.9: moving statistics settle within an epoch or two on small data sets,
            # so early stopping does not judge the network by stale statistics
            x = keras.layers.BatchNormalization(momentum=0.9, name=f"bn{block + 1}_{repeat + 1}")(x)
            x = keras.layers.ReLU(name=f"relu{block + 1}_{repeat + 1}")(x)
        if min(x.shape[1], x.shape[2]) >= 2:
            x = keras.layers.MaxPooling2D(name=f"pool{block + 1}")(x)
        x = keras.layers.Dropout(dropout / 2, name=f"dropout{block + 1}")(x)
    x = keras.layers.GlobalAveragePooling2D(name="global_pool")(x)  # (batch, channels)
    x = keras.layers.Dense(dense_units, activation="relu", name="dense")(x)
    return keras.layers.Dropout(dropout, name="dropout_dense")(x)


@register("mobilenet_v2")
def mobilenet_v2_body(images: keras.KerasTensor, weights: str, dropout: float, fine_tune_layers: int, fine_tune_epochs: int) -> keras.KerasTensor:
    """MobileNetV2 started from a local weights file (include_top=False), frozen at first.

    ``fit_model`` trains the head with the base frozen, then unfreezes the top
    ``fine_tune_layers`` layers for ``fine_tune_epochs`` at a tenth of the learning rate.
    """
    height, width, channels = images.shape[1:]
    x = images  # (batch, height, width, channels), 0-1
    if min(height, width) < 32:  # MobileNetV2's smallest input
        height, width = max(32, height), max(32, width)
        x = keras.layers.Resizing(height, width, name="upsize")(x)
    if channels == 1:
        x = keras.layers.Concatenate(name="grey_to_rgb")([x, x, x])
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="to_minus1_1")(x)  # MobileNetV2 expects -1..1
    base = keras.applications.MobileNetV2(input_shape=(height, width, 3), include_top=False, weights=None)
    base.load_weights(weights)
    base.trainable = False
    base.name = PRETRAINED_BASE
    x = base(x, training=False)  # batch norm stays in inference mode, also while fine-tuning
    x = keras.layers.GlobalAveragePooling2D(name="global_pool")(x)
    return keras.layers.Dropout(dropout, name="dropout")(x)


def unfreeze_top(model: keras.Model, layers: int, learning_rate: float) -> None:
    """Fine-tuning: make the top ``layers`` of the pretrained base trainable and recompile."""
    base = model.get_layer(PRETRAINED_BASE)
    base.trainable = True
    for layer in base.layers[:-layers]:
        layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])


WIDE = "wide_logits"


def train_only(model: keras.Model, phase: str, learning_rate: float) -> None:
    """Wide-and-deep in two phases: ``wide`` trains the linear path alone (the network's logits
    start at zero, so this is a logistic regression); ``deep`` then trains the network on top
    of it with the linear path fixed, so the network learns what the n-grams miss."""
    for layer in model.layers:
        if layer.weights:
            layer.trainable = (layer.name == WIDE) == (phase == "wide")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])


def _embedded(token_ids: keras.KerasTensor, vocabulary_size: int, embedding_dim: int) -> keras.KerasTensor:
    # id 0 is padding: mask_zero makes the recurrent layers skip padded steps
    return keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name="embedding")(token_ids)  # (batch, time, dim)


@register("bigru")
def bigru_body(token_ids: keras.KerasTensor, vocabulary_size: int, embedding_dim: int, units: int, dropout: float) -> keras.KerasTensor:
    x = _embedded(token_ids, vocabulary_size, embedding_dim)
    x = keras.layers.Bidirectional(keras.layers.GRU(units), name="bigru")(x)  # (batch, 2 * units)
    return keras.layers.Dropout(dropout, name="dropout")(x)


@register("bilstm")
def bilstm_body(token_ids: keras.KerasTensor, vocabulary_size: int, embedding_dim: int, units: int, dropout: float) -> keras.KerasTensor:
    x = _embedded(token_ids, vocabulary_size, embedding_dim)
    x = keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")(x)
    return keras.layers.Dropout(dropout, name="dropout")(x)


@register("text_linear")
def text_linear_body(token_ids: keras.KerasTensor, vocabulary_size: int, **_) -> keras.KerasTensor:
    """No network: a constant zero feature, so a wide-and-deep text model is its TF-IDF linear
    path alone (trained in the "wide" phase only). The search's yardstick for whether the
    recurrence or convolution adds anything to the n-grams."""
    x = keras.layers.Embedding(vocabulary_size, 1, embeddings_initializer="zeros", trainable=False, name="no_embedding")(token_ids)
    return keras.layers.GlobalAveragePooling1D(name="no_network")(x)  # (batch, 1), always 0


@register("text_cnn")
def text_cnn_body(token_ids: keras.KerasTensor, vocabulary_size: int, embedding_dim: int, units: int, dropout: float) -> keras.KerasTensor:
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, name="embedding")(token_ids)
    x = keras.layers.Conv1D(2 * units, 5, activation="relu", name="conv")(x)  # (batch, time - 4, filters)
    x = keras.layers.GlobalMaxPooling1D(name="global_max")(x)
    return keras.layers.Dropout(dropout, name="dropout")(x)


@register("fcn")
def fcn_body(steps: keras.KerasTensor, filters: int, dropout: float) -> keras.KerasTensor:
    """The fully convolutional network of the UCR literature (Wang et al. 2017): three
    Conv1D-BN-ReLU blocks (kernels 8, 5, 3) and global average pooling over real steps.

    Padded steps are zeroed after every block and left out of the average, so with "same"
    zero padding a padded sequence predicts exactly as the unpadded one."""
    mask = StepMask(name="step_mask")(steps)  # (batch, time, 1)
    x = DropMask(name="unmask")(steps)  # convolutions take the mask explicitly below
    for block, (width, kernel) in enumerate(((filters, 8), (2 * filters, 5), (filters, 3)), start=1):
        x = keras.layers.Conv1D(width, kernel, padding="same", name=f"conv{block}")(x)
        x = keras.layers.BatchNormalization(momentum=0.9, name=f"bn{block}")(x)
        x = keras.layers.ReLU(name=f"relu{block}")(x)
        x = keras.layers.Multiply(name=f"mask{block}")([x, mask])
    x = MaskedMean(name="global_pool")([x, mask])
    return keras.layers.Dropout(dropout, name="dropout")(x)


@register("resnet")
def resnet_body(steps: keras.KerasTensor, filters: int, dropout: float) -> keras.KerasTensor:
    """The residual network of the UCR literature (Wang et al. 2017): three residual blocks of
    three Conv1D-BN(-ReLU) layers (kernels 8, 5, 3; ``filters``, then twice them twice), each
    added to a 1x1-convolved shortcut, and global average pooling over real steps. Padded steps
    are zeroed after every layer that feeds a convolution (batch normalisation moves zeros), as
    in :func:`fcn_body`."""
    mask = StepMask(name="step_mask")(steps)
    x = DropMask(name="unmask")(steps)
    for block, width in enumerate((filters, 2 * filters, 2 * filters), start=1):
        shortcut = keras.layers.BatchNormalization(momentum=0.9, name=f"block{block}_shortcut_bn")(
            keras.layers.Conv1D(width, 1, padding="same", name=f"block{block}_shortcut")(x)
        )
        for layer, kernel in enumerate((8, 5, 3), start=1):
            x = keras.layers.Conv1D(width, kernel, padding="same", name=f"block{block}_conv{layer}")(x)
            x = keras.layers.BatchNormalization(momentum=0.9, name=f"block{block}_bn{layer}")(x)
            if layer < 3:
                x = keras.layers.ReLU(name=f"block{block}_relu{layer}")(x)
                x = keras.layers.Multiply(name=f"block{block}_mask{layer}")([x, mask])  # the next convolution sees zeros past the end
        x = keras.layers.ReLU(name=f"block{block}_out")(keras.layers.Add(name=f"block{block}_add")([x, shortcut]))
        x = keras.layers.Multiply(name=f"block{block}_mask")([x, mask])
    x = MaskedMean(name="global_pool")([x, mask])
    return keras.layers.Dropout(dropout, name="dropout")(x)


INCEPTION_KERNELS = (40, 20, 10)  # InceptionTime's (Ismail Fawaz et al. 2020)


@register("inception")
def inception_body(steps: keras.KerasTensor, filters: int, dropout: float, depth: int = 6) -> keras.KerasTensor:
    """InceptionTime's network (Ismail Fawaz et al. 2020): ``depth`` Inception modules, each a
    1x1 bottleneck (for more than one channel) feeding convolutions of kernels 40, 20 and 10
    beside a max-pooled 1x1 convolution, ``filters // 2`` filters each, concatenated, then
    BN-ReLU; a residual shortcut around every three modules; global average pooling over real
    steps. Padded steps are zeroed after every module and never win the max pooling, so a
    padded sequence predicts as the unpadded one (as in :func:`fcn_body`)."""
    mask = StepMask(name="step_mask")(steps)
    x = residual = DropMask(name="unmask")(steps)
    branch = max(filters // 2, 8)
    for module in range(1, depth + 1):
        name = f"inception{module}"
        bottleneck = keras.layers.Conv1D(branch, 1, padding="same", use_bias=False, name=f"{name}_bottleneck")(x) if x.shape[-1] > 1 else x
        branches = [keras.layers.Conv1D(branch, kernel, padding="same", use_bias=False, name=f"{name}_conv{kernel}")(bottleneck) for kernel in INCEPTION_KERNELS]
        pooled = MaskedMaxPool1D(3, name=f"{name}_maxpool")([x, mask])
        branches.append(keras.layers.Conv1D(branch, 1, padding="same", use_bias=False, name=f"{name}_pool_conv")(pooled))
        x = keras.layers.Concatenate(name=f"{name}_concat")(branches)
        x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
        x = keras.layers.ReLU(name=f"{name}_relu")(x)
        x = keras.layers.Multiply(name=f"{name}_mask")([x, mask])
        if module % 3 == 0:  # the shortcut around the last three modules
            shortcut = keras.layers.Conv1D(x.shape[-1], 1, padding="same", use_bias=False, name=f"{name}_shortcut")(residual)
            shortcut = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_shortcut_bn")(shortcut)
            x = keras.layers.ReLU(name=f"{name}_out")(keras.layers.Add(name=f"{name}_add")([x, shortcut]))
            x = residual = keras.layers.Multiply(name=f"{name}_out_mask")([x, mask])
    x = MaskedMean(name="global_pool")([x, mask])
    return keras.layers.Dropout(dropout, name="dropout")(x)


def _recurrent(cell: str):
    return {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[cell]


@register("sequence_rnn")
def sequence_rnn_body(steps: keras.KerasTensor, cell: str, layers: int, units: int, bidirectional: bool, dropout: float) -> keras.KerasTensor:
    """Stacked (bidirectional) GRU or LSTM over the whole sequence; the Keras mask from the
    input layer makes every recurrent layer skip padded steps."""
    x = steps
    for depth in range(1, layers + 1):
        layer = _recurrent(cell)(units, return_sequences=depth < layers, name=f"{cell}{depth}")
        x = keras.layers.Bidirectional(layer, name=f"bi{cell}{depth}")(x) if bidirectional else layer(x)
    return keras.layers.Dropout(dropout, name="dropout")(x)


@register("stacked_rnn")
def stacked_rnn_body(window: keras.KerasTensor, cell: str, layers: int, units: int, dropout: float) -> keras.KerasTensor:
    """One-step forecasts: stacked GRU or LSTM layers read the look-back window in time order."""
    x = window
    for depth in range(1, layers + 1):
        x = _recurrent(cell)(units, return_sequences=depth < layers, name=f"{cell}{depth}")(x)
    return keras.layers.Dropout(dropout, name="dropout")(x)


@register("encoder_decoder", per_step=True)
def encoder_decoder_body(window: keras.KerasTensor, cell: str, units: int, horizon: int, dropout: float) -> keras.KerasTensor:
    """Sequence to sequence: an encoder reads the look-back window into its state, a decoder
    unrolls it over the horizon; (batch, horizon, units), one output per future step."""
    encoded = _recurrent(cell)(units, name="encoder")(window)
    x = keras.layers.RepeatVector(horizon, name="repeat")(encoded)
    x = _recurrent(cell)(units, return_sequences=True, name="decoder")(x)
    return keras.layers.Dropout(dropout, name="dropout")(x)


def build_model(
    inputs: dict,
    features: keras.KerasTensor,
    architecture: str,
    hyperparameters: dict,
    head: dict,
    learning_rate: float,
    target_scale: tuple[float, float] | None = None,
    finish: Callable[[keras.KerasTensor], keras.KerasTensor] | None = None,
    wide: keras.KerasTensor | None = None,
    wide_l2: float = 0.0,
) -> keras.Model:
    """A compiled model: registered body, then the task's output layer and loss.

    For regression, ``target_scale`` (training mean and std of the target) lets the
    network predict standardised values while the model outputs target units; ``finish``
    maps the output layer's values to target units in other ways (forecasts). ``wide``
    features (TF-IDF of text) get a linear path with L2 ``wide_l2`` whose logits are added to
    the network's before the output activation: a wide-and-deep model.
    """
    if architecture not in BUILDERS:
        raise ValueError(f"unknown architecture '{architecture}'; registered: {sorted(BUILDERS)}")
    body = BUILDERS[architecture](features, **hyperparameters)
    if architecture in PER_STEP:  # a decoder's (batch, steps, units): one output per step
        outputs = keras.layers.Dense(1, activation=head["activation"], name="output_step")(body)
        outputs = keras.layers.Reshape((body.shape[1],), name="output")(outputs)
    elif wide is not None:
        deep = keras.layers.Dense(head["units"], kernel_initializer="zeros", name="deep_logits")(body)  # starts as the linear model
        linear = keras.layers.Dense(head["units"], kernel_regularizer=keras.regularizers.L2(wide_l2), name=WIDE)(wide)
        logits = keras.layers.Add(name="wide_and_deep")([deep, linear])
        outputs = keras.layers.Activation(head["activation"], name="output")(logits)
    else:
        outputs = keras.layers.Dense(head["units"], activation=head["activation"], name="output")(body)
    if target_scale is not None:
        outputs = Rescale(*target_scale, name="target_units")(outputs)
    if finish is not None:
        outputs = finish(outputs)
    model = keras.Model(inputs=inputs, outputs=outputs, name=f"archflow_{architecture}")
    metrics = ["mae"] if head["loss"] == "mean_squared_error" else ["accuracy"]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=head["loss"], metrics=metrics)
    return model
