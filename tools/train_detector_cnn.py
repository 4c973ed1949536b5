"""Train lesson 04's detector CNN and store its weights in data/, so later lessons load them.

    python tools/train_detector_cnn.py                  # writes data/detector_cnn.npz and .json
    python tools/train_detector_cnn.py --max-epochs 3   # a quicker, weaker run

The course split (:func:`lessons_lib.splits.course_split`) gives the events: the network
is fitted to the 10,000 training events, the epoch to keep is chosen on the 2,000
validation events (training stops once the validation loss has not improved for
``--patience`` epochs, and the best epoch's weights are kept), and the 2,000 test
events are evaluated once, at the end, for the record. Everything is seeded (events,
initial weights, batch order), so the same command on the same machine gives the same
weights. The .json next to the weights records the settings, the validation and test
scores; tests/test_detector.py checks that the stored weights reproduce them.
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
from lessons_lib.nn.io import encode
from lessons_lib.nn.models import DETECTOR_WEIGHTS, detector_cnn
from lessons_lib.splits import course_split

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--patience", type=int, default=3,
                        help="stop after this many epochs without a lower validation loss")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.003, help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    # Into the repository's data/, which the package ships as lessons_lib.data.
    parser.add_argument("--out", type=Path, default=ROOT / "data" / DETECTOR_WEIGHTS.name)
    args = parser.parse_args(argv)

    split = course_split()
    (x, y), validation = split.train, split.validation
    model = detector_cnn(rng=args.seed)
    start = time.perf_counter()
    history = nn.fit(model, x, y, epochs=args.max_epochs, batch_size=args.batch_size,
                     optimizer=nn.Adam(model, lr=args.lr), validation_data=validation,
                     early_stopping=args.patience, seed=args.seed)
    seconds = time.perf_counter() - start
    model.eval()
    val_predicted = nn.predict(model, validation[0])
    # The one look at the test events: the chosen weights, once, for the record.
    test = split.evaluate_test(lambda images: nn.predict_proba(model, images))
    predicted = test.outputs.argmax(axis=1)
    confusion = np.zeros((3, 3), dtype=int)
    np.add.at(confusion, (test.labels, predicted), 1)
    test_correct = int(np.sum(predicted == test.labels))

    metrics = {
        "command": " ".join(["python tools/train_detector_cnn.py", *(argv or sys.argv[1:])]),
        "class_names": list(split.class_names),
        "split": {part: {"events": n, "data_seed": seed} for part, (n, seed) in
                  split.parts.items()},
        "train": {"events": len(y), "data_seed": split.parts["train"][1]},
        "validation": {"events": len(validation[1]),
                       "data_seed": split.parts["validation"][1],
                       "correct": int(np.sum(val_predicted == validation[1]))},
        "test": {"events": len(test.labels), "data_seed": split.parts["test"][1],
                 "correct": test_correct},
        "model": {"function": "lessons_lib.nn.models.detector_cnn", "rng": args.seed,
                  "params": model.num_params},
        "optimizer": {"name": "Adam", "lr": args.lr},
        "epochs": history.epochs,
        "best_epoch": history.best_epoch,
        "stopping": f"at most {args.max_epochs} epochs; stop after {args.patience} without "
                    "a lower validation loss, keep the best epoch's weights",
        "batch_size": args.batch_size,
        "validation_accuracy": float(np.mean(val_predicted == validation[1])),
        "test_accuracy": test_correct / len(test.labels),
        "confusion_matrix": confusion.tolist(),
        "history": history.as_dict(),
    }
    path = args.out if args.out.suffix == ".npz" else args.out.with_name(args.out.name + ".npz")
    metrics_path = path.with_suffix(".json")
    # Together: a failed write keeps the old weights and the old metrics, still a pair.
    write_files({path: encode(model, metadata=metrics),
                 metrics_path: json.dumps(metrics, indent=1) + "\n"})
    print(f"trained {history.epochs} epochs in {seconds:.0f} s, kept epoch {history.best_epoch}; "
          f"validation accuracy {metrics['validation_accuracy']:.4f}, test accuracy "
          f"{metrics['test_accuracy']:.4f} on {len(test.labels)} events")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} and "
          f"{metrics_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
