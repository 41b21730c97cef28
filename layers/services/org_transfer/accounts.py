"""The accounts a restore links members to: found by email as invites find them, or created."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower


def accounts_by_email(emails: list[str]) -> dict[str, Any]:
    """This instance's accounts by lowercased email, as invites find them: the oldest account
    with that email (any case), else the one whose username is the email."""
    wanted = {email.lower() for email in emails}
    by_email: dict[str, Any] = {}
    by_username: dict[str, Any] = {}
    users = get_user_model().objects.annotate(email_lower=Lower("email"))
    for user in users.filter(Q(email_lower__in=wanted) | Q(username__in=wanted)).order_by("id"):
        if user.email_lower in wanted:
            by_email.setdefault(user.email_lower, user)
        if user.username in wanted:
            by_username.setdefault(user.username, user)
    return by_username | by_email


def new_account(row: dict[str, Any]) -> Any:
    """An account for a user the file names and this instance lacks, without a usable password."""
    email = row["email"]
    user = get_user_model()(
        username=email.lower(),
        email=email if "@" in email else "",
        first_name=str(row["first_name"] or "")[:150],
        last_name=str(row["last_name"] or "")[:150],
    )
    user.set_unusable_password()
    user.save()
    return user
