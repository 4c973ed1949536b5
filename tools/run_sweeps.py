"""Run lesson 07's experiments on the detector events and cache the results in data/.

    python tools/run_sweeps.py                  # run the sweeps missing from the cache
    python tools/run_sweeps.py --rerun          # run every sweep again
    python tools/run_sweeps.py --only lr depth  # run (again) the sweeps named

Each question of the slides' "choosing an architecture" (how many layers, how many
nodes, learning rate, dropout, activation, convolution layers, filter size, stride,
pooling) is answered by a few small networks trained the same way on the same simulated
events, plus a residual-connection experiment, transfer learning and a workflow. Every
run is seeded: the results (except the wall times) are the same on every machine. The
whole cache takes a few minutes on two cores; the notebook only reads it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from lessons_lib import architectures as A
from lessons_lib._data import REBUILD
from lessons_lib._files import read_json, write_files
from lessons_lib.datasets import detector_events
from lessons_lib.losses import softmax_cross_entropy_backward
from lessons_lib.metrics import confusion_matrix, f1_score
from lessons_lib.nn.layers import Dense, Sequential
from lessons_lib.nn.models import detector_cnn, load_detector_cnn
from lessons_lib.nn.optim import SGD, Adam
from lessons_lib.nn.training import TrainingDiverged, evaluate, fit, predict

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "sweeps.json"
SIZE = 32
N_TRAIN, N_VAL, N_TEST = 800, 200, 400
EPOCHS, BATCH, LR = 6, 32, 0.003
DATA_SEED, INIT_SEED = 11, 0


def events(n, *, seed, **kwargs):
    images, labels, names = detector_events(n, seed=seed, image_size=SIZE, **kwargs)
    return images, labels, names


def split(images, labels, n_train, n_val):
    return ((images[:n_train], labels[:n_train]),
            (images[n_train:n_train + n_val], labels[n_train:n_train + n_val]),
            (images[n_train + n_val:], labels[n_train + n_val:]))


def base_cnn(c1=6, c2=12, k=3, stride=1, pool="max", head=()):
    """The sweeps' reference network; each experiment changes one thing of it."""
    def down(channels):
        if pool == "max":
            return [A.maxpool(2)]
        if pool == "strided conv":
            return [A.conv(channels, 3, stride=2, padding=1), A.relu()]
        return []

    return ([A.conv(c1, k, stride=stride, padding=k // 2), A.relu(), *down(c1),
             A.conv(c2, 3, padding=1), A.relu(), *down(c2), A.flatten(), *head, A.dense(3)])


def run(label, spec, data, *, optimizer="adam", lr=LR, epochs=EPOCHS, net=None):
    """Train one network; return what the notebook shows about it."""
    (x, y), val, (x_test, y_test) = data
    shape = x.shape[1:]
    net = A.build(spec, shape, seed=INIT_SEED) if net is None else net
    opt = Adam(net, lr=lr) if optimizer == "adam" else SGD(net, lr=lr, momentum=0.9)
    epochs_seen = []
    start = time.perf_counter()
    diverged = None
    try:
        history = fit(net, x, y, epochs=epochs, batch_size=BATCH, optimizer=opt,
                      validation_data=val, seed=INIT_SEED, progress=False,
                      callback=lambda h: epochs_seen.append(h.as_dict()))
        curves = history.as_dict()
    except TrainingDiverged as error:
        diverged = str(error)
        curves = epochs_seen[-1] if epochs_seen else {"loss": [], "accuracy": [],
                                                      "val_loss": [], "val_accuracy": []}
        curves = {k: [*v, float("nan")] for k, v in curves.items()}
    seconds = time.perf_counter() - start
    record = {"label": str(label), "spec": spec, "params": A.count_params(spec, shape),
              "macs": A.count_macs(spec, shape), "history": curves, "diverged": diverged,
              "seconds": round(seconds, 1)}
    if diverged is None:
        net.eval()
        record["train_accuracy"] = evaluate(net, x, y)["accuracy"]
        record["val_accuracy"] = evaluate(net, *val)["accuracy"]
        record["test_accuracy"] = evaluate(net, x_test, y_test)["accuracy"]
    print(f"  {label:>16}: {record.get('test_accuracy', 'diverged')} "
          f"({record['params']:,} parameters, {seconds:.1f} s)", flush=True)
    return record, net


def sweep(question, xlabel, runs, data, **kwargs):
    print(question, flush=True)
    return {"question": question, "xlabel": xlabel,
            "runs": [run(label, spec, data, **kwargs)[0] for label, spec in runs]}


# -- the slides' questions --------------------------------------------------------------

def layers_sweep(data):
    runs = [(str(n), [A.flatten(), *[x for _ in range(n) for x in (A.dense(32), A.relu())],
                      A.dense(3)]) for n in (0, 1, 2, 4)]
    return sweep("How many layers? Dense networks with 0 to 4 hidden layers of 32 units",
                 "hidden layers", runs, data)


def width_sweep(data):
    runs = [(f"{c}-{2 * c}", base_cnn(c, 2 * c)) for c in (1, 3, 6, 12)]
    return sweep("How many nodes per layer? The same CNN with more filters per layer",
                 "filters in the two convolution layers", runs, data)


def lr_sweep(data):
    runs = [(f"{lr:g}", lr) for lr in (1e-4, 1e-2, 1.0)]
    print("Learning rate", flush=True)
    return {"question": "Learning rate: too small, about right, too large (SGD, momentum 0.9)",
            "xlabel": "learning rate",
            "runs": [run(label, base_cnn(), data, optimizer="sgd", lr=lr)[0]
                     for label, lr in runs]}


def dropout_sweep(data):
    # A small training set and a big dense layer: the setting where dropout matters.
    (x, y), val, test = data
    small = ((x[:300], y[:300]), val, test)
    runs = [(f"{p:g}", base_cnn(head=[A.dense(64), A.relu(), *([A.dropout(p)] if p else [])]))
            for p in (0.0, 0.3, 0.6)]
    return sweep("Dropout? A dense layer of 64 units on 300 training events, with dropout p",
                 "dropout probability p", runs, small, epochs=10)


def activation_sweep(data):
    depth = 8
    runs = [(name, [A.flatten(), *[x for _ in range(depth) for x in (A.dense(32), getattr(A, name)())],
                    A.dense(3)]) for name in ("sigmoid", "tanh", "relu")]
    # How much gradient reaches each layer of the untrained network, on one batch.
    (x, y), _, _ = data
    norms = {}
    for name, spec in runs:
        net = A.build(spec, x.shape[1:], seed=INIT_SEED)
        logits = net.forward(x[:BATCH])
        net.zero_grad()
        net.backward(softmax_cross_entropy_backward(logits, y[:BATCH]))
        norms[name] = [float(np.linalg.norm(layer.grads["W"])) for layer in net
                       if isinstance(layer, Dense)]
    result = sweep(f"What activation function? {depth} hidden dense layers of 32 units",
                   "activation", runs, data)
    result["gradient_norms"] = norms
    return result


def conv_layers_sweep(data):
    def blocks(n):
        spec, channels = [], 6
        for _ in range(n):
            spec += [A.conv(channels, 3, padding=1), A.relu(), A.maxpool(2)]
            channels *= 2
        return [*spec, A.flatten(), A.dense(3)]

    return sweep("How many convolution layers? Blocks of convolution, ReLU and pooling",
                 "convolution blocks", [(str(n), blocks(n)) for n in (1, 2, 3)], data)


def filter_sweep(data):
    return sweep("Filter size? The first convolution's kernel",
                 "first filter size", [(f"{k}×{k}", base_cnn(k=k)) for k in (3, 5, 7)], data)


def stride_sweep(data):
    return sweep("Stride? The first convolution moving 1 or 2 pixels at a time",
                 "stride of the first convolution",
                 [(str(s), base_cnn(stride=s)) for s in (1, 2)], data)


def pooling_sweep(data):
    return sweep("Pooling? Max pooling, a stride-2 convolution instead, or no downsampling",
                 "downsampling", [(p, base_cnn(pool=p)) for p in ("max", "strided conv", "none")],
                 data)


def residual_sweep(data, depth=40, width=16):

    def plain():
        return [A.flatten(), A.dense(width), A.relu(),
                *[x for _ in range(depth) for x in (A.dense(width), A.batchnorm(), A.relu())],
                A.dense(3)]

    def residual():
        block = A.residual([A.dense(width), A.batchnorm(), A.relu(), A.dense(width),
                            A.batchnorm()], activation="relu")
        return [A.flatten(), A.dense(width), A.relu(), *[block] * (depth // 2), A.dense(3)]

    return sweep(f"A residual connection: {depth} hidden layers of {width} units with batch "
                 "normalisation, plain or in residual blocks",
                 "network", [("plain", plain()), ("residual", residual())], data,
                 optimizer="sgd", lr=0.01, epochs=8)


# -- transfer learning ---------------------------------------------------------------------

def transfer(seed=DATA_SEED, n_train=200, noise=8.0):
    """Lesson 04's trained network (data/detector_cnn.npz) reused in a new detector setting."""
    print("Transfer learning", flush=True)
    pretrained, metadata = load_detector_cnn()
    size = 64  # the events lesson 04's network was trained on
    # The new setting: a much noisier detector, and only n_train labelled events from it.
    images, labels, names = detector_events(n_train + 1200, seed=seed + 2, image_size=size,
                                            noise=noise)
    (x, y), (xv, yv), (xt, yt) = split(images, labels, n_train, 200)
    runs = []

    def record(label, net, history, seconds, trained):
        accuracy = float(np.mean(predict(net, xt) == yt))
        runs.append({"label": label, "trained_params": trained, "test_accuracy": accuracy,
                     "history": history, "seconds": round(seconds, 1)})
        print(f"  {label}: {accuracy:.3f} ({trained:,} parameters trained, {seconds:.1f} s)",
              flush=True)

    def train(net, lr, epochs):
        start = time.perf_counter()
        history = fit(net, x, y, epochs=epochs, batch_size=BATCH, optimizer=Adam(net, lr=lr),
                      validation_data=(xv, yv), seed=INIT_SEED, progress=False)
        return history.as_dict(), time.perf_counter() - start

    # 0. As it is, trained on the quieter detector, no training at all.
    runs.append({"label": "as it is (no training)", "trained_params": 0,
                 "test_accuracy": float(np.mean(predict(pretrained, xt) == yt)),
                 "seconds": 0.0})
    # 1. Frozen features: everything up to the old head computes features, once; only a
    #    new head (one output per class) is trained on them.
    body = Sequential(pretrained.layers[:-1])

    def features(v):
        return body.eval()(v)

    classes = len(names)
    head = Dense(pretrained.layers[-1].in_features, classes, rng=INIT_SEED)
    start = time.perf_counter()
    f_train = features(x)
    history = fit(head, f_train, y, epochs=40, batch_size=BATCH, optimizer=Adam(head, lr=LR),
                  validation_data=(features(xv), yv), seed=INIT_SEED, progress=False)
    seconds = time.perf_counter() - start
    record("frozen features + new head", Sequential([body, head]), history.as_dict(), seconds,
           head.num_params)
    # 2. Fine-tuning: the pretrained weights and a new head, everything trained, gently.
    tuned, _ = load_detector_cnn()
    tuned = Sequential([*tuned.layers[:-1], Dense(head.in_features, classes, rng=INIT_SEED)])
    curves, seconds = train(tuned, LR / 3, 15)
    record("fine-tuned", tuned, curves, seconds, tuned.num_params)
    # 3. From scratch: the same architecture, random weights, the same small data.
    scratch = detector_cnn(num_classes=classes, image_size=size, rng=INIT_SEED)
    curves, seconds = train(scratch, LR, 15)
    record("from scratch", scratch, curves, seconds, scratch.num_params)
    return {"pretrained": {"source": "data/detector_cnn.npz (lesson 04)",
                           "test_accuracy": metadata.get("test_accuracy"),
                           "params": pretrained.num_params},
            "task": {"events": n_train, "noise": noise, "image_size": size,
                     "class_names": list(names)},
            "runs": runs}


# -- the example workflow ---------------------------------------------------------------------

def workflow(seed=DATA_SEED):
    """A fresh question, end to end: is this event a proton? (binary, F1 of the protons)."""
    print("Workflow", flush=True)
    extra = N_TRAIN  # events simulated for the "more data" step
    images, labels, names = detector_events(N_TRAIN + N_VAL + N_TEST + extra, seed=seed + 3,
                                            image_size=SIZE, view="binary", noise=1.5,
                                            class_mix=(0.2, 0.4, 0.4))
    (x, y), (xv, yv), (xt, yt) = split(images, labels, N_TRAIN, N_VAL)
    xt, yt = xt[:N_TEST], yt[:N_TEST]
    data = ((x, y), (xv, yv), (xt, yt))
    steps = []

    def score(model, label, record=None, **extra_fields):
        """Validation scores (to choose with) and test scores (to report) of one step."""
        val_predictions, predictions = model(xv), model(xt)
        step = {"label": label, "val_accuracy": float(np.mean(val_predictions == yv)),
                "val_f1": f1_score(yv, val_predictions, pos_label=1),
                "test_accuracy": float(np.mean(predictions == yt)),
                "test_f1": f1_score(yt, predictions, pos_label=1),
                "confusion": confusion_matrix(yt, predictions, labels=[0, 1]).tolist(),
                **extra_fields}
        if record is not None:
            step.update({k: record[k] for k in ("spec", "params", "history", "seconds")})
        steps.append(step)
        print(f"  {label}: validation F1 {step['val_f1']:.3f}; test accuracy "
              f"{step['test_accuracy']:.3f}, F1 {step['test_f1']:.3f}", flush=True)
        return predictions

    def train(spec, x_train, y_train, label):
        net = A.build(spec, x.shape[1:], seed=INIT_SEED)
        start = time.perf_counter()
        history = fit(net, x_train, y_train, epochs=12, batch_size=BATCH,
                      optimizer=Adam(net, lr=LR), validation_data=(xv, yv), early_stopping=3,
                      seed=INIT_SEED, progress=False)
        record = {"spec": spec, "params": A.count_params(spec, x.shape[1:]),
                  "history": history.as_dict(), "seconds": round(time.perf_counter() - start, 1)}
        return score(lambda events: predict(net, events), label, record,
                     best_epoch=history.best_epoch, stopped_early=history.stopped_early,
                     train_events=len(x_train))

    # Baselines: always the majority class ("not proton"), then a dense layer.
    majority = int(np.bincount(y).argmax())
    score(lambda events: np.full(len(events), majority), "majority baseline")
    dense_record, net = run("dense baseline", [A.flatten(), A.dense(2)], data)
    score(lambda events: predict(net, events), "dense baseline", dense_record)
    cnn = base_cnn()[:-1] + [A.dense(2)]
    predictions = train(cnn, x, y, "first CNN")
    wrong = np.flatnonzero(predictions != yt)[:8]
    # Change one thing: twice the training events (simulating more is cheap here).
    more = np.concatenate([x, images[-extra:]]), np.concatenate([y, labels[-extra:]])
    train(cnn, *more, "first CNN, twice the events")
    return {"class_names": list(names), "positive": "proton", "steps": steps,
            "errors": {"indices": wrong.tolist(), "true": yt[wrong].tolist(),
                       "predicted": predictions[wrong].tolist()},
            "data": {"n": len(images), "seed": seed + 3, "image_size": SIZE,
                     "view": "binary", "noise": 1.5, "class_mix": [0.2, 0.4, 0.4],
                     "test_start": N_TRAIN + N_VAL}}


SWEEPS = {
    "layers": layers_sweep, "width": width_sweep, "lr": lr_sweep, "dropout": dropout_sweep,
    "activation": activation_sweep, "conv_layers": conv_layers_sweep, "filter": filter_sweep,
    "stride": stride_sweep, "pooling": pooling_sweep, "residual": residual_sweep,
}
OTHERS = {"transfer": transfer, "workflow": workflow}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerun", action="store_true", help="run every sweep again")
    parser.add_argument("--only", nargs="+", choices=[*SWEEPS, *OTHERS], default=None,
                        help="run (again) only these")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    # --rerun replaces everything: a damaged cache is not even read then.
    cache = (read_json(args.output, rebuild=REBUILD["sweeps.json"])
             if args.output.exists() and not args.rerun else {})
    cache.setdefault("sweeps", {})
    cache["meta"] = {"image_size": SIZE, "n_train": N_TRAIN, "n_val": N_VAL, "n_test": N_TEST,
                     "epochs": EPOCHS, "batch_size": BATCH, "lr": LR, "data_seed": DATA_SEED,
                     "init_seed": INIT_SEED, "optimizer": "Adam"}
    wanted = set(args.only or [*SWEEPS, *OTHERS])
    data = None
    for name, function in SWEEPS.items():
        if name in wanted and (args.rerun or args.only or name not in cache["sweeps"]):
            if data is None:
                data = split(*events(N_TRAIN + N_VAL + N_TEST, seed=DATA_SEED)[:2], N_TRAIN,
                             N_VAL)
            cache["sweeps"][name] = function(data)
            write(cache, args.output)
    for name, function in OTHERS.items():
        if name in wanted and (args.rerun or args.only or name not in cache):
            cache[name] = function()
            write(cache, args.output)
    print(f"results in {args.output}")
    return 0


def write(cache, path):
    # NaN marks where a diverged run left off; JSON has no NaN, so it is stored as null.
    # Written beside and moved into place: a run stopped part-way keeps the old cache.
    write_files({path: json.dumps(_finite(cache), indent=1) + "\n"})


def _finite(node):
    if isinstance(node, float):
        return node if np.isfinite(node) else None
    if isinstance(node, dict):
        return {k: _finite(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_finite(v) for v in node]
    if isinstance(node, np.generic):
        return _finite(node.item())
    return node


if __name__ == "__main__":
    sys.exit(main())
