"""The session's user is read as ModelBackend reads it (roles.backends.EmailBackend.get_user)."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from roles.backends import EmailBackend

pytestmark = pytest.mark.django_db


def test_get_user_answers_as_django_s_own():
    active = User.objects.create_user("a", "a@example.test", "pw")
    inactive = User.objects.create_user("b", "b@example.test", "pw", is_active=False)
    ours, django = EmailBackend(), ModelBackend()
    for user_id in (active.pk, str(active.pk), inactive.pk, str(inactive.pk), active.pk + 1000, "abc", "", None):
        mine, theirs = (ours.get_user(user_id), _or_none(django, user_id))
        assert (mine and mine.pk) == (theirs and theirs.pk), user_id
    assert ours.get_user(str(active.pk)).email == "a@example.test"


def _or_none(backend, user_id):
    try:
        return backend.get_user(user_id)
    except (ValueError, TypeError):  # Django's raises on a key that is no number
        return None
