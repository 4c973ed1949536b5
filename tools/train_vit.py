"""Train lesson 06's tiny vision transformer on the detector events and store the weights.

    python tools/train_vit.py                 # the ViT, then the tenth-of-the-data comparison
    python tools/train_vit.py --skip-comparison

The course split (:func:`lessons_lib.splits.course_split`) gives the events: the ViT is
fitted to the 10,000 training events for a fixed number of epochs
(:data:`~lessons_lib.nn.transformer.VIT_TRAINING`), with the 2,000 validation events
measured after every epoch. The comparison with lesson 04's CNN (both trained on all
the training events and on a tenth of them, for the same number of gradient steps) is
made on the validation events; the test events are evaluated once, at the end, for
the stored ViT only.

Writes ``data/vit_detector.npz``: the ViT's weights and, as metadata, its configuration,
the split, its validation and test counts, its history and the comparison (numbers
of correct validation events, from which the lesson computes 95 % intervals).
Everything is seeded: the same command gives the same weights on the same machine.
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

from lessons_lib.nn import Adam, fit, predict, save  # noqa: E402
from lessons_lib.nn.models import detector_cnn  # noqa: E402
from lessons_lib.nn.transformer import (  # noqa: E402
    VIT_CONFIG,
    VIT_IMAGE_SHAPE,
    VIT_TRAINING,
    VIT_WEIGHTS,
    tiny_vit,
)
from lessons_lib.splits import COURSE_SPLIT, course_split  # noqa: E402


def train(model, x, y, *, epochs, lr, validation_data=None, seed=0):
    """Fit ``model`` with Adam and a cosine learning-rate decay; return its history.

    The step size shrinks from ``lr`` towards 0 over the epochs: large steps early to
    learn fast, small ones at the end to settle instead of rattling around the minimum.
    Without ``validation_data`` nothing is held out and nothing is measured per epoch.
    """
    optimizer = Adam(model, lr=lr)

    def decay(history):
        optimizer.lr = 0.5 * lr * (1 + math.cos(math.pi * history.epochs / epochs))

    return fit(model, x, y, epochs=epochs, batch_size=VIT_TRAINING["batch_size"],
               optimizer=optimizer, validation_data=validation_data, validation_split=0,
               seed=seed, progress=sys.stderr.isatty(), callback=decay)


def correct(model, images, labels) -> int:
    """How many of ``images`` the model (in evaluation mode) classifies right."""
    return int(np.sum(predict(model.eval(), images) == labels))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-comparison", action="store_true",
                        help="train only the ViT on all the training events")
    # Into the repository's data/, which the package ships as lessons_lib.data.
    parser.add_argument("--out", type=Path, default=ROOT / "data" / VIT_WEIGHTS.name)
    args = parser.parse_args(argv)

    split = course_split(VIT_IMAGE_SHAPE[-1])
    (x_train, y_train), (x_val, y_val) = split.train, split.validation
    epochs, lr = VIT_TRAINING["epochs"], VIT_TRAINING["lr"]
    start = time.perf_counter()
    vit = tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG, rng=0)
    history = train(vit, x_train, y_train, epochs=epochs, lr=lr,
                    validation_data=split.validation)
    val_correct = correct(vit, x_val, y_val)
    print(f"ViT: {val_correct} of {len(y_val)} validation events right, "
          f"{vit.num_params} parameters", flush=True)
    metadata = {
        "command": " ".join(["python tools/train_vit.py", *(argv or sys.argv[1:])]),
        "config": VIT_CONFIG, "training": VIT_TRAINING, "num_params": vit.num_params,
        "class_names": list(split.class_names),
        "split": {part: {"events": n, "data_seed": seed}
                  for part, (n, seed) in COURSE_SPLIT.items()},
        "train": {"events": len(y_train), "data_seed": COURSE_SPLIT["train"][1]},
        "validation": {"events": len(y_val), "data_seed": COURSE_SPLIT["validation"][1],
                       "correct": val_correct},
        "validation_accuracy": val_correct / len(y_val),
        "history": history.as_dict(),
    }

    if not args.skip_comparison:
        cnn_lr = VIT_TRAINING["cnn_lr"]
        cnn = detector_cnn(3, rng=0)
        train(cnn, x_train, y_train, epochs=epochs, lr=cnn_lr)
        tenth = np.random.default_rng(1).permutation(len(y_train))[: len(y_train) // 10]
        comparison = {
            "events": {"full": len(y_train), "tenth": len(tenth)},
            "data": "validation",
            "ViT": {"params": vit.num_params, "full": val_correct},
            "CNN": {"params": cnn.num_params, "full": correct(cnn, x_val, y_val)},
        }
        # A tenth of the events, ten times the epochs: the same number of gradient steps.
        for name, model, rate in (("ViT", tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG,
                                                   rng=0), lr),
                                  ("CNN", detector_cnn(3, rng=0), cnn_lr)):
            train(model, x_train[tenth], y_train[tenth], epochs=10 * epochs, lr=rate)
            comparison[name]["tenth"] = correct(model, x_val, y_val)
            print(f"{name}: {comparison[name]} of {len(y_val)} validation events right",
                  flush=True)
        metadata["comparison"] = comparison

    # The one look at the test events: the stored ViT, once, for the record.
    test = split.evaluate_test(lambda images: predict(vit.eval(), images))
    test_correct = int(np.sum(test.outputs == test.labels))
    metadata["test"] = {"events": len(test.labels), "data_seed": COURSE_SPLIT["test"][1],
                        "correct": test_correct}
    metadata["test_accuracy"] = test_correct / len(test.labels)
    save(vit, args.out, metadata=metadata)
    print(f"ViT: {test_correct} of {len(test.labels)} test events right; all done in "
          f"{time.perf_counter() - start:.0f} s")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
