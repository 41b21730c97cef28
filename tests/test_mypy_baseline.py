"""The mypy baseline of `make lint` (scripts/mypy_baseline.py) lets no new error in and only shrinks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mypy_baseline.py"
OLD = 'roles/api.py:12: error: Incompatible return value type (got "int", expected "str")  [return-value]'
NEW = 'layers/views/me.py:73: error: Argument "stakeholder" has incompatible type "None"  [arg-type]'


@pytest.fixture
def baseline(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("mypy_baseline", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "BASELINE", tmp_path / "mypy-baseline.txt")
    return module


def mypy_reports(module, monkeypatch, *lines):
    output = [*lines, "roles/api.py:12: note: See https://mypy.readthedocs.io", "Found 1 error in 1 file"]
    monkeypatch.setattr(module, "run_mypy", lambda arguments: output)


def test_errors_are_compared_without_their_line_numbers(baseline, monkeypatch):
    mypy_reports(baseline, monkeypatch, OLD)
    assert baseline.main(["--update"]) == 0
    assert baseline.BASELINE.read_text().splitlines()[-1] == (
        'roles/api.py: error: Incompatible return value type (got "int", expected "str")  [return-value]'
    )

    mypy_reports(baseline, monkeypatch, OLD.replace(":12:", ":40:"))  # the code moved down the file

    assert baseline.main([]) == 0


def test_a_new_error_fails_and_is_named(baseline, monkeypatch, capsys):
    mypy_reports(baseline, monkeypatch, OLD)
    baseline.main(["--update"])
    mypy_reports(baseline, monkeypatch, OLD, NEW)

    assert baseline.main([]) == 1
    err = capsys.readouterr().err
    assert "1 new error(s)" in err and "layers/views/me.py: error: Argument" in err


def test_the_same_error_once_more_in_a_file_is_new(baseline, monkeypatch):
    mypy_reports(baseline, monkeypatch, OLD)
    baseline.main(["--update"])
    mypy_reports(baseline, monkeypatch, OLD, OLD.replace(":12:", ":90:"))

    assert baseline.main([]) == 1


def test_a_fixed_error_fails_until_the_baseline_shrinks(baseline, monkeypatch, capsys):
    mypy_reports(baseline, monkeypatch, OLD, NEW)
    baseline.main(["--update"])
    mypy_reports(baseline, monkeypatch, OLD)

    assert baseline.main([]) == 1
    assert "shrink it: make mypy-baseline" in capsys.readouterr().err

    baseline.main(["--update"])
    assert baseline.main([]) == 0
    assert len(baseline.read_baseline()) == 1
