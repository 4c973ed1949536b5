"""A pytest plugin for ``make nbval``: a notebook evaluates on the test events at most once.

nbval runs each notebook's cells in one kernel. After the last cell of a notebook, this
plugin asks that kernel for :func:`lessons_lib.splits.evaluation_log` and fails the
notebook's last cell if the log holds more than one test evaluation: a lesson that
looks at the test events twice has started to choose on them.
Loaded with ``-p tests.nbval_test_once`` (see the Makefile's NBVAL options).
"""

from __future__ import annotations

import json

import pytest

PROBE = ("import json as _json\n"
         "from lessons_lib.splits import evaluation_log as _log\n"
         "print(_json.dumps([e.split for e in _log()]))")
MAX_EVALUATIONS = 1


def kernel_output(kernel, source: str, timeout: float = 60) -> str:
    """What ``source`` prints when run in nbval's kernel."""
    msg_id = kernel.execute_cell_input(source, allow_stdin=False)
    printed = []
    while True:
        msg = kernel.get_message(stream="iopub", timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError(f"the evaluation probe failed: {msg['content']['evalue']}")
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(printed)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    # tryfirst: before pytest tears the notebook down, while its kernel still runs.
    notebook = item.parent
    kernel = getattr(notebook, "kernel", None)
    if kernel is None or not kernel.is_alive():
        return
    if nextitem is not None and nextitem.parent is notebook:
        return
    evaluations = json.loads(kernel_output(kernel, PROBE).strip().splitlines()[-1])
    if len(evaluations) > MAX_EVALUATIONS:
        pytest.fail(f"{notebook.name} evaluates on the test events {len(evaluations)} times "
                    f"({', '.join(evaluations)}); choose on validation and test once",
                    pytrace=False)
