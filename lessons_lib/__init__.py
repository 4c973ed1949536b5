"""Tested helpers for the CNN course: compute (numpy), plots (matplotlib), widgets (ipywidgets).

The compute modules sit at the top of the package; ``lessons_lib.plots`` draws their
results and ``lessons_lib.widgets`` wires controls to the plots. Imports run one way:
widgets → plots → compute.
"""

__version__ = "0.1.0"
