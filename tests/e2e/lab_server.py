"""A throw-away JupyterLab server for the browser tests.

The server runs on 127.0.0.1 on a free port with a fixed token, serves a copy of the
notebooks (a test that runs all cells must not rewrite the course's files) and reads
its settings from a temporary folder, so that neither the user's JupyterLab settings
nor their workspaces change what the tests see.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TOKEN = "course-e2e"

# Settings that the tests rely on, as JupyterLab's settings editor would store them.
SETTINGS = {
    # Render every cell: with the default windowing, cells below the fold are not in the
    # page, so their outputs could not be checked.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No news or update pop-ups over the notebook.
    "@jupyterlab/apputils-extension/notification": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    # Running all cells must not write the served copy back while a test reads it.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_settings(settings_dir: Path) -> None:
    """Write :data:`SETTINGS` as user settings files under ``settings_dir``."""
    for plugin, values in SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


@dataclass
class LabServer:
    """A running JupyterLab: ``url(path)`` gives a page address with the token."""

    process: subprocess.Popen
    port: int
    root: Path
    log: Path

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{sep}token={TOKEN}"

    def stop(self) -> None:
        """Stop the server and its kernels (the whole process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_lab(notebooks: Path, workdir: Path, *, timeout: float = 180) -> LabServer:
    """Start JupyterLab on a copy of ``notebooks`` inside ``workdir``.

    Returns once the server answers its status API; raises RuntimeError with the end of
    the server's log if it exits or does not answer within ``timeout`` seconds.
    """
    root = workdir / "root"
    shutil.copytree(notebooks, root / "notebooks")
    settings, workspaces, config, runtime = (workdir / name for name in (
        "settings", "workspaces", "config", "runtime"))
    for folder in (workspaces, config, runtime):
        folder.mkdir(parents=True)
    write_settings(settings)
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(runtime),
               IPYTHONDIR=str(workdir / "ipython"), JUPYTER_PLATFORM_DIRS="1")
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={workspaces}",
        # Lets a test call JupyterLab commands (run all, start a presentation) by id.
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # The default extension manager asks PyPI about extensions: no network in tests.
        "--LabApp.extension_manager=readonly",
    ]
    if os.geteuid() == 0:
        # Containers and CI runners are often root; the server refuses that by default.
        command.append("--allow-root")
    log = workdir / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=root, start_new_session=True)
    server = LabServer(process, port, root, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({process.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(server.url("api/status"), timeout=5) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{tail(log)}")


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
