"""Rebuild a11y/labextension/ (the committed, prebuilt extension) from a11y/src/.

    .venv/bin/python a11y/build.py     # what `make a11y` runs; needs Node.js and npm

The built extension is a few kilobytes of JavaScript and is committed, so that `make env`,
`make lab` and `make lite` need neither Node.js nor the network. This script installs the
builder (a11y/package-lock.json, into a11y/node_modules/), runs it against the installed
JupyterLab's core package list, and records the sha256 of the sources it built from in
a11y/source.sha256; tests/test_a11y_extension.py fails when the sources no longer match
that record (someone edited src/ and did not rebuild).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILT = HERE / "labextension"
RECORD = HERE / "source.sha256"


def sources() -> list[Path]:
    """The files the build reads: the package description, its lock file, the code."""
    return [HERE / "package.json", HERE / "package-lock.json", *sorted(HERE.glob("src/*.js"))]


def source_digest() -> str:
    """One sha256 over the sources' paths and contents."""
    digest = hashlib.sha256()
    for path in sources():
        digest.update(path.relative_to(HERE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def recorded_digest() -> str:
    return RECORD.read_text().split()[0]


def core_path() -> Path:
    """JupyterLab's staging folder: the shared packages and versions to build against."""
    import jupyterlab

    return Path(jupyterlab.__file__).parent / "staging"


def main() -> None:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if not (npm and node):
        sys.exit("make a11y: npm and node not found: install Node.js (it provides npm), "
                 "e.g. apt-get install npm")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=HERE,
                   check=True)
    # `jupyter labextension build` in JupyterLab 4.6 hands over to a separate
    # jupyter-builder package; the builder's own script needs nothing beyond npm's.
    if BUILT.exists():
        shutil.rmtree(BUILT)
    subprocess.run([node, str(HERE / "node_modules/@jupyterlab/builder/lib/build-labextension.js"),
                    "--core-path", str(core_path()), str(HERE)], cwd=HERE, check=True)
    RECORD.write_text(f"{source_digest()}  package.json package-lock.json src/*.js\n")
    size = sum(p.stat().st_size for p in BUILT.rglob("*") if p.is_file())
    print(f"built {BUILT.relative_to(HERE.parent)} ({size / 1e3:.0f} kB); "
          f"recorded its sources in {RECORD.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
