from lessons_lib.setup_check import REQUIRED, check_environment, environment_problems


def test_current_environment_is_complete(capsys):
    check_environment()
    assert f"All {len(REQUIRED)} packages" in capsys.readouterr().out


def test_missing_and_old_packages_are_reported():
    versions = dict.fromkeys(REQUIRED, "999.0")
    versions["numpy"] = "1.23.5"
    versions["sympy"] = None
    versions["ipywidgets"] = "8.0.0rc1"
    problems = environment_problems(versions)
    assert problems == [
        "numpy 1.23.5 is older than the 1.24 the course needs: run `make lab` again",
        "sympy is not installed: run `make lab` again",
    ]


def test_the_check_asks_for_the_ranges_of_pyproject():
    from pathlib import Path

    import pytest

    from lessons_lib.setup_check import LAB, RUNTIME

    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml")
                            .read_text())["project"]

    def lower_bounds(requirements):
        found = {}
        for requirement in requirements:
            name, rest = requirement.split(">=")
            found[name] = rest.split(",")[0]
        return found

    assert RUNTIME == lower_bounds(project["dependencies"])
    assert LAB == {name: low for name, low in
                   lower_bounds(project["optional-dependencies"]["lab"]).items() if name in LAB}
    assert set(LAB) <= set(lower_bounds(project["optional-dependencies"]["lab"]))
