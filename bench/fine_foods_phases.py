"""Side experiment behind bench/results.md (fine_foods): how much the GRU adds to the linear path.

    python bench/fine_foods_phases.py two     # linear TF-IDF path alone (printed), then the GRU on top
    python bench/fine_foods_phases.py joint   # both trained together

Early stopping on an 80/20 slice of the training reviews; the test split is scored once at the end.
"""
import os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"]="3"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np, keras, tensorflow as tf
from archflow.examples import get_example
f = get_example("fine_foods").load()
tr, te = f[f.split=="train"], f[f.split=="test"]
classes = sorted(tr.score.unique()); ytr=(tr.score==classes[1]).to_numpy("float32"); yte=(te.score==classes[1]).to_numpy("float32")
rng=np.random.default_rng(0); idx=rng.permutation(len(tr)); va_i, fit_i = idx[:800], idx[800:]
Xtr = tr.review.fillna("").to_numpy(str); T = lambda a: tf.constant(a.reshape(-1,1)); Xte=T(te.review.fillna("").to_numpy(str))
mode=sys.argv[1]
def build(texts):
    keras.utils.set_random_seed(1)
    inp = keras.Input((1,), dtype="string")
    seq = keras.layers.TextVectorization(max_tokens=20000, output_sequence_length=198); seq.adapt(texts)
    bag = keras.layers.TextVectorization(max_tokens=40000, ngrams=2, output_mode="tf_idf"); bag.adapt(texts)
    ids = keras.layers.Reshape((198,))(seq(inp))
    x = keras.layers.Embedding(seq.vocabulary_size(), 64, mask_zero=True, name="emb")(ids)
    x = keras.layers.Bidirectional(keras.layers.GRU(32), name="gru")(x)
    x = keras.layers.Dropout(0.4)(x)
    deep = keras.layers.Dense(1, kernel_initializer="zeros", name="deep")(x)
    w = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(1/(2*len(texts))), name="wide")(bag(inp))
    out = keras.layers.Activation("sigmoid")(keras.layers.Add()([deep, w]))
    m = keras.Model(inp, out); m.compile(optimizer=keras.optimizers.Adam(0.003), loss="binary_crossentropy", metrics=["accuracy"]); return m
def phase(m, trainable_deep, lr):
    for n in ("emb","gru","deep"): m.get_layer(n).trainable = trainable_deep
    m.get_layer("wide").trainable = not trainable_deep if mode=="two" else True
    m.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy", metrics=["accuracy"])
t=time.time()
m=build(Xtr[fit_i]); es=lambda: [keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)]
if mode=="two":
    phase(m, False, 0.003); h1=m.fit(T(Xtr[fit_i]), ytr[fit_i], validation_data=(T(Xtr[va_i]), ytr[va_i]), epochs=30, batch_size=64, verbose=0, callbacks=es())
    b1=int(np.argmin(h1.history["val_loss"]))+1; print("phase1 best", b1, h1.history["val_accuracy"][b1-1], flush=True)
    phase(m, True, 0.003)
h=m.fit(T(Xtr[fit_i]), ytr[fit_i], validation_data=(T(Xtr[va_i]), ytr[va_i]), epochs=20, batch_size=64, verbose=0, callbacks=es())
b=int(np.argmin(h.history["val_loss"]))+1
print(mode, "best", b, "val acc", h.history["val_accuracy"][b-1], "hist", np.round(h.history["val_accuracy"],3), time.time()-t, flush=True)
m=build(Xtr)
if mode=="two":
    phase(m, False, 0.003); m.fit(T(Xtr), ytr, epochs=b1, batch_size=64, verbose=0); print("wide only TEST", ((m.predict(Xte,verbose=0).ravel()>0.5)==yte).mean(), flush=True); phase(m, True, 0.003)
m.fit(T(Xtr), ytr, epochs=b, batch_size=64, verbose=0)
print(mode, "TEST", ((m.predict(Xte,verbose=0).ravel()>0.5)==yte).mean(), time.time()-t, flush=True)
