"""Compiled bytecode for the browser edition's Python, made at build time.

    node tools/lite_precompile.mjs PYODIDE_DIR WHEEL...
    node tools/lite_precompile.mjs PYODIDE_DIR --prebuilt-wheel OUT NAME VERSION PACKAGE... -- WHEEL...

(tools/build_lite.py runs both.)

Python compiles a module from its source the first time it is imported, and in the page
(WebAssembly) that is slow: ``import sympy`` took 3.1 s in Pyodide 0.27.7, 0.44 s with
its bytecode compiled beforehand. The page's file system is fresh on every visit and
Pyodide does not write bytecode, so nothing compiled there is kept. Two remedies:

- :func:`add_bytecode` adds a ``.pyc`` beside every ``.py`` of a wheel the build may
  rewrite: the course's own and those from the package index.
- :func:`bytecode_wheel` covers Pyodide's own packages, which ship sources only
  (matplotlib, numpy's Python half, IPython...) and must stay byte for byte as
  pyodide-lock.json pins them. It writes a separate wheel of ``__pycache__`` files,
  placed beside those packages' sources when it is unpacked, for the modules a kernel
  and the course import (:func:`import_what_the_course_uses`): 2.7 s of compiling at
  every kernel start and first import of numpy and matplotlib. The same wheel carries
  matplotlib's font list (:func:`matplotlib_font_list`).

Both run *inside Pyodide* (by ``lite_precompile.mjs``), so that the bytecode is that of
the browser's Python (3.12), not of the Python running the build. The sources stay where
they are (tracebacks and ``lessons_lib.source.show_source`` read them); the bytecode is
marked "unchecked hash", so the import system uses it without comparing it against the
source's time stamp, which unpacking a wheel does not preserve. Every file is listed in
its wheel's RECORD.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import os
import pkgutil
import py_compile
import sys
import sysconfig
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


def import_what_the_course_uses() -> None:
    """Import what a kernel and the lessons import, and draw a figure as a notebook would.

    What this imports is what :func:`bytecode_wheel` compiles; a module it misses still
    works in the page, compiled from its source when first imported.
    """
    # As the JupyterLite kernel does before the notebook's first import of matplotlib.
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    import IPython.core.completer  # noqa: F401  (the kernel's shell, and Tab completion)
    import IPython.core.interactiveshell  # noqa: F401
    import jedi  # noqa: F401

    import lessons_lib

    for module in pkgutil.walk_packages(lessons_lib.__path__, "lessons_lib."):
        __import__(module.name)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    axes.imshow([[0.0, 1.0]])
    axes.set_title("$x$")
    figure.savefig(io.BytesIO(), format="png")


def compiled_on_import(site_packages: str) -> list[str]:
    """Sources under ``site_packages`` that Python has compiled on import: no ``.pyc``."""
    sources = set()
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if (origin.startswith(site_packages) and origin.endswith(".py")
                and not os.path.exists(importlib.util.cache_from_source(origin))):
            sources.add(origin)
    return sorted(sources)


def bytecode_wheel(sources, site_packages: str, wheel_out, name: str, version: str,
                   extra: dict[str, bytes] | None = None) -> int:
    """Write a wheel of the "unchecked hash" ``.pyc`` of ``sources``; return how many.

    Each ``.pyc`` sits at its source's ``__pycache__`` path relative to
    ``site_packages``, so unpacking the wheel beside the packages that hold the sources
    puts it where the import system looks. ``extra`` maps more paths (relative to
    ``site_packages``) to their contents. The same inputs give the same bytes.
    """
    files = []
    with tempfile.TemporaryDirectory() as folder:
        for source in sources:
            relative = os.path.relpath(source, site_packages)
            files.append((importlib.util.cache_from_source(relative),
                          _bytecode(relative, Path(source).read_bytes(), Path(folder))))
    count = len(files)
    files += sorted((extra or {}).items())
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    files.append((f"{dist_info}/METADATA",
                  f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()))
    files.append((f"{dist_info}/WHEEL",
                  b"Wheel-Version: 1.0\nGenerator: lite_precompile\n"
                  b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    record = "".join(_record_line(path, data) + "\n" for path, data in files)
    files.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    with zipfile.ZipFile(wheel_out, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files:
            wheel.writestr(zipfile.ZipInfo(path, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return count


def matplotlib_font_list() -> bytes:
    """The font list matplotlib has just built in Pyodide, in a fixed order.

    Pyodide 0.27.7's matplotlib looks for its font list in its own folder, and the one it
    ships was made for another matplotlib (version 390 of the format, where 3.8 reads
    330), so the page rebuilt it, about 0.3 s, in every kernel's first ``import
    matplotlib.pyplot``. The prebuilt wheel carries the list that this matplotlib makes,
    and is installed after matplotlib, over that file. The fonts are listed by file name
    (matplotlib lists them in the order of a set of strings, which changes from run to
    run).
    """
    import matplotlib.font_manager

    path = Path(matplotlib.font_manager.__file__).with_name("fontlist.json")
    fonts = json.loads(path.read_text())
    if fonts.get("_version") != matplotlib.font_manager.FontManager.__version__:
        raise RuntimeError(f"{path} is not the font list this matplotlib wrote")
    for key in ("ttflist", "afmlist"):
        fonts[key].sort(key=lambda font: (font["fname"], font["name"]))
    return (json.dumps(fonts, indent=2) + "\n").encode()


def main(argv) -> None:
    if argv[:1] == ["--prebuilt-wheel"]:
        wheel_out, name, version = argv[1:4]
        # Pyodide's sysconfig says "//lib/...", the modules' paths "/lib/...".
        site_packages = "/" + sysconfig.get_paths()["purelib"].lstrip("/") + "/"
        import_what_the_course_uses()
        count = bytecode_wheel(compiled_on_import(site_packages), site_packages,
                               wheel_out, name, version,
                               extra={"matplotlib/fontlist.json": matplotlib_font_list()})
        print(f"    {Path(wheel_out).name}: {count} modules of Pyodide's packages "
              f"compiled ({sys.implementation.cache_tag}), and matplotlib's font list",
              flush=True)
        return
    for wheel in argv:
        count = add_bytecode(wheel, wheel)
        print(f"    {Path(wheel).name}: {count} modules compiled "
              f"({sys.implementation.cache_tag})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
