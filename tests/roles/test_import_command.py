"""`manage.py import_org FILE --org SLUG [--dry-run]`: the same service, on the command line."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from roles.models import Function, Stakeholder
from roles.services.imports import planning

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def no_playbook(monkeypatch):
    monkeypatch.setattr(planning, "playbook_match", lambda name: None)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_org", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts(org) -> tuple[int, int]:
    return Stakeholder.objects.filter(organization=org).count(), Function.objects.filter(organization=org).count()


def test_it_imports_a_file_and_prints_the_totals(org):
    out, _ = run(str(FIXTURES / "good.csv"), "--org", "acme")
    assert "Rows: 8 — create 8, update 0, unchanged 0, errors 0. Functions: create 7, update 0." in out
    assert "Imported into acme in" in out
    assert counts(org) == (8, 7)


def test_running_it_again_changes_nothing(org):
    run(str(FIXTURES / "good.xlsx"), "--org", "acme")
    out, _ = run(str(FIXTURES / "good.xlsx"), "--org", "acme")
    assert "create 0, update 0, unchanged 3, errors 0" in out
    assert counts(org) == (3, 2)


def test_a_dry_run_writes_nothing(org):
    out, _ = run(str(FIXTURES / "good.csv"), "--org", "acme", "--dry-run")
    assert "create 8" in out
    assert "Dry run: nothing was written." in out
    assert counts(org) == (0, 0)


def test_a_file_with_errors_prints_them_and_fails(org):
    err = StringIO()
    with pytest.raises(CommandError, match=r"The file has 1 error; nothing was imported\."):
        call_command(
            "import_org", str(FIXTURES / "malformed_email.csv"), "--org", "acme", stdout=StringIO(), stderr=err
        )
    assert 'Row 3, column "Work Email" (B): "grace.hopper@" is not a valid email address.' in err.getvalue()
    assert counts(org) == (0, 0)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("binary.csv", "This is not a CSV or XLSX file"),
        ("truncated.xlsx", "This XLSX file is damaged or incomplete"),
    ],
)
def test_an_unreadable_file_fails_with_the_reason(org, name, message):
    with pytest.raises(CommandError, match=message):
        run(str(FIXTURES / name), "--org", "acme")
    assert counts(org) == (0, 0)


def test_an_unknown_layout_needs_columns_named(org, tmp_path):
    with pytest.raises(CommandError, match=r'Choose a column for: .*"Employee Nm", "Courriel"'):
        run(str(FIXTURES / "unknown_layout.csv"), "--org", "acme")
    # Its "Manager" column is read too (issue 14): "Nobody" is no one, so that row is an error,
    # and Alan, whose manager is that row's Ada, cannot be linked to her either.
    err = StringIO()
    with pytest.raises(CommandError, match="The file has 2 errors"):
        call_command(
            "import_org",
            str(FIXTURES / "unknown_layout.csv"),
            "--org",
            "acme",
            *("--column", "full_name=Employee Nm", "--column", "email=courriel", "--column", "function=Org Unit"),
            stdout=StringIO(),
            stderr=err,
        )
    assert 'Row 2, column "Manager" (D): no one in the file or the organization is named "Nobody".' in err.getvalue()
    assert 'Row 3, column "Manager" (D): the manager\'s row (2) has errors' in err.getvalue()
    assert counts(org) == (0, 0)
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes((FIXTURES / "unknown_layout.csv").read_bytes().replace(b"Nobody", b""))
    run(
        str(fixed),
        "--org",
        "acme",
        "--column",
        "full_name=Employee Nm",
        "--column",
        "email=courriel",
        "--column",
        "function=Org Unit",
    )
    assert counts(org) == (2, 2)


def test_an_unknown_organization_or_missing_file_fails(org, tmp_path):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        run(str(FIXTURES / "good.csv"), "--org", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"), "--org", "acme")


def test_the_exit_code_is_non_zero_on_a_bad_file():
    """The real command line, as a cron job would see it (a separate process, its own database)."""
    env = {"PATH": "/usr/bin:/bin", "SQLITE_PATH": ":memory:", "WHOLEPRODUCT_STATE_DIR": str(settings.STATE_DIR)}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_org", str(FIXTURES / "empty.csv"), "--org", "acme"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "The file is empty." in result.stderr  # checked before the database is opened
