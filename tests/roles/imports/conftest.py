"""What the import page tests share: the fixture files, a ready import, eager tasks, and no playbook
lookups (autouse)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roles.models import Function, Stakeholder
from roles.services import imports
from roles.services.imports import planning

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
HEADER = "Full Name,Email,Job Title,Department,Category,Parent Function\r\n"


@pytest.fixture(autouse=True)
def no_playbook(monkeypatch):
    monkeypatch.setattr(planning, "playbook_match", lambda name: None)


@pytest.fixture
def eager_celery(settings):
    """Run queued tasks in the test's process, as the brief allows (no worker needed)."""
    from wholeproduct.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes() if content is None else content)


def people(org) -> int:
    return Stakeholder.objects.filter(organization=org).count()


def functions(org) -> int:
    return Function.objects.filter(organization=org).count()


@pytest.fixture
def ready_job(org, leader):
    return imports.start_import(
        organization=org, by=leader, filename="good.csv", content=(FIXTURES / "good.csv").read_bytes()
    )


def urls_for(org_slug: str, token) -> dict[str, str]:
    return {
        "import": reverse("import", kwargs={"org": org_slug}),
        "mapping": reverse("import-mapping", kwargs={"org": org_slug, "token": token}),
        "preview": reverse("import-preview", kwargs={"org": org_slug, "token": token}),
        "job": reverse("import-job", kwargs={"org": org_slug, "token": token}),
        "csv": reverse("people-export", kwargs={"org": org_slug, "fmt": "csv"}),
        "xlsx": reverse("people-export", kwargs={"org": org_slug, "fmt": "xlsx"}),
    }
