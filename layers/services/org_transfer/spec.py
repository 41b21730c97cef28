"""The organization file: its sections, which columns each carries, and how ids become names.

A file names everything by a natural key, never by a database id, so it restores into any
instance: a function by its name, a person by their email, a product by its slug, an
assignment by (product, function, layer), a partnership by its two function names, a user
by their email. Columns are copied under their model field names; links (foreign keys,
many-to-many) are written as those natural keys.

Coverage reports keep ids inside their JSON (gap targets, ring members). Those are turned
into `{"$ref": kind, "key": natural key}` on export and back into the new ids on restore;
an id of something deleted since the report was built points nowhere and is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import models

from layers.models import (
    Assignment,
    AssignmentChange,
    CampaignReminder,
    CoverageReport,
    DismissedSuggestion,
    Product,
    Review,
    ReviewCampaign,
)
from roles.models import (
    Disruption,
    Function,
    FunctionAlias,
    Membership,
    Organization,
    Partnership,
    PartnershipCheckIn,
    Stakeholder,
)

FORMAT = "wholeproduct-organization"
VERSION = 1

# Columns copied as they are (dates and times as ISO 8601 text), per model.
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Organization: ("slug", "name", "go_to_market", "created_at"),
    Membership: ("access", "created_at"),
    Function: ("name", "category", "is_external", "description", "created_at"),
    FunctionAlias: ("label", "created_at"),
    Stakeholder: ("email", "full_name", "title", "created_at", "updated_at"),
    Product: ("slug", "name", "description", "created_at"),
    Assignment: ("emphasis", "contribution", "source", "version", "created_at", "changed_at"),
    AssignmentChange: ("action", "before", "after", "at", "source"),
    DismissedSuggestion: ("at",),
    Review: ("verdict", "comment", "created_at", "resolution", "resolution_note", "resolved_at"),
    Partnership: (
        "trust",
        "shared_goal",
        "cadence",
        "feedback_carried",
        "last_checked_on",
        "needs_trust_check",
        "version",
        "created_at",
        "updated_at",
    ),
    PartnershipCheckIn: ("trust", "note", "checked_on", "created_at"),
    Disruption: ("kind", "title", "note", "occurred_on", "effective_at", "created_at"),
    ReviewCampaign: ("name", "starts_at", "deadline", "status", "summary", "created_at", "closed_at"),
    CampaignReminder: ("sent_on", "sent_at"),
    CoverageReport: (
        "run_key",
        "trigger",
        "generated_at",
        "score",
        "layer_coverage",
        "function_coverage",
        "review_coverage",
        "agreement",
        "layers",
        "gaps",
        "totals",
        "data",
        "duration_ms",
    ),
}

# Links written as natural keys (or implied by where a row sits in the file), per model.
LINKS: dict[type[models.Model], tuple[str, ...]] = {
    Organization: (),
    Membership: ("organization", "user"),
    # created_by (issue 16) is written by every export and optional in a file, so older files restore.
    Function: ("organization", "parent", "created_by"),
    FunctionAlias: ("organization", "function"),  # a function row's "aliases"
    Stakeholder: ("organization", "function", "user", "manager", "created_by"),
    Product: ("organization", "head", "created_by"),
    Assignment: ("product", "function", "layer", "changed_by", "organization"),
    AssignmentChange: ("product", "function", "layer", "by", "organization"),
    DismissedSuggestion: ("product", "function", "layer", "by", "organization"),
    Review: ("assignment", "stakeholder", "suggested_layer", "resolved_by", "organization"),
    Partnership: ("organization", "function_a", "function_b"),
    PartnershipCheckIn: ("partnership", "by", "organization"),
    Disruption: ("organization", "functions", "created_by"),
    ReviewCampaign: ("product", "functions", "created_by", "organization"),
    CampaignReminder: ("campaign", "stakeholder", "organization"),
    CoverageReport: ("product", "organization", "requested_by"),
}

# Columns derived from others and made again on restore, never read from a file: a function's
# stored playbook match comes from its name (roles.services.playbook_matches); a disruption whose
# date has come is applied on restore, a planned one waits for the beat task
# (roles.services.disruptions).
DERIVED: dict[type[models.Model], tuple[str, ...]] = {
    Function: ("playbook_name", "playbook_hints"),
    Disruption: ("applied_at",),
}

# Kept out on purpose: invites carry single-use secrets (invite people again after a restore),
# import uploads are transient copies of HR files, export files transient copies of reports (each
# rebuilt on demand), passwords never leave the instance, and the activity log is this instance's
# record of who did what here (a restore starts a new one).
NOT_EXPORTED = ("invites", "import uploads", "export files", "passwords", "the activity log")

# Keys a row may have that older files (before issue 14) lack: a function's confirmed "aliases"
# (label, created_at) and a person's "manager" (an email). Read when present, never required.
OPTIONAL_KEYS: dict[str, frozenset[str]] = {"functions": frozenset({"aliases"}), "people": frozenset({"manager"})}

# Keys of a row in each section of the file (columns plus links by natural key).
SECTION_KEYS: dict[str, frozenset[str]] = {
    "organization": frozenset(COLUMNS[Organization]),
    "users": frozenset({"email", "first_name", "last_name"}),
    "memberships": frozenset({"user", *COLUMNS[Membership]}),
    "functions": frozenset({"parent", *COLUMNS[Function]}),
    "people": frozenset({"function", "user", *COLUMNS[Stakeholder]}),
    "products": frozenset({"head", *COLUMNS[Product]}),
    "assignments": frozenset({"product", "function", "layer", "changed_by", *COLUMNS[Assignment]}),
    "assignment_changes": frozenset({"product", "function", "layer", "by", *COLUMNS[AssignmentChange]}),
    "dismissed_suggestions": frozenset({"product", "function", "layer", "by", *COLUMNS[DismissedSuggestion]}),
    "reviews": frozenset(
        {"product", "function", "layer", "person", "suggested_layer", "resolved_by", *COLUMNS[Review]}
    ),
    "partnerships": frozenset({"functions", "check_ins", *COLUMNS[Partnership]}),
    "check_ins": frozenset({"by", *COLUMNS[PartnershipCheckIn]}),
    "disruptions": frozenset({"functions", "created_by", *COLUMNS[Disruption]}),
    "campaigns": frozenset({"product", "functions", "created_by", "reminders", *COLUMNS[ReviewCampaign]}),
    "reminders": frozenset({"person", *COLUMNS[CampaignReminder]}),
    "reports": frozenset({"product", "requested_by", *COLUMNS[CoverageReport]}),
}
# The list sections of the file, in the order a restore writes them.
LIST_SECTIONS = (
    "users",
    "memberships",
    "functions",
    "people",
    "products",
    "assignments",
    "assignment_changes",
    "dismissed_suggestions",
    "reviews",
    "partnerships",
    "disruptions",
    "campaigns",
    "reports",
)
SECTION_LABELS = {
    "memberships": "Members",
    "functions": "Functions",
    "function_aliases": "Confirmed department labels",
    "people": "People",
    "products": "Products",
    "assignments": "Assignments",
    "assignment_changes": "Assignment history entries",
    "dismissed_suggestions": "Dismissed suggestions",
    "reviews": "Reviews",
    "partnerships": "Partnerships",
    "check_ins": "Partnership check-ins",
    "disruptions": "Disruptions",
    "campaigns": "Review campaigns",
    "reminders": "Campaign reminders",
    "reports": "Coverage reports",
    "users": "User accounts referred to",
}


def encode(value: Any) -> Any:
    """A column's value as JSON: dates and times as ISO 8601 text, the rest as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def columns_of(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    return {name: encode(row[name]) for name in COLUMNS[model]}


# --- ids inside report JSON ------------------------------------------------------------------------

# Which kind of object an id under each key names.
ID_KEYS = {
    "function_id": "function",
    "lead_function_id": "function",
    "a_function_id": "function",
    "b_function_id": "function",
    "partnership_id": "partnership",
    "assignment_id": "assignment",
    "stakeholder_id": "person",
    "product_id": "product",
}
REF = "$ref"
MISSING = object()


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {REF, "key"}


def translate_ids(value: Any, resolve: Callable[[str, Any], Any]) -> Any:
    """Copy `value` (report JSON) with every id under an ID_KEYS key replaced by resolve(kind,
    value); a key whose value resolves to MISSING is left out."""
    if isinstance(value, list):
        return [translate_ids(item, resolve) for item in value]
    if not isinstance(value, dict):
        return value
    copied: dict[str, Any] = {}
    for key, item in value.items():
        kind = ID_KEYS.get(key)
        if kind is None or item is None:
            copied[key] = translate_ids(item, resolve)
            continue
        resolved = resolve(kind, item)
        if resolved is not MISSING:
            copied[key] = resolved
    return copied
