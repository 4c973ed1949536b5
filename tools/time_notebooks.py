"""Seconds each notebook's "Run all" takes natively, without the kernel start.

    python tools/time_notebooks.py notebooks/*.ipynb

The browser edition's test (``make e2e-lite``) prints the same figure for the page, so
that README's table compares the two as measured one after the other on one machine.
Nothing is written: the notebooks stay as they are.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run_all_seconds(path: Path) -> float:
    """Execute every cell of ``path`` in a fresh kernel; the seconds from first cell to last."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    for path in parser.parse_args(argv).notebooks:
        print(f"{path.stem}: run all {run_all_seconds(path):.1f} s", flush=True)


if __name__ == "__main__":
    main()
