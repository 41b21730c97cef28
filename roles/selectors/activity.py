"""The organization's activity log (issue 16): who changed members, invitations, people and
functions, and when, in plain words, from django-simple-history's records.

One page costs a fixed number of queries: the page of (kind, history id, when) from a UNION of
the four history tables, then the page's rows of each table with their previous versions, and
the names they refer to (functions, accounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import CharField, QuerySet, Value

from ..models import Function, Invite, Membership, Organization, Stakeholder

PAGE_SIZE = 50


@dataclass(frozen=True)
class Activity:
    at: datetime
    who: str
    what: str
    kind: str  # "person", "function", "member" or "invite": the label's colour


KINDS: dict[str, Any] = {
    "person": Stakeholder.history.model,
    "function": Function.history.model,
    "member": Membership.history.model,
    "invite": Invite.history.model,
}
KIND_LABELS = {"person": "Person", "function": "Function", "member": "Member", "invite": "Invitation"}


def _moments(organization: Organization, kinds: Iterable[str]) -> QuerySet[Any]:
    parts = [
        KINDS[kind]
        .objects.filter(organization_id=organization.pk)
        .annotate(kind=Value(kind, output_field=CharField()))
        .values("history_date", "history_id", "kind")
        .order_by()
        for kind in kinds
    ]
    first, *rest = parts
    return (
        first.union(*rest, all=True).order_by("-history_date", "-history_id")
        if rest
        else first.order_by("-history_date", "-history_id")
    )


def activity_page(organization: Organization, *, number: Any = 1, kind: str = "") -> Page:
    """One page of the log, newest first; `kind` narrows it to one of KINDS."""
    kinds = [kind] if kind in KINDS else list(KINDS)
    page = Paginator(_moments(organization, kinds), PAGE_SIZE).get_page(number)
    page.object_list = describe(list(page.object_list))
    return page


# --- in words ------------------------------------------------------------------------------------


def describe(moments: list[dict[str, Any]]) -> list[Activity]:
    ids: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for moment in moments:
        ids[moment["kind"]].append(moment["history_id"])
    records = {
        (kind, r.history_id): r
        for kind, wanted in ids.items()
        if wanted
        for r in KINDS[kind].objects.filter(history_id__in=wanted).select_related("history_user")
    }
    previous = _previous_versions(records.values())
    names = _Names(records.values(), previous.values())
    out = []
    for moment in moments:
        record = records[(moment["kind"], moment["history_id"])]
        before = previous.get((moment["kind"], record.history_id))
        what = WRITERS[moment["kind"]](record, before, names)
        out.append(Activity(record.history_date, _who(record), what, moment["kind"]))
    return out


def _previous_versions(records: Iterable[Any]) -> dict[tuple[str, int], Any]:
    """{(kind, history id): the version before it} for the changes among `records`, one query a kind."""
    found: dict[tuple[str, int], Any] = {}
    for kind, model in KINDS.items():
        mine = [r for r in records if isinstance(r, model) and r.history_type == "~"]
        if not mine:
            continue
        older = model.objects.filter(id__in={r.id for r in mine}).order_by("id", "-history_date", "-history_id")
        by_object: dict[int, list[Any]] = {}
        for row in older:
            by_object.setdefault(row.id, []).append(row)
        for record in mine:
            versions = by_object.get(record.id, [])
            earlier = [v for v in versions if (v.history_date, v.history_id) < (record.history_date, record.history_id)]
            if earlier:
                found[(kind, record.history_id)] = earlier[0]
    return found


class _Names:
    """Function names and account emails the page's records refer to (two queries)."""

    def __init__(self, *groups: Iterable[Any]) -> None:
        rows = [r for group in groups for r in group]
        function_ids = {getattr(r, "function_id", None) for r in rows} | {getattr(r, "parent_id", None) for r in rows}
        user_ids = {getattr(r, "user_id", None) for r in rows}
        self.functions = dict(Function.objects.filter(pk__in=function_ids - {None}).values_list("pk", "name"))
        users = get_user_model().objects.filter(pk__in=user_ids - {None})
        self.users = {u.pk: u.get_full_name() or u.email for u in users}

    def function(self, pk: int | None) -> str:
        return self.functions.get(pk, "a deleted function") if pk else "no function"

    def user(self, pk: int | None) -> str:
        return self.users.get(pk, "a deleted account") if pk else "nobody"


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return "The system"  # a scheduled task, a command, or a deleted account
    return user.get_full_name() or user.email


def _changed(record: Any, before: Any, fields: Iterable[str]) -> list[str]:
    return [f for f in fields if before is not None and getattr(record, f) != getattr(before, f)]


def _person(record: Any, before: Any, names: _Names) -> str:
    who = f"{record.full_name} ({record.email})"
    if record.history_type == "+":
        return f"Added {who} to {names.function(record.function_id)}"
    if record.history_type == "-":
        return f"Removed {who}"
    parts = []
    for field in _changed(record, before, ["full_name", "email", "title", "function_id", "user_id"]):
        old, new = getattr(before, field), getattr(record, field)
        if field == "function_id":
            parts.append(f"moved from {names.function(old)} to {names.function(new)}")
        elif field == "user_id":
            parts.append(f"linked to the account {names.user(new)}" if new else "unlinked from their account")
        else:
            label = {"full_name": "name", "email": "email", "title": "title"}[field]
            parts.append(f"{label} “{old or '—'}” → “{new or '—'}”")
    return f"Changed {record.full_name}: " + "; ".join(parts) if parts else f"Saved {who} (no change)"


def _function(record: Any, before: Any, names: _Names) -> str:
    if record.history_type == "+":
        return f"Added the function {record.name}"
    if record.history_type == "-":
        return f"Deleted the function {record.name}"
    parts = []
    for field in _changed(record, before, ["name", "category", "is_external", "description", "parent_id"]):
        if field == "name":
            parts.append(f"renamed from “{before.name}”")
        elif field == "category":
            labels = dict(Function.Category.choices)
            parts.append(f"category {labels.get(before.category)} → {labels.get(record.category)}")
        elif field == "is_external":
            parts.append("marked external" if record.is_external else "marked internal")
        elif field == "description":
            parts.append("description edited")
        else:
            parts.append(f"now inside {names.function(record.parent_id)}" if record.parent_id else "now top-level")
    return f"Changed the function {record.name}: " + "; ".join(parts) if parts else f"Saved the function {record.name}"


def _member(record: Any, before: Any, names: _Names) -> str:
    labels = dict(Membership.Access.choices)
    user = names.user(record.user_id)
    if record.history_type == "+":
        return f"Gave {user} {labels.get(record.access, record.access).lower()} access"
    if record.history_type == "-":
        return f"Removed {user} from the members"
    if _changed(record, before, ["access"]):
        old, new = labels.get(before.access, before.access), labels.get(record.access, record.access)
        return f"Changed {user}'s access from {old.lower()} to {new.lower()}"
    return f"Saved the membership of {user}"


def _invite(record: Any, before: Any, names: _Names) -> str:
    if record.history_type == "+":
        return f"Invited {record.email}"
    if record.history_type == "-":
        return f"Deleted the invitation of {record.email}"
    changed = set(_changed(record, before, ["revoked_at", "accepted_at", "requested_at", "expires_at"]))
    if "accepted_at" in changed and record.accepted_at:
        return f"{record.email} accepted the invitation"
    if "revoked_at" in changed and record.revoked_at:
        return f"Revoked the invitation of {record.email}"
    if changed & {"requested_at", "expires_at"}:
        return f"Sent the invitation of {record.email} again"
    return f"Updated the invitation of {record.email}"


WRITERS = {"person": _person, "function": _function, "member": _member, "invite": _invite}
