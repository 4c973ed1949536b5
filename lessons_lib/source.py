"""Show the real source of a course function in a notebook, instead of a pasted copy.

A lesson that wants the student to read code calls ``show_source(correlate)``: the text
shown is read from ``lessons_lib`` when the cell runs, so it cannot drift from the code
the tests check, as a copy in a markdown fence would.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

PACKAGE = "lessons_lib"


@dataclass(frozen=True)
class Source:
    """The source of one function or class; a notebook shows it as highlighted Python."""

    name: str
    module: str
    code: str

    def _repr_markdown_(self) -> str:
        return f"`{self.module}.{self.name}`\n\n```python\n{self.code}\n```"

    def __repr__(self) -> str:
        return f"# {self.module}.{self.name}\n{self.code}"


def show_source(function, *, docstring=False) -> Source:
    """The source code of a function or class of ``lessons_lib``, ready to display.

    Parameters
    ----------
    function : function or class
        Defined in ``lessons_lib`` (the readable version a lesson teaches).
    docstring : bool, default False
        Keep the docstring; by default it is left out, since the lesson's text explains
        what the code does and the student should read the code.

    Returns
    -------
    Source
        Shows as a highlighted code block in JupyterLab and in the exported decks.

    Raises
    ------
    TypeError
        If ``function`` is not a function or class defined in ``lessons_lib``.

    Examples
    --------
    >>> from lessons_lib.shapes import output_size
    >>> lines = repr(show_source(output_size)).splitlines()
    >>> lines[0], lines[1].startswith("def output_size("), "Parameters" in repr(lines)
    ('# lessons_lib.shapes.output_size', True, False)
    """
    if not (inspect.isfunction(function) or inspect.isclass(function)):
        raise TypeError(f"function must be a function or class of {PACKAGE}, got "
                        f"{type(function).__name__}")
    module = getattr(function, "__module__", "") or ""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        raise TypeError(f"function must be defined in {PACKAGE}, got one from {module!r}")
    code = inspect.getsource(function).rstrip()
    if not docstring and function.__doc__:
        code = _without_docstring(code)
    return Source(function.__qualname__, module, code)


def _without_docstring(code: str) -> str:
    import ast

    tree = ast.parse(code)
    body = tree.body[0].body
    first = body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return code
    lines = code.splitlines()
    # Lines are 1-based in ast; drop the docstring's lines (and a blank line after it).
    start, end = first.lineno - 1, first.end_lineno
    if end < len(lines) and not lines[end].strip():
        end += 1
    return "\n".join(lines[:start] + lines[end:])
