"""Lesson 07's interactive views: a browser of the classic networks and an architecture builder."""

from __future__ import annotations

import html

import ipywidgets as widgets

from lessons_lib import architectures as arch
from lessons_lib.datasets import detector_events
from lessons_lib.nn.optim import Adam
from lessons_lib.nn.training import TrainingDiverged, fit
from lessons_lib.plots.architectures import BreakdownPlot, TrainingPlot
from lessons_lib.widgets import Dropdown, FloatSlider, IntSlider, Select, View

# A table scrolls inside a short box: the controls, the table and the figure of a view stay
# in sight together on a slide and on a laptop screen.
TABLE_STYLE = ("font-family: monospace; font-size: 14px; line-height: 1.25; "
               "max-height: {height}px; overflow: auto; white-space: pre; margin: 0")


def _pre(text: str, height: int = 200) -> str:
    # Focusable, so that a keyboard can scroll the table too.
    return (f'<pre tabindex="0" role="region" aria-label="layer table" '
            f'style="{TABLE_STYLE.format(height=height)}">{html.escape(text)}</pre>')


def _error(text: str) -> str:
    return f'<span style="color: #b00020"><b>⚠ Cannot build:</b> {html.escape(text)}</span>'


class ArchitectureBrowser(View):
    """Pick a classic network and an input size; see its table and where its parameters live.

    Parameters
    ----------
    name : str, default "alexnet"
        One of :data:`lessons_lib.architectures.NAMES`.
    input_size : int, optional
        Height and width of the input; default the network's own (224, or 299 for
        Xception).

    Attributes
    ----------
    network, input_size : Dropdown, IntSlider
    expand : Checkbox
        Also list the layers inside blocks.
    rows : list of dict
        The table shown (:func:`lessons_lib.architectures.summarize`), empty when the
        input is too small for the network.
    table, info, message : HTML
    breakdown : BreakdownPlot
    """

    ALT = ('For the chosen network, stacked bars of how its parameters and its operations (MACs) '
           'split between convolution and dense layers.')

    def __init__(self, name="alexnet", *, input_size=None):
        super().__init__()
        arch.classic(name)  # checks the name
        info = arch.CLASSICS[name]
        self.network = Dropdown(options=[(arch.CLASSICS[n].title, n) for n in arch.NAMES],
                                        value=name, description="network")
        self.input_size = IntSlider(value=input_size or info.input_size, min=16, max=512,
                                            step=1, description="input size",
                                            continuous_update=False)
        # No indent: the label then has the whole width, not "show layers inside bl…".
        self.expand = widgets.Checkbox(value=False, description="show layers inside blocks",
                                       indent=False, layout=widgets.Layout(width="auto"))
        self.message, self.info, self.table = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.breakdown = BreakdownPlot(None, arch.breakdown(arch.classic(name), (3, 224, 224)),
                                       size=(5.6, 2.2))
        self.fig = self.breakdown.fig
        self.rows = []
        # The figure beside the text, the table below: all of it in sight on a laptop.
        self.ui = widgets.VBox([
            widgets.HBox([self.network, self.input_size, self.expand]),
            widgets.HBox([widgets.VBox([self.message, self.info],
                                       layout=widgets.Layout(flex="1 1 0", min_width="0")),
                          self.image]),
            self.table,
        ])
        self.update()
        self.network.observe(self._on_network, names="value")
        for control in (self.input_size, self.expand):
            control.observe(lambda change: self.update(), names="value")

    def _on_network(self, change):
        # Each network at its own resolution; update() runs once, on the size change or here.
        size = arch.CLASSICS[change["new"]].input_size
        if self.input_size.value != size:
            self.input_size.value = size
        else:
            self.update()

    def update(self) -> None:
        """Recompute the table and the breakdown for the current controls."""
        name, size = self.network.value, self.input_size.value
        info = arch.CLASSICS[name]
        self.info.value = (
            f"<b>{info.title}</b> ({info.year}): {html.escape(info.idea)}.<br>"
            f"ImageNet top-1 {info.top1:.1f} %, top-5 {info.top5:.1f} % "
            f"({html.escape(info.results_source)}); as defined by "
            f"<code>{info.implementation}</code>; compared with the paper: "
            f"{html.escape(info.differs)}.")
        spec, shape = arch.classic(name), (3, size, size)
        try:
            self.rows = arch.summarize(spec, shape, expand=self.expand.value)
        except arch.SpecError as error:
            self.rows = []
            self.message.value = _error(f"{info.title} at {size}×{size}: {error}")
            self.table.value = ""
            # Empty bars: the previous network's shares would read as this one's.
            self.breakdown.clear()
            self.breakdown.set_heading(f"{info.title} does not fit a {size}×{size} input")
            self.redraw()
            return
        total = sum(r["params"] for r in self.rows if r["depth"] == 0)
        macs = sum(r["macs"] for r in self.rows if r["depth"] == 0)
        self.message.value = (f"{total:,} parameters, {macs / 1e9:.2f} G multiply-accumulates "
                              f"for one {size}×{size} image.")
        self.table.value = _pre(arch.format_table(self.rows, names=True), height=150)
        self.breakdown.update(arch.breakdown(spec, shape))
        # The network's name is in the dropdown and the text beside: the title stays short.
        self.breakdown.set_heading("where the parameters and the operations are")
        self.redraw()


# -- the builder ----------------------------------------------------------------------------

# Each kind of layer the builder offers: the controls it reads, and how they make its
# spec. A kind that reads no control takes none (relu, flatten, ...).
_BUILDERS = {
    "conv": (("channels", "size", "stride", "padding"),
             lambda channels, size, stride, padding: arch.conv(
                 channels, size, stride=stride, padding=padding)),
    "separable": (("channels", "size", "stride", "padding"),
                  lambda channels, size, stride, padding: arch.separable(
                      channels, size, stride=stride, padding=padding)),
    "depthwise": (("size", "stride", "padding"),
                  lambda size, stride, padding: arch.depthwise(
                      size, stride=stride, padding=padding)),
    "maxpool": (("size", "stride"), arch.maxpool),
    "avgpool": (("size", "stride"), arch.avgpool),
    "relu": ((), arch.relu), "sigmoid": ((), arch.sigmoid), "tanh": ((), arch.tanh),
    "batchnorm": ((), arch.batchnorm),
    "dropout": (("p",), arch.dropout),
    "flatten": ((), arch.flatten), "global_avgpool": ((), arch.global_avgpool),
    "dense": (("channels",), arch.dense),
}
BUILDER_KINDS = tuple(_BUILDERS)
# Which controls each kind of layer reads.
USES = {kind: uses for kind, (uses, _) in _BUILDERS.items()}


def layer_from_controls(kind, *, channels=8, size=3, stride=1, padding=0, p=0.25):
    """The layer spec a builder's controls describe.

    Parameters
    ----------
    kind : str
        One of :data:`BUILDER_KINDS`.
    channels : int
        Filters of a convolution, units of a dense layer.
    size, stride, padding : int
        Window of a convolution or a pooling layer.
    p : float
        Dropout probability.

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> layer_from_controls("conv", channels=16, size=5, padding=2)["kernel_size"]
    (5, 5)
    >>> layer_from_controls("maxpool", size=2, stride=2)["kind"]
    'maxpool'
    """
    if kind not in _BUILDERS:
        raise ValueError(f"kind must be one of {', '.join(BUILDER_KINDS)}, got {kind!r}")
    uses, make = _BUILDERS[kind]
    controls = {"channels": channels, "size": size, "stride": stride, "padding": padding,
                "p": p}
    return make(*(controls[name] for name in uses))


DEFAULT_SPEC = (
    arch.conv(8, 5, padding=2), arch.relu(), arch.maxpool(2),
    arch.conv(16, 3, padding=1), arch.relu(), arch.maxpool(2),
    arch.flatten(), arch.dense(3),
)


class ArchitectureBuilder(View):
    """Add, change and remove layers; shapes, parameters and errors update live; train it.

    The network classifies detector events (one channel, ``input size`` pixels per
    side, three classes). A layer that no longer fits (a window larger than its input,
    a dense layer on an image, ...) is reported in the view by name, with the reason.

    Parameters
    ----------
    spec : list of dict, optional
        The starting layers; default a small two-block CNN.
    input_size : int, default 32
    data : (images, labels), optional
        Training events for the train button, used while the input size matches
        theirs; otherwise 1,200 simulated events of the chosen size (made on the
        first click).

    Attributes
    ----------
    spec : list of dict
        The current layers.
    rows : list of dict
        Their table (empty when a layer does not fit).
    error : str
        Why the network cannot be built ("" when it can).
    layers : Select
        The layer list; "replace" and "remove" act on the selected one, "add" inserts
        after it.
    kind, channels, size, stride, padding, p : controls of the layer to add or replace
    add, replace, remove, train : Button
    input_size, epochs : IntSlider
    history : dict
        Lists "loss", "val_loss", "val_accuracy" of the last training.
    """

    ALT = ('Training and validation loss and accuracy of the network being built, against the '
           'epoch; empty until it is trained.')

    def __init__(self, spec=None, *, input_size=32, data=None):
        super().__init__()
        self.spec = [dict(layer) for layer in (DEFAULT_SPEC if spec is None else spec)]
        self.data = data
        self._events = {}
        self.history = {"loss": [], "val_loss": [], "val_accuracy": []}
        self.kind = Dropdown(options=BUILDER_KINDS, value="conv", description="layer")
        self.channels = IntSlider(value=8, min=1, max=64, description="channels/units",
                                  style={"description_width": "initial"})
        self.size = IntSlider(value=3, min=1, max=11, description="window")
        self.stride = IntSlider(value=1, min=1, max=4, description="stride")
        self.padding = IntSlider(value=1, min=0, max=5, description="padding")
        self.p = FloatSlider(value=0.25, min=0.0, max=0.9, step=0.05, description="p")
        self.add = widgets.Button(description="add after", icon="plus")
        self.replace = widgets.Button(description="replace", icon="pencil")
        self.remove = widgets.Button(description="remove", icon="trash")
        self.layers = Select(options=[], rows=6, description="network",
                                     layout=widgets.Layout(width="380px"))
        self.input_size = IntSlider(value=input_size, min=16, max=64, step=4,
                                            description="input size")
        self.epochs = IntSlider(value=3, min=1, max=10, description="epochs")
        self.train = widgets.Button(description="train", icon="play", button_style="success")
        self.message, self.table = widgets.HTML(), widgets.HTML()
        self.curves = TrainingPlot()
        self.fig = self.curves.fig
        # Controls in two columns and the table beside the curves: the whole builder stays
        # in sight on a slide and on a laptop screen.
        self.ui = widgets.VBox([
            widgets.HBox([self.layers, widgets.VBox([
                widgets.HBox([self.kind, self.p]),
                widgets.HBox([self.channels, self.size]),
                widgets.HBox([self.stride, self.padding]),
                widgets.HBox([self.add, self.replace, self.remove])])]),
            widgets.HBox([self.input_size, self.epochs, self.train]),
            self.message,
            widgets.HBox([self.table, self.image]),
        ])
        self.add.on_click(lambda button: self.add_layer())
        self.replace.on_click(lambda button: self.replace_layer())
        self.remove.on_click(lambda button: self.remove_layer())
        self.train.on_click(lambda button: self.fit())
        self.kind.observe(lambda change: self._enable_controls(), names="value")
        self.input_size.observe(lambda change: self._on_input_size(), names="value")
        self._enable_controls()
        self.update()
        self.redraw()

    # -- editing ---------------------------------------------------------------------

    def _enable_controls(self):
        used = USES[self.kind.value]
        for name in ("channels", "size", "stride", "padding", "p"):
            getattr(self, name).disabled = name not in used

    def current_layer(self) -> dict:
        """The layer spec the controls describe now."""
        return layer_from_controls(self.kind.value, channels=self.channels.value,
                                   size=self.size.value, stride=self.stride.value,
                                   padding=self.padding.value, p=self.p.value)

    def _selected(self):
        return self.layers.index if self.layers.index is not None else len(self.spec) - 1

    def add_layer(self) -> None:
        """Insert the controls' layer after the selected one (at the end if none)."""
        position = self._selected() + 1
        self.spec.insert(position, self.current_layer())
        self._forget_training()
        self.update(select=position)

    def replace_layer(self) -> None:
        """Replace the selected layer by the controls' layer."""
        if not self.spec:
            return self.add_layer()
        position = self._selected()
        self.spec[position] = self.current_layer()
        self._forget_training()
        self.update(select=position)

    def remove_layer(self) -> None:
        """Remove the selected layer (the last one if none is selected)."""
        if not self.spec:
            return
        position = self._selected()
        del self.spec[position]
        self._forget_training()
        self.update(select=min(position, len(self.spec) - 1))

    def _on_input_size(self) -> None:
        self._forget_training()
        self.update()

    def _forget_training(self) -> None:
        # The curves belong to the network before the edit: clear them.
        if self.history["loss"]:
            self.history = {"loss": [], "val_loss": [], "val_accuracy": []}
            self.curves.update([], [], [])
            self.redraw()

    # -- checking --------------------------------------------------------------------

    def input_shape(self):
        return (1, self.input_size.value, self.input_size.value)

    def update(self, select=None) -> None:
        """Recompute shapes and counts; show the table, or the first layer that does not fit."""
        self.layers.options = [f"{i}: {arch.describe(layer)}" for i, layer in
                               enumerate(self.spec)]
        if select is not None and self.spec:
            self.layers.index = select
        self.rows, self.error = [], ""
        if not self.spec:
            self.error = "the network is empty: add a layer"
        else:
            try:
                self.rows = arch.summarize(self.spec, self.input_shape())
            except arch.SpecError as error:
                self.error = str(error)
        if not self.error and self.rows[-1]["output_shape"] != (3,):
            self.error = (f"the network ends with shape {self.rows[-1]['output_shape']}; "
                          "to classify 3 kinds of event it must end with dense 3")
            self.table.value = _pre(arch.format_table(self.rows))
        elif not self.error:
            self.table.value = _pre(arch.format_table(self.rows))
        else:
            self.table.value = ""
        self.message.value = _error(self.error) if self.error else (
            f"{sum(r['params'] for r in self.rows):,} parameters: ready to train.")
        self.train.disabled = bool(self.error)

    # -- training --------------------------------------------------------------------

    def events(self):
        """The training events at the current input size (simulated once per size)."""
        size = self.input_size.value
        if self.data is not None and self.data[0].shape[-2:] == (size, size):
            return self.data
        if size not in self._events:
            images, labels, _ = detector_events(1200, seed=7, image_size=size)
            self._events[size] = (images, labels)
        return self._events[size]

    def fit(self) -> None:
        """Train the current network for ``epochs`` epochs and show its curves."""
        if self.error:
            return
        images, labels = self.events()
        try:
            net = arch.build(self.spec, self.input_shape(), seed=0)
        except ValueError as error:
            self.message.value = _error(str(error))
            return
        self.message.value = "training..."
        try:
            history = fit(net, images, labels, epochs=self.epochs.value, batch_size=32,
                          optimizer=Adam(net, lr=0.003), validation_split=0.25, progress=False)
        except TrainingDiverged as error:
            self.message.value = _error(str(error))
            return
        self.history = history.as_dict()
        accuracy = self.history["val_accuracy"][-1]
        self.message.value = (f"trained {self.epochs.value} epochs: validation accuracy "
                              f"{accuracy:.3f}")
        self.curves.update(self.history["loss"], self.history["val_loss"],
                           self.history["val_accuracy"])
        self.redraw()
