"""Interactive views: the time from setting a control to a redrawn picture.

For each of the course's views, on the inputs its lesson gives it (an untrained network and
a few random events where a lesson trains one first), one control is set to alternating values, each
assignment a real change that redraws; the figure is the median of 9. What a student
waits for after releasing a slider (the views recompute on release). There is no
reference to pair with; the filter explorer's row, the heaviest computation of any
view (a 101 x 101 filter over a 512 x 512 photograph), has the target of at most 100 ms.
"""

from __future__ import annotations

import numpy as np
from run import TIME, median, row, wall_times

REPEAT = 9


def views():
    """``(name, make a view, the attribute of the control set, two values)``."""
    from lessons_lib.nn.models import detector_cnn
    from lessons_lib.nn.transformer import tiny_vit
    from lessons_lib.widgets.architectures import ArchitectureBrowser
    from lessons_lib.widgets.attention import AttentionExplorer, PatchSizeExplorer
    from lessons_lib.widgets.backprop import FilterLearner, TapExplorer
    from lessons_lib.widgets.cnn import FeatureMapExplorer
    from lessons_lib.widgets.convolution import ConvolutionStepper, FilterExplorer
    from lessons_lib.widgets.metrics import ImbalanceExplorer, ThresholdExplorer
    from lessons_lib.widgets.pooling import PhotoPooling, PoolingStepper
    from lessons_lib.widgets.start import SmoothingDemo

    rng = np.random.default_rng(0)
    events = rng.random((3, 1, 64, 64)).astype(np.float32)
    small = rng.random((3, 1, 16, 16)).astype(np.float32)
    labels = rng.integers(0, 2, 200)
    scores = np.clip(labels * 0.4 + rng.random(200) * 0.6, 0, 1)
    return [
        ("SmoothingDemo, width", SmoothingDemo, "width", None),
        ("ConvolutionStepper, step", ConvolutionStepper, "step", None),
        ("FilterExplorer, size (101 x 101 box blur on 512 x 512)",
         lambda: FilterExplorer("camera", filter_name="box blur", size=99), "size", (101, 99)),
        ("TapExplorer, tap", TapExplorer, "tap", (1, 0)),
        ("FilterLearner, learning rate", FilterLearner, "learning_rate", None),
        ("PoolingStepper, step", PoolingStepper, "step", None),
        ("PhotoPooling, factor", lambda: PhotoPooling("camera"), "factor", None),
        ("FeatureMapExplorer, event", lambda: FeatureMapExplorer(
            detector_cnn(), events, [0, 1, 2], ("a", "b", "c")), "event", None),
        ("ThresholdExplorer, threshold", lambda: ThresholdExplorer(labels, scores),
         "threshold", None),
        ("ImbalanceExplorer, prevalence", lambda: ImbalanceExplorer(0.9, 0.05),
         "prevalence", None),
        ("PatchSizeExplorer, patch size", PatchSizeExplorer, "patch_size", None),
        ("AttentionExplorer, event", lambda: AttentionExplorer(
            tiny_vit((1, 16, 16), 3, patch_size=4, embed_dim=8, depth=2, num_heads=2, rng=2),
            small, [0, 1, 2], ("a", "b", "c")), "event", None),
        ("ArchitectureBrowser, input size", lambda: ArchitectureBrowser("vgg16"),
         "input_size", None),
    ]


def update_ms(view, attribute, values) -> float:
    """Median time of setting ``view.<attribute>`` alternately to two values, in ms.

    ``values`` None: a slider's end farthest from its value, and that value.
    """
    control = getattr(view, attribute)
    if values is None:
        other = control.max if control.value != control.max else control.min
        values = (other, control.value)
    assignments = iter(range(REPEAT))
    return 1000 * median(wall_times(
        lambda: setattr(control, "value", values[next(assignments) % 2]), REPEAT))


def run():
    rows = []
    for name, make, attribute, values in views():
        view = make()
        ms = update_ms(view, attribute, values)
        rows.append(row(f"{name}: set to redrawn", ours=ms, unit="ms", kind=TIME, threads=1,
                        target="<= 100 ms" if name.startswith("FilterExplorer") else None))
    return rows
