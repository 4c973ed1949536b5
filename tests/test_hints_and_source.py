"""Hints in levels (a nudge, the idea, the answer) and code shown from its real source."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import jupytext
import pytest

from lessons_lib import exercises
from lessons_lib.exercises import HINT_LEVELS, Hint, hinted_checks, hints, show_hint
from lessons_lib.source import Source, show_source

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
# The lessons whose exercises give their hints in levels.
HINTED_TOPICS = ("convolution", "backprop", "pooling")


def checks_of(topic):
    module = importlib.import_module(f"lessons_lib.exercises.{topic}")
    return [value for name, value in vars(module).items()
            if name.startswith("check_") and inspect.isfunction(value)
            and value.__module__ == module.__name__]


@pytest.mark.parametrize("topic", HINTED_TOPICS)
def test_every_check_has_three_levels_of_hints(topic):
    checks = checks_of(topic)
    assert checks
    for check in checks:
        assert len(getattr(check, "hints", ())) == len(HINT_LEVELS), check.__name__
        assert check.exercise.startswith("Exercise")


@pytest.mark.parametrize("check", list(hinted_checks().values()), ids=lambda c: c.__name__)
def test_the_first_hint_does_not_give_the_answer(check):
    nudge, idea, answer = check.hints
    assert len({nudge, idea, answer}) == 3
    assert answer not in nudge and answer not in idea
    first = show_hint(check, 1)
    assert first.level == 1 and first.text == nudge
    assert "hint 1 of 3 (a nudge)" in repr(first)
    assert f"show_hint({check.__name__}, 2)" in repr(first)
    assert "More:" not in repr(show_hint(check, 3))


def test_repeated_calls_climb_the_levels_and_stop_at_the_answer(monkeypatch):
    monkeypatch.setattr(exercises, "_SHOWN", {})

    @hints("Exercise 0", "nudge", "idea", "answer")
    def check_something(answer):
        return answer

    assert [show_hint(check_something).level for _ in range(4)] == [1, 2, 3, 3]
    assert show_hint(check_something, 1).text == "nudge"
    assert show_hint(check_something).level == 3  # the levels already shown stay shown


def test_a_check_is_found_by_name():
    name, check = next(iter(hinted_checks().items()))
    assert show_hint(name, 2) == Hint(check.exercise, name, 2, check.hints[1])


@pytest.mark.parametrize("exercise, level, error, words", [
    (print, 1, TypeError, "check function"),
    (42, 1, TypeError, "check function"),
    ("check_nothing", 1, ValueError, "must name a check with hints"),
    ("HINTED", 0, ValueError, "level must be 1"),
    ("HINTED", 4, ValueError, "level must be 1"),
    ("HINTED", 1.5, TypeError, "level must be 1, 2 or 3"),
    ("HINTED", True, TypeError, "level must be 1, 2 or 3"),
])
def test_bad_hint_requests_are_named(exercise, level, error, words):
    if exercise == "HINTED":
        exercise = next(iter(hinted_checks()))
    with pytest.raises(error, match=words):
        show_hint(exercise, level)


def test_hints_refuses_an_empty_level():
    with pytest.raises(ValueError, match="nudge, an idea and an answer"):
        hints("Exercise 1", "look", " ", "4")


def test_show_source_reads_the_library_without_the_docstring():
    from lessons_lib.convolution import correlate

    source = show_source(correlate)
    assert isinstance(source, Source)
    assert source.code.startswith("def correlate(")
    assert correlate.__doc__.strip().splitlines()[0] not in source.code
    assert "```python" in source._repr_markdown_()
    ast.parse(source.code)
    with_doc = show_source(correlate, docstring=True)
    assert correlate.__doc__.strip().splitlines()[0] in with_doc.code


@pytest.mark.parametrize("value", [len, ast.parse, "correlate", 3, Path])
def test_show_source_refuses_what_is_not_course_code(value):
    with pytest.raises(TypeError, match="function"):
        show_source(value)


def show_source_targets(lesson: Path) -> list[tuple[str, str | None]]:
    """(name, module it is imported from in the lesson) for every show_source(name) call."""
    code = "\n".join(cell.source for cell in jupytext.read(lesson, fmt="py:percent").cells
                     if cell.cell_type == "code")
    tree = ast.parse(code)
    imported = {alias.asname or alias.name: node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) for alias in node.names}
    return [(call.args[0].id, imported.get(call.args[0].id)) for call in ast.walk(tree)
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "show_source"
            and call.args and isinstance(call.args[0], ast.Name)]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_show_source_target_exists(lesson):
    for name, module in show_source_targets(lesson):
        assert module is not None and module.startswith("lessons_lib"), (
            f"{lesson.stem}: show_source({name}) needs {name} imported from lessons_lib")
        show_source(getattr(importlib.import_module(module), name))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_no_code_is_pasted_into_markdown(lesson):
    pasted = [i for i, cell in enumerate(jupytext.read(lesson, fmt="py:percent").cells)
              if cell.cell_type == "markdown" and "```python" in cell.source]
    assert pasted == [], "show the code with show_source(function) instead of a copy"
