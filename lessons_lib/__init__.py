"""Tested helpers for the CNN course: compute (numpy), plots (matplotlib), widgets (ipywidgets).

The compute modules sit at the top of the package, each with the readable version of
its formulas (what a lesson shows); ``lessons_lib.fast`` holds their optimised twins,
tested equal. ``lessons_lib.nn`` (layers, training) and ``lessons_lib.architectures``
(networks as data, built with nn) form the network layer on top of them;
``lessons_lib.plots`` draws results and ``lessons_lib.widgets`` wires controls to the
plots. Imports run one way, widgets → plots → network → compute
(``tests/test_layers.py``); symbols follow ``docs/notation.md``.
"""

__version__ = "0.1.0"
