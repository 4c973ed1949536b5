"""Drive JupyterLab in a Playwright page: open a notebook, run it, read what its cells show.

JupyterLab runs with its application object exposed (see lab_server), so the helpers call
its commands by id and read the notebook model, as an extension would, and read the page
itself for what a person sees.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Console messages that are not the course's to fix, with the reason each is harmless.
# Everything else at level "error" or "warning", and every uncaught exception, fails a test.
ALLOWED_CONSOLE = {
    # jupyterlab-slideshow's design-tools stylesheet uses `appearance: slider-vertical`,
    # which Chromium deprecates with a warning whenever the stylesheet loads.
    r"The keyword 'slider-vertical' specified to an 'appearance' property": "jupyterlab-slideshow CSS",
    # The widget manager's JSON schema (ajv, strict mode) reports a union type in the
    # widget-state schema; validation still runs.
    r"strict mode: use allowUnionTypes": "@jupyter-widgets/html-manager schema",
    # jupyterlab-slideshow warns when deck:forward is pressed on the last slide; a walk
    # through a deck presses it once more to find the end.
    r'Cannot go "forward" from cell \d+': "jupyterlab-slideshow at the end of a deck",
}

# Output on stderr that is a warning, not an error, and may appear in a lesson: none yet.
# A pattern added here needs the reason the warning cannot be avoided.
ALLOWED_STDERR: dict[str, str] = {}

# Finds the notebook panel open on `path` among JupyterLab's main-area widgets.
_PANEL = """
const panelFor = (path) => {
  if (!window.jupyterapp) return null;
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) return widget;
  }
  return null;
};
"""

_CELLS = _PANEL + """
return panelFor(path).content.widgets.map((cell, index) => {
  const model = cell.model;
  const outputs = model.type === 'code' ? model.outputs.toJSON() : [];
  const text = (value) => (Array.isArray(value) ? value.join('') : String(value || ''));
  return {
    index,
    type: model.type,
    count: model.type === 'code' ? model.executionCount : null,
    outputs: outputs.map((o) => ({
      type: o.output_type,
      name: o.name || null,
      ename: o.ename || null,
      evalue: o.evalue || null,
      mimes: Object.keys(o.data || {}),
      text: text(o.text || (o.data || {})['text/plain']).slice(0, 300),
    })),
    rendered: Array.from(cell.node.querySelectorAll('.jp-OutputArea-output')).map((node) => ({
      mime: node.getAttribute('data-mime-type'),
      widget: node.querySelector('.jupyter-widgets') !== null,
      text: node.innerText.slice(0, 300),
    })),
  };
});
"""


class ConsoleLog:
    """Every console message and uncaught page error of a page, from now on."""

    def __init__(self, page: Page):
        self.messages: list[tuple[str, str]] = []
        page.on("console", lambda message: self.messages.append((message.type, message.text)))
        page.on("pageerror", lambda error: self.messages.append(("pageerror", str(error))))

    def mark(self) -> int:
        return len(self.messages)

    def problems(self, since: int = 0) -> list[str]:
        """Errors and warnings since ``since`` that :data:`ALLOWED_CONSOLE` does not list."""
        return [f"{kind}: {text[:500]}" for kind, text in self.messages[since:]
                if kind in ("error", "warning", "pageerror")
                and not any(re.search(pattern, text) for pattern in ALLOWED_CONSOLE)]


@dataclass
class Notebook:
    """One notebook open in JupyterLab, in a workspace of its own."""

    page: Page
    url: str
    path: str
    selector: str = field(init=False, default="")

    @classmethod
    def open(cls, page: Page, lab, name: str, timeout: float = 120) -> Notebook:
        """Open ``notebooks/<name>`` and wait until its kernel is idle."""
        path = f"notebooks/{name}"
        # A fresh workspace each time: JupyterLab would otherwise restore the tabs of the
        # previous page, and the notebook under test might not be the one in front.
        workspace = f"e2e-{uuid.uuid4().hex[:12]}"
        notebook = cls(page, lab.url(f"lab/workspaces/{workspace}/tree/{path}"), path)
        page.goto(notebook.url)
        page.wait_for_function(
            "(path) => {" + _PANEL + "const p = panelFor(path); return p && p.isVisible; }",
            arg=path, timeout=timeout * 1000)
        panel_id = page.evaluate(
            "async (path) => {" + _PANEL + """
             const panel = panelFor(path);
             await panel.context.ready;
             await panel.sessionContext.ready;
             return panel.id; }""", path)
        notebook.selector = f"[id='{panel_id}']"
        notebook.wait_idle(timeout)
        # The file browser would take a third of every screenshot.
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        return notebook

    def command(self, command: str, args: dict | None = None):
        """Run a JupyterLab command by id (with the notebook as the current widget)."""
        return self.page.evaluate(
            "([command, args]) => window.jupyterapp.commands.execute(command, args)",
            [command, args or {}])

    def wait_idle(self, timeout: float = 120) -> None:
        self.page.wait_for_function(
            "(path) => {" + _PANEL + """
             const kernel = panelFor(path).sessionContext.session?.kernel;
             return kernel && kernel.status === 'idle'; }""",
            arg=self.path, timeout=timeout * 1000, polling=250)

    def run_all(self, timeout: float = 300) -> None:
        """Clear every output and execution count, run all cells, wait until all have run.

        JupyterLab stops a run at the first error, so an error output also ends the wait.
        """
        self.command("notebook:clear-all-cell-outputs")
        counts = [cell["count"] for cell in self.cells() if cell["type"] == "code"]
        assert not any(counts), f"execution counts not cleared: {counts}"
        self.command("notebook:run-all-cells")
        # Idle alone is not enough: the kernel is idle between two cells of a run.
        self.page.wait_for_function(
            "(path) => {" + _PANEL + """
             const panel = panelFor(path);
             const kernel = panel.sessionContext.session?.kernel;
             const code = Array.from(panel.content.model.cells).filter((c) => c.type === 'code');
             const failed = code.some((c) => Array.from(
               {length: c.outputs.length}, (_, i) => c.outputs.get(i).type).includes('error'));
             return kernel && kernel.status === 'idle' &&
                    (failed || code.every((c) => c.executionCount !== null)); }""",
            arg=self.path, timeout=timeout * 1000, polling=500)

    def cells(self) -> list[dict]:
        """Each cell's type, execution count, model outputs and rendered outputs."""
        return self.page.evaluate("(path) => {" + _CELLS + "}", self.path)

    def wait_widgets_rendered(self, timeout: float = 60) -> None:
        """Wait until no output of the notebook still says it is loading a widget."""
        self.page.wait_for_function(
            "(selector) => !Array.from(document.querySelectorAll(selector + "
            "' .jp-OutputArea-output')).some((n) => n.innerText.includes('Loading widget'))",
            arg=self.selector, timeout=timeout * 1000, polling=500)

    def cell(self, index: int) -> Locator:
        return self.page.locator(f"{self.selector} .jp-Notebook .jp-Cell").nth(index)

    def view(self, name: str) -> Locator:
        """The rendered output of the first cell whose result is the view class ``name``.

        Course views describe themselves in text/plain as "<ClassName>: an interactive
        view", which finds them in the model without depending on cell positions.
        """
        for cell in self.cells():
            for position, output in enumerate(cell["outputs"]):
                if WIDGET_MIME in output["mimes"] and output["text"].startswith(f"{name}:"):
                    return self.cell(cell["index"]).locator(".jp-OutputArea-output").nth(position)
        raise LookupError(f"no {name} output in {self.path}")

    def screenshot(self, path, max_height: int = 15000) -> None:
        """Save the whole notebook as one tall image (the page grows to fit it)."""
        viewport = self.page.viewport_size
        height = self.page.evaluate(
            "(selector) => { const outer = document.querySelector(selector + "
            "' .jp-WindowedPanel-outer'); return outer.scrollHeight - outer.clientHeight; }",
            self.selector)
        self.page.set_viewport_size({"width": viewport["width"],
                                     "height": min(viewport["height"] + height, max_height)})
        try:
            # Let JupyterLab lay out the taller page, then show it from the top.
            self.page.wait_for_timeout(500)
            self.page.evaluate(
                "(selector) => { document.querySelector(selector + "
                "' .jp-WindowedPanel-outer').scrollTop = 0; }", self.selector)
            self.page.wait_for_timeout(200)
            self.page.screenshot(path=path)
        finally:
            self.page.set_viewport_size(viewport)


def shutdown_kernels(page: Page) -> None:
    """Shut down the kernels of the page's notebooks (the server would keep them running)."""
    page.evaluate("""async () => {
      if (!window.jupyterapp) return;
      for (const widget of window.jupyterapp.shell.widgets('main')) {
        if (widget.sessionContext && widget.sessionContext.session) {
          await widget.sessionContext.shutdown();
        }
      }
    }""")


def slider(view: Locator, label: str) -> Locator:
    """The ipywidgets slider labelled ``label`` inside ``view``."""
    return view.locator(".widget-slider").filter(
        has=view.page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$")))


def dropdown(view: Locator, label: str) -> Locator:
    """The <select> of the ipywidgets dropdown labelled ``label`` inside ``view``."""
    return view.locator(".widget-dropdown").filter(
        has=view.page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$"))
    ).locator("select")


def drag(page: Page, handle: Locator, dx: float) -> None:
    """Press the mouse on ``handle``, move it ``dx`` pixels sideways, release."""
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()


def wait_for_new_image(view: Locator, before: bytes, timeout: float = 60,
                       quiet: float = 1.0) -> bytes:
    """Wait until the view's image, as rendered on screen, differs from ``before`` and
    then stays the same for ``quiet`` seconds.

    A drag or a burst of key presses sends several values; their images arrive one after
    the other, and an image caught half-way would be mistaken for the final one.
    """
    image = view.locator("img.widget-image")
    deadline = time.monotonic() + timeout
    while True:
        now = image.screenshot(animations="disabled")
        if now != before or time.monotonic() > deadline:
            break
        view.page.wait_for_timeout(300)
    while time.monotonic() < deadline:
        view.page.wait_for_timeout(int(1000 * quiet))
        later = image.screenshot(animations="disabled")
        if later == now:
            break
        now = later
    return now
