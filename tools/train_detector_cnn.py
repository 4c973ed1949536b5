"""Train lesson 04's detector CNN and store its weights in data/, so later lessons load them.

    python tools/train_detector_cnn.py              # writes data/detector_cnn.npz and .json
    python tools/train_detector_cnn.py --epochs 3   # a quicker, weaker run

Everything is seeded (the simulated events, the initial weights, the batch order), so
the same command on the same machine gives the same weights. The .json next to the
weights records the settings and the test accuracy; tests/test_detector.py checks that
the stored weights reproduce it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from lessons_lib import nn
from lessons_lib._files import write_files
from lessons_lib.datasets import detector_events
from lessons_lib.nn.io import encode
from lessons_lib.nn.models import DETECTOR_WEIGHTS, detector_cnn

ROOT = Path(__file__).resolve().parents[1]

# The held-out test events: the same set lesson 04 reports its accuracy on.
TEST_EVENTS, TEST_SEED = 2000, 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000, help="training events (seed 0)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.003, help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    # Into the repository's data/, which the package ships as lessons_lib.data.
    parser.add_argument("--out", type=Path, default=ROOT / "data" / DETECTOR_WEIGHTS.name)
    args = parser.parse_args(argv)

    x, y, class_names = detector_events(args.events, seed=0)
    x_test, y_test, _ = detector_events(TEST_EVENTS, seed=TEST_SEED)
    model = detector_cnn(rng=args.seed)
    start = time.perf_counter()
    history = nn.fit(model, x, y, epochs=args.epochs, batch_size=args.batch_size,
                     optimizer=nn.Adam(model, lr=args.lr), validation_split=0.1, seed=args.seed)
    seconds = time.perf_counter() - start
    scores = nn.evaluate(model, x_test, y_test)
    predicted = nn.predict(model, x_test)
    confusion = np.zeros((3, 3), dtype=int)
    np.add.at(confusion, (y_test, predicted), 1)

    metrics = {
        "command": " ".join(["python tools/train_detector_cnn.py", *(argv or sys.argv[1:])]),
        "class_names": list(class_names),
        "train": {"events": args.events, "data_seed": 0, "validation_split": 0.1},
        "test": {"events": TEST_EVENTS, "data_seed": TEST_SEED},
        "model": {"function": "lessons_lib.nn.models.detector_cnn", "rng": args.seed,
                  "params": model.num_params},
        "optimizer": {"name": "Adam", "lr": args.lr},
        "epochs": history.epochs,
        "batch_size": args.batch_size,
        "test_accuracy": scores["accuracy"],
        "test_loss": scores["loss"],
        "confusion_matrix": confusion.tolist(),
        "history": history.as_dict(),
    }
    path = args.out if args.out.suffix == ".npz" else args.out.with_name(args.out.name + ".npz")
    metrics_path = path.with_suffix(".json")
    # Together: a failed write keeps the old weights and the old metrics, still a pair.
    write_files({path: encode(model, metadata=metrics),
                 metrics_path: json.dumps(metrics, indent=1) + "\n"})
    print(f"trained {history.epochs} epochs in {seconds:.0f} s; test accuracy "
          f"{scores['accuracy']:.4f} on {TEST_EVENTS} events")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} and "
          f"{metrics_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
