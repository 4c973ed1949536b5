"""The browser edition (build/lite/, `make lite`): the notebooks run in Pyodide, offline.

build/lite is served by a static file server on 127.0.0.1, and Chromium runs with every
request that leaves the site blocked twice over: a route aborts and records it, and a
proxy that does not exist stands behind any that a route would not see (service
workers). A notebook is opened, run top to bottom, and must show no error, every widget
view it stores, and no blocked request. The kernel start (page opened → kernel idle)
and the run-all times are printed as each notebook finishes and written to
artifacts/e2e/<time>/lite_times.json.

`make e2e` runs lessons 00 and 01 (CI's budget); `make e2e-lite` runs all eight
(COURSE_LITE_ALL=1).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM_ARGS, chromium_path
from lab_page import Notebook
from test_lab_notebooks import check_ran_with_views, stderr_problems

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_LITE_SITE") or ROOT / "build" / "lite")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CI_LESSONS = ("00", "01")
LESSONS = NOTEBOOKS if os.environ.get("COURSE_LITE_ALL") == "1" else [
    path for path in NOTEBOOKS if path.name[:2] in CI_LESSONS]

# Settings the test needs, stored in the page's own settings storage before the notebook
# opens: every cell rendered (its outputs can be read), no autosave, no news pop-up.
SETTINGS = {
    # recordTiming: each cell's start and end in its metadata, for the slowest cells.
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "recordTiming": True},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False,
                                                     "fetchNews": "false"},
}

TIMES = []

# stderr that the browser edition shows and the native one does not, with the reason.
BROWSER_STDERR = {
    # Pyodide's file system is new on every page load, so matplotlib builds its font
    # cache (a second or so) the first time a page imports it, and says so on stderr.
    r"^Matplotlib is building the font cache; this may take a moment\.\s*$":
        "matplotlib's font cache, built once per page load",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """build/lite served as `python -m http.server -d build/lite` would serve it."""
    if not (SITE / "lab" / "index.html").exists():
        pytest.fail(f"no browser edition in {SITE}: build it with `make lite`", pytrace=False)
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def offline_browser(browser):
    """Chromium whose requests can only reach 127.0.0.1 (a dead proxy for all else),
    launched by the session's Playwright (a second one cannot run beside it)."""
    # Chromium sends loopback addresses around a proxy, and everything else to it: the
    # proxy's port is closed, so nothing else is reachable.
    args = CHROMIUM_ARGS + ["--proxy-server=http://127.0.0.1:9"]
    chromium = browser.browser_type.launch(executable_path=chromium_path(), args=args)
    yield chromium
    chromium.close()


class OfflinePage:
    """A page on the site, its outside requests blocked and recorded."""

    def __init__(self, browser, site):
        self.site = site
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(120_000)
        self.context.route("**/*", self._route)
        self.context.on("requestfailed", lambda request: self.failed.append(
            f"{request.url[:200]} ({request.failure})"))
        self.page = self.context.new_page()

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.site) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def close(self):
        self.context.close()


@pytest.fixture
def offline_page(offline_browser, site):
    page = OfflinePage(offline_browser, site)
    yield page
    page.close()


_CELL_SECONDS = """(path) => {
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (!(w.context && w.context.path === path)) continue;
    return w.content.widgets.map((cell, index) => {
      const timing = cell.model.getMetadata('execution') || {};
      const start = Date.parse(timing['iopub.execute_input']);
      const end = Date.parse(timing['shell.execute_reply']);
      return [index, (end - start) / 1000];
    }).filter(([index, seconds]) => seconds >= 0);
  }
}"""


def slowest_cells(notebook, count=3) -> list[tuple[int, float]]:
    """The ``count`` slowest cells of the last run: (cell index, seconds)."""
    seconds = notebook.page.evaluate(_CELL_SECONDS, notebook.path)
    return [(index, round(s, 1)) for index, s in sorted(seconds, key=lambda c: -c[1])[:count]]


def _prepare_settings(page, site):
    page.goto(site + "lab/index.html")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.serviceManager")
    page.evaluate("""async (settings) => {
      await window.jupyterapp.restored;
      const manager = window.jupyterapp.serviceManager.settings;
      for (const [id, values] of Object.entries(settings)) {
        await manager.save(id, JSON.stringify(values));
      }
    }""", SETTINGS)


class _LiteSite:
    """What Notebook.open needs of a server: a URL for a path."""

    def __init__(self, site):
        self.site = site

    def url(self, path):
        return self.site + path


def open_lite_notebook(page, site, name, timeout=300) -> tuple[Notebook, float]:
    """Open ``name`` in the browser edition; the notebook and the kernel start in seconds."""
    # Notebook.open opens lab/workspaces/<id>/tree/notebooks/<name> on a server; the
    # static site has the notebooks at its files' root and opens one by ?path=.
    notebook = Notebook(page, site + f"lab/index.html?path={name}", name)
    start = time.perf_counter()
    page.goto(notebook.url)
    page.wait_for_function(
        "(path) => { if (!window.jupyterapp) return false; "
        "for (const w of window.jupyterapp.shell.widgets('main')) "
        "if (w.context && w.context.path === path && w.isVisible) return true; return false; }",
        arg=name, timeout=timeout * 1000)
    panel_id = page.evaluate("""async (path) => {
      for (const w of window.jupyterapp.shell.widgets('main')) {
        if (w.context && w.context.path === path) {
          await w.context.ready; await w.sessionContext.ready; return w.id; }
      } }""", name)
    notebook.selector = f"[id='{panel_id}']"
    notebook.wait_idle(timeout)
    seconds = time.perf_counter() - start
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    return notebook, seconds


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_offline_in_the_browser(path, offline_page, site, artifacts, capsys):
    page = offline_page.page
    _prepare_settings(page, site)
    notebook, kernel_start = open_lite_notebook(page, site, path.name)
    start = time.perf_counter()
    notebook.run_all(timeout=600)
    run_all = time.perf_counter() - start
    notebook.wait_widgets_rendered(timeout=120)
    cells = notebook.cells()
    notebook.screenshot(artifacts / f"lite_{path.stem}.png")
    TIMES.append({"notebook": path.stem, "kernel_start_s": round(kernel_start, 1),
                  "run_all_s": round(run_all, 1), "slowest_cells": slowest_cells(notebook)})
    (artifacts / "lite_times.json").write_text(json.dumps(TIMES, indent=1))
    with capsys.disabled():
        print(f"\n[browser edition] {path.stem}: kernel start {kernel_start:.1f} s, "
              f"run all {run_all:.1f} s; slowest cells (index, s): {TIMES[-1]['slowest_cells']}")

    code = check_ran_with_views(notebook, cells, path)
    assert [problem for problem in stderr_problems(code) if not any(
        re.search(pattern, problem.split("warning: ", 1)[-1]) for pattern in BROWSER_STDERR)
        or "error:" in problem] == []

    assert offline_page.blocked == [], "requests that tried to leave the site"
    outside = [failure for failure in offline_page.failed if not failure.startswith(site)]
    assert outside == [], "requests that failed outside the site"
