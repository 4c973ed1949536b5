"""Lesson 00's environment check: are the packages the course needs installed?

The browser edition checks the packages its site ships (the page itself is the lab);
:mod:`lessons_lib._platform` tells the editions apart.
"""

from __future__ import annotations

from importlib import metadata

from lessons_lib._platform import in_browser

RUNTIME = {
    "numpy": "1.24",
    "matplotlib": "3.7",
    "ipywidgets": "8.0",
    "tqdm": "4.65",
    "sympy": "1.12",
}
"""What lessons_lib needs to run: its dependencies in pyproject.toml (both editions)."""

LAB = {
    "jupyterlab": "4.0",
    "jupyterlab-slideshow": "0.3",
    "threadpoolctl": "3.1",
}
"""What ``make lab`` adds on a machine (pyproject.toml's ``lab`` extra)."""

REQUIRED = RUNTIME if in_browser() else RUNTIME | LAB
"""Distribution name → minimum version (the ranges of pyproject.toml) for this edition."""

FIX = ("reload the page (the browser edition ships these packages)" if in_browser()
       else "run `make lab` again")
"""What a student does about a missing or old package."""


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def package_versions() -> dict[str, str | None]:
    """Installed version of every required package (None when missing)."""
    versions = {}
    for name in REQUIRED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def environment_problems(versions=None) -> list[str]:
    """What is missing or too old, one sentence each; empty when all is well.

    Examples
    --------
    >>> versions = dict.fromkeys(REQUIRED, "99.0") | {"numpy": "1.20.0", "tqdm": None}
    >>> for problem in environment_problems(versions):
    ...     print(problem)
    numpy 1.20.0 is older than the 1.24 the course needs: run `make lab` again
    tqdm is not installed: run `make lab` again
    """
    versions = package_versions() if versions is None else versions
    problems = []
    for name, minimum in REQUIRED.items():
        found = versions.get(name)
        if found is None:
            problems.append(f"{name} is not installed: {FIX}")
        elif _version_tuple(found) < _version_tuple(minimum):
            problems.append(
                f"{name} {found} is older than the {minimum} the course needs: {FIX}"
            )
    return problems


def check_environment() -> None:
    """Print a one-line verdict, or the list of problems to fix."""
    problems = environment_problems()
    if problems:
        print("Some packages need attention:\n- " + "\n- ".join(problems))
    else:
        print(f"All {len(REQUIRED)} packages the course needs are installed.")
