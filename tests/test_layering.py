"""The wiring that keeps `roles` below `layers` (DESIGN §9) is in place in every process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from celery import current_app

from layers.readmodel import hooks as readmodel
from roles import hooks

REPOSITORY = Path(__file__).resolve().parent.parent
QUEUED_BY_NAME = re.compile(r"""\btask\(\s*["']([\w.]+)["']\s*\)""")


def test_the_read_model_follows_the_writes_of_roles():
    assert readmodel in hooks.listeners()
    assert isinstance(readmodel, hooks.Listener)


def test_a_listener_missing_a_hook_is_refused():
    class Partial:
        def people_changed(self, *, organization_id, function_ids):
            pass

    with pytest.raises(TypeError, match=r"does not implement roles\.hooks\.Listener"):
        hooks.register(Partial())
    assert len(hooks.listeners()) == 1


def test_registering_the_same_listener_twice_keeps_one():
    hooks.register(readmodel)

    assert hooks.listeners().count(readmodel) == 1


def test_every_task_a_service_queues_by_name_is_registered():
    names = {
        name
        for package in ("roles", "layers", "shared", "wholeproduct")
        for path in (REPOSITORY / package).rglob("*.py")
        for name in QUEUED_BY_NAME.findall(path.read_text(encoding="utf-8"))
    }

    assert {"roles.commit_import", "layers.build_report", "layers.send_invites"} <= names
    assert names - set(current_app.tasks) == set()
