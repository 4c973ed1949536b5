"""tools/build_lite.py refuses a file whose sha256 differs from its pin, naming the file."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_lite", ROOT / "tools" / "build_lite.py")
build_lite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_lite)


def test_the_committed_pins_parse_and_name_every_file_the_build_takes():
    pins = build_lite.read_pins()
    assert build_lite.PYODIDE_NPM in pins and build_lite.PYODIDE_CARRIER in pins
    for name in build_lite.LAB_EXTENSIONS:
        assert name in pins
    for package in build_lite.INDEX_PACKAGES:
        assert any(f.split("-")[0].lower() == package for f in pins), package
    assert all(len(sha) == 64 and int(sha, 16) >= 0 for sha, _ in pins.values())


def test_a_download_that_does_not_match_its_pin_stops_the_build(tmp_path):
    wheel = tmp_path / "tqdm-4.70.1-py3-none-any.whl"
    wheel.write_bytes(b"not the wheel")
    pins = {wheel.name: ("0" * 64, "pypi:tqdm==4.70.1")}
    with pytest.raises(SystemExit, match=r"sha256 mismatch for tqdm-4\.70\.1-py3-none-any\.whl"):
        build_lite.download(pins, tmp_path)


def test_a_pyodide_wheel_that_does_not_match_the_lock_stops_the_build(tmp_path):
    # A tiny Pyodide: the npm package's runtime files and a lock naming one package, and
    # a carrier wheel whose copy of that package differs from the lock's sha256.
    lock = {"info": {"version": "0.27.7"}, "packages": {"six": {
        "name": "six", "file_name": "six-1.16.0-py2.py3-none-any.whl", "depends": [],
        "sha256": hashlib.sha256(b"the real six").hexdigest()}}}
    package = tmp_path / "package"
    package.mkdir()
    for name in build_lite.RUNTIME_FILES:
        (package / name).write_text(json.dumps(lock) if name == "pyodide-lock.json" else name)
    with tarfile.open(tmp_path / build_lite.PYODIDE_NPM, "w:gz") as npm:
        npm.add(package, arcname="package")
    with zipfile.ZipFile(tmp_path / build_lite.PYODIDE_CARRIER, "w") as carrier:
        carrier.writestr(build_lite.CARRIER_FOLDER + "six-1.16.0-py2.py3-none-any.whl",
                         b"a tampered six")
    with pytest.raises(SystemExit, match=r"sha256 mismatch for six-1\.16\.0-py2\.py3-none-any\.whl"):
        build_lite.assemble_pyodide(tmp_path, tmp_path / "out", tmp_path / "course.whl",
                                    roots=("six",))


_spec = importlib.util.spec_from_file_location("lite_precompile",
                                               ROOT / "tools" / "lite_precompile.py")
lite_precompile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lite_precompile)


def _wheel(path: Path, files: dict[str, str]) -> Path:
    record = "".join(f"{name},,\n" for name in files) + "pkg-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
        wheel.writestr("pkg-1.0.dist-info/RECORD", record)
    return path


def test_precompiling_adds_unchecked_bytecode_beside_every_source(tmp_path):
    """Run here with this Python; the build runs the same code in the browser's Python."""
    source = _wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {
        "pkg/__init__.py": "from pkg.core import answer\n",
        "pkg/core.py": "def answer():\n    return 42\n",
        "pkg/future.py": "def broken(:\n",  # a syntax this Python does not read
        "pkg/data.txt": "kept as it is",
    })
    out = tmp_path / "out.whl"
    assert lite_precompile.add_bytecode(source, out) == 2
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        names = set(after.namelist())
        for name in before.namelist():
            if not name.endswith("RECORD"):
                assert after.read(name) == before.read(name), name
        pyc = importlib.util.cache_from_source("pkg/core.py")
        assert pyc in names and importlib.util.cache_from_source("pkg/future.py") not in names
        data = after.read(pyc)
        # flags 0b01: hash-based and unchecked, so unpacking's time stamps do not matter
        assert int.from_bytes(data[4:8], "little") == 0b01
        record = after.read("pkg-1.0.dist-info/RECORD").decode().splitlines()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert f"{pyc},sha256={digest},{len(data)}" in record
        after.extractall(tmp_path / "site")
    lite_precompile.add_bytecode(source, tmp_path / "again.whl")
    assert (tmp_path / "again.whl").read_bytes() == out.read_bytes()
    # The bytecode is what Python imports, even when the source behind it has changed.
    (tmp_path / "site" / "pkg" / "core.py").write_text("def answer():\n    return 0\n")
    result = subprocess.run([sys.executable, "-c", "import pkg; print(pkg.answer())"],
                            cwd=tmp_path / "site", capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "42"


def test_the_bytecode_wheel_holds_only_bytecode_of_what_was_compiled_on_import(tmp_path):
    """Pyodide's packages stay as pinned: their bytecode comes in a wheel of its own."""
    site = tmp_path / "site-packages"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "__init__.py").write_text("from pkg.core import answer\n")
    (site / "pkg" / "core.py").write_text("def answer():\n    return 42\n")
    (site / "pkg" / "unused.py").write_text("raise ImportError\n")
    (site / "single.py").write_text("VALUE = 1\n")
    # As in the page: Python writes no bytecode, so every import compiles from source.
    probe = (f"import sys; sys.path.insert(0, {str(site)!r}); import pkg, single; "
             f"sys.path.insert(0, {str(ROOT / 'tools')!r}); import lite_precompile; "
             f"print('\\n'.join(lite_precompile.compiled_on_import({str(site) + '/'!r})))")
    found = subprocess.run([sys.executable, "-B", "-c", probe], capture_output=True,
                           text=True, check=True).stdout.split()
    assert found == sorted(str(site / name) for name in
                           ("pkg/__init__.py", "pkg/core.py", "single.py"))
    wheel = tmp_path / "bytecode-0.1.0-py3-none-any.whl"
    assert lite_precompile.bytecode_wheel(found, str(site) + "/", wheel, "bytecode",
                                          "0.1.0", extra={"pkg/data.json": b"{}"}) == 3
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert not [name for name in names if name.endswith(".py")]
        assert archive.read("pkg/data.json") == b"{}"
        pyc = importlib.util.cache_from_source("pkg/core.py")
        assert {pyc, importlib.util.cache_from_source("single.py")} <= set(names)
        assert int.from_bytes(archive.read(pyc)[4:8], "little") == 0b01  # unchecked hash
        record = archive.read("bytecode-0.1.0.dist-info/RECORD").decode().splitlines()
        assert {line.split(",")[0] for line in record} == set(names)
        archive.extractall(site)
    second = tmp_path / "again.whl"
    lite_precompile.bytecode_wheel(found, str(site) + "/", second, "bytecode", "0.1.0",
                                   extra={"pkg/data.json": b"{}"})
    assert second.read_bytes() == wheel.read_bytes()
    # Unpacked beside the sources, the bytecode is what Python imports.
    (site / "pkg" / "core.py").write_text("def answer():\n    return 0\n")
    result = subprocess.run([sys.executable, "-B", "-c", "import pkg; print(pkg.answer())"],
                            cwd=site, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "42"
