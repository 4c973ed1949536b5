"""Train lesson 06's tiny vision transformer on the detector events and store the weights.

    python tools/train_vit.py                 # the ViT, then the tenth-of-the-data comparison
    python tools/train_vit.py --skip-comparison

Writes ``data/vit_detector.npz``: the ViT's weights and, as metadata, its configuration,
the data it was trained and tested on, its test accuracy, its training time and
history, and the comparison with lesson 04's CNN (both trained on all the training
events and on a tenth of them, for the same number of gradient steps). Everything is
seeded: the same command gives the same weights on the same machine. The times depend
on the machine; the notebook shows them as measured here.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lessons_lib.nn import Adam, evaluate, fit, save  # noqa: E402
from lessons_lib.nn.models import detector_cnn  # noqa: E402
from lessons_lib.nn.transformer import (  # noqa: E402
    VIT_CONFIG,
    VIT_DATA,
    VIT_IMAGE_SHAPE,
    VIT_TRAINING,
    VIT_WEIGHTS,
    detector_split,
    tiny_vit,
)


def train(model, x, y, *, epochs, lr, seed=0):
    """Fit ``model`` with Adam and a cosine learning-rate decay; return (history, seconds).

    The step size shrinks from ``lr`` towards 0 over the epochs: large steps early to
    learn fast, small ones at the end to settle instead of rattling around the minimum.
    """
    optimizer = Adam(model, lr=lr)

    def decay(history):
        optimizer.lr = 0.5 * lr * (1 + math.cos(math.pi * history.epochs / epochs))

    start = time.perf_counter()
    history = fit(model, x, y, epochs=epochs, batch_size=VIT_TRAINING["batch_size"],
                  optimizer=optimizer, validation_split=VIT_TRAINING["validation_split"],
                  seed=seed,
                  progress=sys.stderr.isatty(), callback=decay)
    return history, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-comparison", action="store_true",
                        help="train only the ViT on all the training events")
    # Into the repository's data/, which the package ships as lessons_lib.data.
    parser.add_argument("--out", type=Path, default=ROOT / "data" / VIT_WEIGHTS.name)
    args = parser.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = detector_split()
    epochs, lr = VIT_TRAINING["epochs"], VIT_TRAINING["lr"]
    vit = tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG, rng=0)
    history, seconds = train(vit, x_train, y_train, epochs=epochs, lr=lr)
    accuracy = evaluate(vit, x_test, y_test)["accuracy"]
    print(f"ViT: test accuracy {accuracy:.4f}, {vit.num_params} parameters, "
          f"{seconds:.0f} s for {epochs} epochs of {len(x_train)} events (a tenth held out "
          f"for validation)", flush=True)
    metadata = {"config": VIT_CONFIG, "training": VIT_TRAINING, "test_accuracy": accuracy,
                "num_params": vit.num_params, "train_seconds": round(seconds, 1),
                "train_events": len(x_train), "data": VIT_DATA, "history": history.as_dict(),
                "command": "python tools/train_vit.py " + " ".join(argv or sys.argv[1:])}

    if not args.skip_comparison:
        tenth = np.random.default_rng(1).permutation(len(x_train))[: len(x_train) // 10]
        cnn_lr = VIT_TRAINING["cnn_lr"]
        comparison = {"ViT": {"full": accuracy, "params": vit.num_params,
                              "seconds": round(seconds, 1)}}
        cnn = detector_cnn(3, rng=0)
        _, cnn_seconds = train(cnn, x_train, y_train, epochs=epochs, lr=cnn_lr)
        comparison["CNN"] = {"full": evaluate(cnn, x_test, y_test)["accuracy"],
                             "params": cnn.num_params, "seconds": round(cnn_seconds, 1)}
        # A tenth of the events, ten times the epochs: the same number of gradient steps.
        for name, model, rate in (("ViT", tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG,
                                                   rng=0), lr),
                                  ("CNN", detector_cnn(3, rng=0), cnn_lr)):
            train(model, x_train[tenth], y_train[tenth], epochs=10 * epochs, lr=rate)
            comparison[name]["tenth"] = evaluate(model, x_test, y_test)["accuracy"]
            print(f"{name}: {comparison[name]}", flush=True)
        metadata["comparison"] = comparison
    save(vit, args.out, metadata=metadata)
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
