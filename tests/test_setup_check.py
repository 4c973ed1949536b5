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
