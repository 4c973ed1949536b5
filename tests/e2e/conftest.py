"""Browser tests: the course in JupyterLab and in Chromium, as students and instructors see it.

They need Chromium, Playwright for Python and a JupyterLab server, and take minutes, so
`pytest` collects them only when asked: by `make e2e` (which sets COURSE_E2E=1) or by a
path inside this folder on the command line (`pytest tests/e2e`). A plain `pytest` run
(`make unit`) skips the whole folder without importing Playwright.

Environment:
    CHROMIUM        the browser executable (default: chromium or chromium-browser on PATH)
    E2E_ARTIFACTS   where screenshots go (default: artifacts/e2e/<UTC timestamp>/)
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Chromium from the system: no GPU, no sandbox (containers, CI runners as root), and none
# of its own background traffic (updates, sync, field trials) during a test.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _asked_for(config: pytest.Config) -> bool:
    if os.environ.get("COURSE_E2E") == "1":
        return True
    invoked = config.invocation_params.dir
    for arg in config.args:
        path = (invoked / arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config):
    if not _asked_for(config):
        return True
    return None


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found:
        pytest.fail("no Chromium found: install it (Debian/Ubuntu: apt-get install chromium) "
                    "or set CHROMIUM to its executable", pytrace=False)
    return found


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for this run's screenshots (git ignores artifacts/)."""
    default = ROOT / "artifacts" / "e2e" / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(os.environ.get("E2E_ARTIFACTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of notebooks/, stopped after the session."""
    from lab_server import start_lab

    server = start_lab(ROOT / "notebooks", tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Chromium driven by Playwright, closed after the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (its own context) whose console a test can check."""
    from lab_page import ConsoleLog, shutdown_kernels

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Waits are for a slow, shared two-core machine running a kernel and a browser.
    context.set_default_timeout(60_000)
    new_page = context.new_page()
    new_page.console_log = ConsoleLog(new_page)
    yield new_page
    shutdown_kernels(new_page)
    context.close()


def confine(context, allowed: tuple[str, ...]) -> None:
    """Let ``context`` load only URLs that start with one of ``allowed``.

    Every other request is aborted and recorded in ``context.outside``; every request
    that failed (a file missing, or aborted) in ``context.failed``.
    """
    context.outside, context.failed = [], []

    def only_allowed(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            context.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_allowed)
    context.on("requestfailed", lambda request: context.failed.append(request.url))


@pytest.fixture(scope="session")
def deck_reports(request):
    """Reports of the decks walked in this run, printed at the end (see below)."""
    reports = []
    request.config.stash[DECK_REPORTS] = reports
    return reports


DECK_REPORTS = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reports = config.stash.get(DECK_REPORTS, [])
    if reports:
        terminalreporter.section("decks: every slide reached with the right arrow, none too tall")
        for report in reports:
            terminalreporter.write_line(report.line())
