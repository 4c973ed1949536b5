"""The wheel carries the stored data: a plain install outside the repository predicts.

The data/ folder stays at the top of the repository; pyproject.toml maps it into the
package as lessons_lib.data. This test builds the wheel from a copy of the sources (no
network: without build isolation), installs it without dependencies into a fresh
folder, and loads the stored networks there in a Python that cannot see the
repository: sys.path is that folder, then this environment's site-packages for numpy
and the others, and no .pth file runs (so not the editable install's either).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent

PREDICT = """
import json, sys
sys.path[:0] = [sys.argv[1]]
sys.path += sys.argv[2:]
import numpy as np
import lessons_lib
from lessons_lib.architectures import SWEEPS_PATH, load_sweeps
from lessons_lib.datasets import detector_events
from lessons_lib.nn import load_detector_cnn, predict_proba
from lessons_lib.nn.models import DETECTOR_WEIGHTS
from lessons_lib.nn.transformer import load_tiny_vit

x, _, _ = detector_events(16, seed=1)
cnn, metadata = load_detector_cnn()
vit, _ = load_tiny_vit()
print(json.dumps({
    "package": lessons_lib.__file__,
    "data": [str(DETECTOR_WEIGHTS), str(SWEEPS_PATH)],
    "test_accuracy": metadata["test_accuracy"],
    "cnn": predict_proba(cnn, x).tolist(),
    "vit": predict_proba(vit, x).tolist(),
    "sweeps": sorted(load_sweeps()),
}))
"""


def _packages_on_disk():
    """Every folder of lessons_lib/ that is a package, and data/ as lessons_lib.data."""
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "lessons_lib").rglob("__init__.py")}
    return found | {"lessons_lib.data"}


def test_pyproject_lists_every_package():
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert sorted(listed) == sorted(_packages_on_disk())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("lessons_lib", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--wheel-dir", str(wheelhouse), str(source)],
                   check=True, capture_output=True, text=True)
    (built,) = wheelhouse.glob("*.whl")
    return built


def test_the_wheel_holds_every_package_and_the_stored_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in _packages_on_disk():
        assert package.replace(".", "/") + "/__init__.py" in names, package
    stored = {p.name for p in (ROOT / "data").iterdir() if p.suffix in (".npz", ".json")}
    assert stored and {f"lessons_lib/data/{name}" for name in stored} <= names


def test_an_installed_wheel_predicts_with_its_stored_weights(wheel, tmp_path):
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-index", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    paths = sysconfig.get_paths()
    site_packages = sorted({paths["purelib"], paths["platlib"]})
    # -I: no PYTHONPATH, no user site, no current folder; -S: no site-packages and no
    # .pth files until the script adds the folders itself.
    result = subprocess.run([sys.executable, "-I", "-S", "-c", PREDICT, str(target),
                             *site_packages], cwd=tmp_path, check=True, capture_output=True,
                            text=True)
    installed = json.loads(result.stdout)
    assert Path(installed["package"]).is_relative_to(target)
    assert all(Path(p).is_relative_to(target / "lessons_lib" / "data") for p in installed["data"])

    # The same predictions as the repository's package gives here.
    from lessons_lib.architectures import load_sweeps
    from lessons_lib.datasets import detector_events
    from lessons_lib.nn import load_detector_cnn, predict_proba
    from lessons_lib.nn.transformer import load_tiny_vit

    x, _, _ = detector_events(16, seed=1)
    cnn, metadata = load_detector_cnn()
    assert installed["test_accuracy"] == metadata["test_accuracy"]
    np.testing.assert_array_equal(installed["cnn"], predict_proba(cnn, x).tolist())
    np.testing.assert_array_equal(installed["vit"], predict_proba(load_tiny_vit()[0], x).tolist())
    assert installed["sweeps"] == sorted(load_sweeps())
