"""The course's JupyterLab extension (a11y/): its committed build is the build of its
sources, and `make env` and `make lite` put that build in place.

The browser checks (alt text, names, arrow keys, axe-core) are in
tests/e2e/test_lab_widgets.py; these run without a browser or Node.js.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
A11Y = ROOT / "a11y"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


a11y_build = _load("a11y_build", A11Y / "build.py")
build_lite = _load("build_lite", ROOT / "tools" / "build_lite.py")


def test_the_committed_build_is_built_from_the_current_sources():
    assert a11y_build.recorded_digest() == a11y_build.source_digest(), (
        "a11y/src/ or a11y/package*.json changed since a11y/labextension/ was built: run "
        "`make a11y` and commit a11y/labextension/ and a11y/source.sha256 with the change")


def test_the_digest_changes_with_any_source(tmp_path, monkeypatch):
    for name in ("package.json", "package-lock.json", "src/index.js"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    monkeypatch.setattr(a11y_build, "HERE", tmp_path)
    before = a11y_build.source_digest()
    (tmp_path / "src" / "index.js").write_text("{} ")
    assert a11y_build.source_digest() != before


def test_the_build_describes_the_source_package_and_loads():
    source = json.loads((A11Y / "package.json").read_text())
    built = json.loads((A11Y / "labextension" / "package.json").read_text())
    for key in ("name", "version", "dependencies"):
        assert built[key] == source[key], key
    entry = A11Y / "labextension" / built["jupyterlab"]["_build"]["load"]
    assert entry.is_file(), f"{entry} is missing: run `make a11y`"
    # Every chunk the entry names is committed (webpack names them by content hash).
    static = {p.name for p in (A11Y / "labextension" / "static").iterdir()}
    for chunk in re.findall(r'"([0-9a-f]{20})"', entry.read_text()):
        assert any(chunk in name for name in static), chunk


def test_the_build_asks_for_any_jupyterlab_4():
    """The browser edition's JupyterLab (JupyterLite 0.6: 4.4) is older than the lab's
    (4.6): the build must take JupyterLab's own packages at any 4.x, never a copy."""
    built = json.loads((A11Y / "labextension" / "package.json").read_text())
    entry = (A11Y / "labextension" / built["jupyterlab"]["_build"]["load"]).read_text()
    # webpack writes a shared module it consumes as ("default", name, eager, version range).
    consumed = dict(re.findall(r'"default","(@[a-z]+/[a-z-]+)",!1,(\[[0-9,]+\])', entry))
    assert consumed == {"@jupyterlab/notebook": "[1,4,0,0]", "@jupyterlab/rendermime": "[1,4,0,0]"}
    source = json.loads((A11Y / "package.json").read_text())
    for package, spec in source["jupyterlab"]["sharedPackages"].items():
        assert spec == {"bundled": False, "singleton": True, "requiredVersion": "^4.0.0"}, package


def test_the_browser_edition_takes_the_committed_build():
    assert build_lite.A11Y_EXTENSION == A11Y / "labextension"
    assert (build_lite.A11Y_EXTENSION / "package.json").is_file()


@pytest.mark.parametrize("target", ["env", "lab"])
def test_make_env_installs_the_extension_into_the_venv(target):
    """`make -n` lists the copy into .venv's labextensions (the venv itself may be fresh)."""
    result = subprocess.run(["make", "-n", "-W", "a11y/labextension/package.json", target],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert re.search(r"cp -R a11y/labextension/\. \S*share/jupyter/labextensions/"
                     r"cnn-course-a11y/", result.stdout), result.stdout
