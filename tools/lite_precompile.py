"""Add compiled bytecode to pure-Python wheels, for the browser edition's Python.

    node tools/lite_precompile.mjs PYODIDE_DIR WHEEL...   # what tools/build_lite.py runs

A wheel from the package index carries only ``.py`` sources. Python compiles each module
the first time it is imported, and in the page (WebAssembly) that is slow: ``import
sympy`` took 3.1 s in Pyodide 0.27.7, 0.44 s with its bytecode compiled beforehand. The
page's file system is fresh on every visit, so nothing compiled there is kept. Pyodide's
own packages ship compiled for that reason; this does the same for the course's wheel
and the package-index wheels.

:func:`add_bytecode` is run *inside Pyodide* (by ``lite_precompile.mjs``), so that the
bytecode is that of the browser's Python (3.12), not of the Python running the build.
The sources stay next to their ``__pycache__`` files (tracebacks and
``lessons_lib.source.show_source`` read them); the bytecode is marked "unchecked hash",
so the import system uses it without comparing it against the source's time stamp, which
unpacking a wheel does not preserve. Every new file is listed in the wheel's RECORD.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

# Fixed time stamp for the added entries: the same wheel in gives the same bytes out.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _bytecode(name: str, source: bytes, folder: Path) -> bytes:
    """The "unchecked hash" bytecode of the module at ``name`` in the wheel."""
    path = folder / "module.py"
    path.write_bytes(source)
    return Path(py_compile.compile(
        str(path), cfile=str(folder / "module.pyc"), dfile=name, doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)).read_bytes()


def add_bytecode(wheel_in, wheel_out) -> int:
    """Copy ``wheel_in`` to ``wheel_out`` with a ``.pyc`` for every ``.py``; return how many.

    A module that does not compile (a syntax this Python does not read) stays a source.
    """
    with zipfile.ZipFile(wheel_in) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    compiled = []
    with tempfile.TemporaryDirectory() as folder:
        for info, data in entries:
            if info.filename.endswith(".py"):
                try:
                    compiled.append((importlib.util.cache_from_source(info.filename),
                                     _bytecode(info.filename, data, Path(folder))))
                except py_compile.PyCompileError:
                    continue
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename.endswith(".dist-info/RECORD"):
                lines = "".join(_record_line(name, pyc) + "\n" for name, pyc in compiled)
                data = data.rstrip(b"\n") + b"\n" + lines.encode()
            target.writestr(info, data)
        for name, pyc in compiled:
            target.writestr(zipfile.ZipInfo(name, _ZIP_TIME), pyc, zipfile.ZIP_DEFLATED)
    Path(wheel_out).write_bytes(buffer.getvalue())
    return len(compiled)


def main(wheels) -> None:
    for wheel in wheels:
        count = add_bytecode(wheel, wheel)
        print(f"    {Path(wheel).name}: {count} modules compiled "
              f"({sys.implementation.cache_tag})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
