"""Store the photographs the lessons filter as package data: ``data/photographs.npz``.

    python tools/make_photographs.py

Takes scikit-image's bundled photographs (camera, astronaut, coins, moon, chelsea,
coffee; scikit-image's data folder names their sources and licences: public domain or
CC0) and stores each as one 8-bit grey array: colour ones converted with the ITU-R 601
luma weights and rounded. Lessons read them with
:func:`lessons_lib.datasets.photograph`, so neither the native nor the browser edition
needs scikit-image at run time (it is in the ``test`` extra, where a test checks the
stored arrays against it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lessons_lib._files import replacing  # noqa: E402
from lessons_lib.datasets import PHOTOGRAPHS, PHOTOGRAPHS_FILE  # noqa: E402

LUMA = np.array([0.299, 0.587, 0.114])


def grey_photographs() -> dict[str, np.ndarray]:
    """Every photograph of :data:`PHOTOGRAPHS` as an 8-bit grey array."""
    from skimage import data

    photos = {}
    for name in PHOTOGRAPHS:
        image = np.asarray(getattr(data, name)())
        if image.ndim == 3:
            image = np.round(image[..., :3] @ LUMA)
        photos[name] = image.astype(np.uint8)
    return photos


def main() -> None:
    target = ROOT / "data" / PHOTOGRAPHS_FILE
    with replacing(target, "wb") as file:
        np.savez_compressed(file, **grey_photographs())
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
