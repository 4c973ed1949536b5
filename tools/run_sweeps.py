"""Run lesson 07's experiments on the detector events and cache the results in data/.

    python tools/run_sweeps.py                  # run the sweeps missing from the cache
    python tools/run_sweeps.py --rerun          # run every sweep again
    python tools/run_sweeps.py --only lr depth  # run (again) the sweeps named

Each question of the slides' "choosing an architecture" (how many layers, how many
nodes, learning rate, dropout, activation, convolution layers, filter size, stride,
pooling) is answered by a few small networks trained the same way on the same events,
plus a residual-connection experiment, transfer learning and a workflow.

The events are the course split (:func:`lessons_lib.splits.course_split`) at 32 × 32
pads, to afford many runs: the first :data:`N_TRAIN` training events and all 2,000
validation events. Every setting is trained once per seed of :data:`SEEDS` (the seed
sets the initial weights and the batch order; the events stay the same), each run for
at most :data:`MAX_EPOCHS` epochs, stopping when the validation loss has not improved
for :data:`PATIENCE` epochs and keeping the weights of its best epoch. Per setting the
cache holds each seed's training and validation accuracy and curves, and their mean and
sd; no setting is scored on the test events. Transfer learning and the workflow use
other detector settings, with splits (:class:`~lessons_lib.splits.EventSplit`) and seeds
of their own; only the workflow's final model is evaluated on its test events, once.
Everything is seeded: the same numbers on every machine. The whole cache takes about 14
minutes on two cores; the notebook only reads it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from lessons_lib import architectures as A
from lessons_lib._data import REBUILD
from lessons_lib._files import read_json, write_files
from lessons_lib.losses import softmax_cross_entropy_backward
from lessons_lib.metrics import confusion_matrix, f1_score
from lessons_lib.nn.layers import Dense, Sequential
from lessons_lib.nn.models import detector_cnn, load_detector_cnn
from lessons_lib.nn.optim import SGD, Adam
from lessons_lib.nn.training import TrainingDiverged, evaluate, fit, predict, predict_proba
from lessons_lib.splits import COURSE_SPLIT, EventSplit, course_split
from lessons_lib.uncertainty import bootstrap_interval, mean_sd

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "sweeps.json"
SIZE = 32
N_TRAIN = 2000  # the first events of the course split's training part
N_VAL = 2000  # all of its validation part
SEEDS = (0, 1, 2, 3, 4)
MAX_EPOCHS, PATIENCE = 40, 4
BATCH, LR = 32, 0.003
DIGITS = 4  # curves are stored to 4 decimals: enough for any plot

# Transfer learning: a much noisier detector, few labelled events (64 × 64, the size
# lesson 04's network was trained on).
TRANSFER_PARTS = {"train": (200, 21), "validation": (1000, 22), "test": (1000, 23)}
TRANSFER_NOISE = 8.0
# The workflow: a binary question in a noisier detector where protons are rare. Its
# training part holds twice the events the first model uses (the "more data" step).
WORKFLOW_PARTS = {"train": (4000, 31), "validation": (2000, 32), "test": (2000, 33)}
WORKFLOW_FIRST = 2000
WORKFLOW_SETTINGS = {"image_size": SIZE, "view": "binary", "noise": 1.5,
                     "class_mix": (0.2, 0.4, 0.4)}


def stopping_rule() -> str:
    return (f"at most {MAX_EPOCHS} epochs; stop when the validation loss has not "
            f"improved for {PATIENCE} epochs; keep the weights of the best epoch")


def course_data():
    """The sweeps' events: part of the course split's training events, its validation."""
    split = course_split(image_size=SIZE)
    (x, y), (xv, yv) = split.train, split.validation
    return (x[:N_TRAIN], y[:N_TRAIN]), (xv[:N_VAL], yv[:N_VAL])


def base_cnn(c1=6, c2=12, k=3, stride=1, pool="max", head=(), classes=3):
    """The sweeps' reference network; each experiment changes one thing of it."""
    def down(channels):
        if pool == "max":
            return [A.maxpool(2)]
        if pool == "strided conv":
            return [A.conv(channels, 3, stride=2, padding=1), A.relu()]
        return []

    return ([A.conv(c1, k, stride=stride, padding=k // 2), A.relu(), *down(c1),
             A.conv(c2, 3, padding=1), A.relu(), *down(c2), A.flatten(), *head,
             A.dense(classes)])


def _curves(history: dict) -> dict:
    return {k: [None if v is None or not np.isfinite(v) else round(float(v), DIGITS)
                for v in values] for k, values in history.items()}


def _spread(values):
    """Mean and sd of the seeds that have a value (a diverged seed has none)."""
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return None
    mean, sd = mean_sd(values)
    return {"mean": mean, "sd": sd, "seeds": len(values)}


def train_seeds(label, make, data, *, optimizer="adam", lr=LR, max_epochs=None,
                patience=None, extra=None):
    """Train the network ``make(seed)`` once per seed; return the setting's record.

    ``make(seed)`` returns a fresh network (weights from that seed); ``extra(net, seed)``
    may add per-seed numbers. Returns (record, networks by seed).
    """
    (x, y), val = data
    max_epochs = MAX_EPOCHS if max_epochs is None else max_epochs
    patience = PATIENCE if patience is None else patience
    record = {"label": str(label), "seeds": list(SEEDS), "train_accuracy": [],
              "val_accuracy": [], "epochs": [], "best_epoch": [], "diverged": [],
              "history": []}
    nets = {}
    start = time.perf_counter()
    for seed in SEEDS:
        net = make(seed)
        opt = Adam(net, lr=lr) if optimizer == "adam" else SGD(net, lr=lr, momentum=0.9)
        seen = []
        try:
            history = fit(net, x, y, epochs=max_epochs, batch_size=BATCH, optimizer=opt,
                          validation_data=val, early_stopping=patience, seed=seed,
                          progress=False, callback=seen.append)
        except TrainingDiverged as error:
            curves = seen[-1].as_dict() if seen else dict.fromkeys(
                ("loss", "accuracy", "val_loss", "val_accuracy"), [])
            record["history"].append(_curves({k: [*v, float("nan")]
                                              for k, v in curves.items()}))
            record["diverged"].append(str(error))
            for key in ("train_accuracy", "val_accuracy", "epochs", "best_epoch"):
                record[key].append(None)
            continue
        record["history"].append(_curves(history.as_dict()))
        record["diverged"].append(None)
        record["epochs"].append(history.epochs)
        record["best_epoch"].append(history.best_epoch)
        record["train_accuracy"].append(evaluate(net, x, y)["accuracy"])
        record["val_accuracy"].append(evaluate(net, *val)["accuracy"])
        if extra is not None:
            for key, value in extra(net, seed).items():
                record.setdefault(key, []).append(value)
        nets[seed] = net
    record["train"] = _spread(record["train_accuracy"])
    record["validation"] = _spread(record["val_accuracy"])
    shown = record["validation"]
    print(f"  {label:>28}: validation "
          + (f"{shown['mean']:.3f} ± {shown['sd']:.3f}" if shown else "diverged")
          + f", epochs {record['epochs']} ({time.perf_counter() - start:.0f} s)", flush=True)
    return record, nets


_MEMO: dict = {}


def run(label, spec, data, *, optimizer="adam", lr=LR, key="course"):
    """One setting of a sweep: a spec trained with every seed (run once per identical
    setting: the reference network appears in several sweeps)."""
    shape = data[0][0].shape[1:]
    memo = (json.dumps(spec, sort_keys=True), optimizer, lr, key, len(data[0][1]))
    if memo not in _MEMO:
        _MEMO[memo], _ = train_seeds(label, lambda seed: A.build(spec, shape, seed=seed),
                                     data, optimizer=optimizer, lr=lr)
    return {**_MEMO[memo], "label": str(label), "spec": spec,
            "params": A.count_params(spec, shape), "macs": A.count_macs(spec, shape)}


def sweep(question, xlabel, runs, data, **kwargs):
    print(question, flush=True)
    return {"question": question, "xlabel": xlabel,
            "runs": [run(label, spec, data, **kwargs) for label, spec in runs]}


# -- the slides' questions --------------------------------------------------------------

def dense_net(hidden, width=32, activation="relu", classes=3):
    layers = [x for _ in range(hidden) for x in (A.dense(width), getattr(A, activation)())]
    return [A.flatten(), *layers, A.dense(classes)]


def layers_sweep(data):
    return sweep("How many layers? Dense networks with 0 to 4 hidden layers of 32 units",
                 "hidden layers", [(str(n), dense_net(n)) for n in (0, 1, 2, 4)], data)


def width_sweep(data):
    runs = [(f"{c}-{2 * c}", base_cnn(c, 2 * c)) for c in (1, 3, 6, 12)]
    return sweep("How many nodes per layer? The same CNN with more filters per layer",
                 "filters in the two convolution layers", runs, data)


def lr_sweep(data):
    print("Learning rate", flush=True)
    return {"question": "Learning rate: too small, about right, too large (SGD, momentum 0.9)",
            "xlabel": "learning rate",
            "runs": [run(f"{lr:g}", base_cnn(), data, optimizer="sgd", lr=lr)
                     for lr in (1e-4, 1e-2, 1.0)]}


def dropout_sweep(data):
    # A small training set and a big dense layer: the setting where dropout matters.
    (x, y), val = data
    small = ((x[:300], y[:300]), val)
    runs = [(f"{p:g}", base_cnn(head=[A.dense(64), A.relu(), *([A.dropout(p)] if p else [])]))
            for p in (0.0, 0.3, 0.6)]
    return sweep("Dropout? A dense layer of 64 units on 300 training events, with dropout p",
                 "dropout probability p", runs, small)


def activation_sweep(data):
    depth = 8
    runs = [(name, dense_net(depth, activation=name)) for name in ("sigmoid", "tanh", "relu")]
    # How much gradient reaches each layer of the untrained network, on one batch.
    (x, y), _ = data
    norms = {}
    for name, spec in runs:
        norms[name] = []
        for seed in SEEDS:
            net = A.build(spec, x.shape[1:], seed=seed)
            logits = net.forward(x[:BATCH])
            net.zero_grad()
            net.backward(softmax_cross_entropy_backward(logits, y[:BATCH]))
            norms[name].append([float(np.linalg.norm(layer.grads["W"])) for layer in net
                                if isinstance(layer, Dense)])
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
                 optimizer="sgd", lr=0.01)


# -- transfer learning ---------------------------------------------------------------------

def transfer():
    """Lesson 04's trained network (data/detector_cnn.npz) reused in a new detector setting."""
    print("Transfer learning", flush=True)
    pretrained, metadata = load_detector_cnn()
    size = 64  # the events lesson 04's network was trained on
    split = EventSplit(TRANSFER_PARTS, name="a noisier detector", image_size=size,
                       noise=TRANSFER_NOISE)
    (x, y), (xv, yv) = split.train, split.validation
    data = ((x, y), (xv, yv))
    classes = len(split.class_names)
    body = Sequential(pretrained.layers[:-1]).eval()
    features = body(x), body(xv)
    width = pretrained.layers[-1].in_features
    runs = []

    # 1. Frozen features: everything up to the old head computes features, once; only a
    #    new head (one output per class) is trained on them.
    record, _ = train_seeds("frozen features + new head",
                            lambda seed: Dense(width, classes, rng=seed),
                            ((features[0], y), (features[1], yv)))
    runs.append({**record, "trained_params": width * classes + classes})

    # 2. Fine-tuning: the pretrained weights and a new head, everything trained, gently.
    def tuned(seed):
        return Sequential([*load_detector_cnn()[0].layers[:-1], Dense(width, classes, rng=seed)])

    record, _ = train_seeds("fine-tuned", tuned, data, lr=LR / 3)
    runs.append({**record, "trained_params": pretrained.num_params})
    # 3. From scratch: the same architecture, random weights, the same small data.
    record, _ = train_seeds("from scratch", lambda seed: detector_cnn(
        num_classes=classes, image_size=size, rng=seed), data)
    runs.append({**record, "trained_params": pretrained.num_params})
    # 0. As it is, trained on the quieter detector, no training at all: one network, no
    #    seeds, so its spread is the events' (a Wilson interval in the lesson).
    as_is = int(np.sum(predict(pretrained, xv) == yv))
    course = metadata["validation"]
    return {"pretrained": {"source": "data/detector_cnn.npz (lesson 04)",
                           "params": pretrained.num_params,
                           "validation": {"events": course["events"],
                                          "correct": course["correct"],
                                          "split": "course split"}},
            "as_it_is": {"label": "as it is (no training)", "trained_params": 0,
                         "validation": {"events": len(yv), "correct": as_is}},
            "task": {"split": {part: {"events": n, "data_seed": s}
                               for part, (n, s) in TRANSFER_PARTS.items()},
                     "noise": TRANSFER_NOISE, "image_size": size,
                     "class_names": list(split.class_names)},
            "runs": runs}


# -- the example workflow ---------------------------------------------------------------------

def workflow():
    """A fresh question, end to end: is this event a proton? (binary, F1 of the protons)."""
    print("Workflow", flush=True)
    split = EventSplit(WORKFLOW_PARTS, name="workflow: a noisier detector, binary",
                       **WORKFLOW_SETTINGS)
    (x_all, y_all), (xv, yv) = split.train, split.validation
    x, y = x_all[:WORKFLOW_FIRST], y_all[:WORKFLOW_FIRST]
    shape = x.shape[1:]
    steps, candidates = [], {}

    def f1_of(net, _seed):
        return {"val_f1": f1_score(yv, predict(net, xv), pos_label=1)}

    def step(label, spec, data):
        record, nets = train_seeds(label, lambda seed: A.build(spec, shape, seed=seed), data,
                                   extra=f1_of)
        record["val_f1_spread"] = _spread(record["val_f1"])
        # The events' share of the uncertainty: a bootstrap over the validation events
        # of the first seed's predictions.
        first = predict(nets[SEEDS[0]], xv)
        record["val_f1_interval"] = list(bootstrap_interval(
            yv, first, lambda t, p: f1_score(t, p, pos_label=1)))
        record.update(spec=spec, params=A.count_params(spec, shape),
                      train_events=len(data[0][1]),
                      train_protons=int(np.sum(data[0][1] == 1)))
        steps.append(record)
        candidates[label] = nets[SEEDS[0]], first
        return nets[SEEDS[0]], first

    # Baseline without learning: always the majority class ("not proton").
    majority = int(np.bincount(y).argmax())
    always = np.full(len(yv), majority)
    baseline = {"label": "majority baseline", "predicts": split.class_names[majority],
                "val_accuracy": float(np.mean(always == yv)),
                "val_f1": f1_score(yv, always, pos_label=1)}
    step("dense baseline", [A.flatten(), A.dense(2)], ((x, y), (xv, yv)))
    cnn = base_cnn(classes=2)
    _, first = step("first CNN", cnn, ((x, y), (xv, yv)))
    # Error analysis on validation events: the first CNN's confusion and first errors.
    wrong = np.flatnonzero(first != yv)[:8]
    errors = {"model": "first CNN", "seed": SEEDS[0], "part": "validation",
              "confusion": confusion_matrix(yv, first, labels=[0, 1]).tolist(),
              "indices": wrong.tolist(), "true": yv[wrong].tolist(),
              "predicted": first[wrong].tolist()}
    # Change one thing: twice the training events (simulating more is cheap here).
    step("first CNN, twice the events", cnn, ((x_all, y_all), (xv, yv)))
    # The choice, on validation only: the step with the highest mean validation F1.
    chosen = max(steps, key=lambda s: s["val_f1_spread"]["mean"])
    net, _ = candidates[chosen["label"]]
    # The one look at the test events, for the chosen step's first-seed network.
    test = split.evaluate_test(lambda images: predict_proba(net, images))
    predicted = test.outputs.argmax(axis=1)
    final = {"label": chosen["label"], "seed": SEEDS[0],
             "rule": "the step with the highest mean validation F1 over the seeds",
             "test": {"events": len(test.labels), "protons": int(np.sum(test.labels == 1)),
                      "correct": int(np.sum(predicted == test.labels)),
                      "f1": f1_score(test.labels, predicted, pos_label=1),
                      "f1_interval": list(bootstrap_interval(
                          test.labels, predicted, lambda t, p: f1_score(t, p, pos_label=1))),
                      "confusion": confusion_matrix(test.labels, predicted,
                                                    labels=[0, 1]).tolist()}}
    print(f"  final model ({final['label']}, seed {final['seed']}): test F1 "
          f"{final['test']['f1']:.3f}", flush=True)
    return {"class_names": list(split.class_names), "positive": "proton",
            "validation": {"events": len(yv), "protons": int(np.sum(yv == 1))},
            "baseline": baseline, "steps": steps, "errors": errors, "final": final,
            "data": {"split": {part: {"events": n, "data_seed": s}
                               for part, (n, s) in WORKFLOW_PARTS.items()},
                     "first_events": WORKFLOW_FIRST, **WORKFLOW_SETTINGS,
                     "class_mix": list(WORKFLOW_SETTINGS["class_mix"])}}


SWEEPS = {
    "layers": layers_sweep, "width": width_sweep, "lr": lr_sweep, "dropout": dropout_sweep,
    "activation": activation_sweep, "conv_layers": conv_layers_sweep, "filter": filter_sweep,
    "stride": stride_sweep, "pooling": pooling_sweep, "residual": residual_sweep,
}
OTHERS = {"transfer": transfer, "workflow": workflow}


def meta() -> dict:
    return {"split": course_split(image_size=SIZE).name, "image_size": SIZE,
            "train": {"events": N_TRAIN, "of": COURSE_SPLIT["train"][0],
                      "data_seed": COURSE_SPLIT["train"][1]},
            "validation": {"events": N_VAL, "data_seed": COURSE_SPLIT["validation"][1]},
            "seeds": list(SEEDS), "max_epochs": MAX_EPOCHS, "patience": PATIENCE,
            "stopping": stopping_rule(), "batch_size": BATCH, "lr": LR, "optimizer": "Adam"}


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
    cache["meta"] = meta()
    wanted = set(args.only or [*SWEEPS, *OTHERS])
    _MEMO.clear()
    data = None
    for name, function in SWEEPS.items():
        if name in wanted and (args.rerun or args.only or name not in cache["sweeps"]):
            data = course_data() if data is None else data
            cache["sweeps"][name] = function(data)
            write(cache, args.output)
    for name, function in OTHERS.items():
        if name in wanted and (args.rerun or args.only or name not in cache):
            cache[name] = function()
            write(cache, args.output)
    print(f"results in {args.output}")
    return 0


# A list of numbers (a curve, per-seed values) on one line: the file stays readable and
# small while its objects keep one key per line.
_NUMBERS = re.compile(r"\[\s*((?:-?[\d.eE+-]+|null)(?:,\s*(?:-?[\d.eE+-]+|null))*)\s*\]")


def write(cache, path):
    # NaN marks where a diverged run left off; JSON has no NaN, so it is stored as null.
    # Written beside and moved into place: a run stopped part-way keeps the old cache.
    text = json.dumps(_finite(cache), indent=1, ensure_ascii=False)
    text = _NUMBERS.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text)
    write_files({path: text + "\n"})


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
