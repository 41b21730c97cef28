"""Organization export and restore (issue 8 item 7): one JSON file holds a whole organization.

- spec: the file's sections and columns, and how ids inside report JSON become names
- exporting: an organization -> a dict, every link a natural key (slugs, names, emails)
- restoring: a dict -> a new organization (under its slug or another), all or nothing

The page /o/<org>/export/ and `manage.py export_org` write the file; `manage.py restore_org`
reads it (restoring is an operator's job: it creates accounts and whole organizations).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

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
from roles.models import Disruption, Function, Membership, Organization, Partnership, PartnershipCheckIn, Stakeholder
from shared.exports import ExportFile, json_bytes

from .checking import TransferFileError, check_shape, loads
from .exporting import export_organization
from .restoring import RestoreResult, restore_organization
from .spec import FORMAT, NOT_EXPORTED, SECTION_LABELS, VERSION

__all__ = [
    "FORMAT",
    "NOT_EXPORTED",
    "SECTION_LABELS",
    "VERSION",
    "RestoreResult",
    "TransferFileError",
    "check_shape",
    "dumps",
    "export_counts",
    "export_file",
    "export_organization",
    "filename_for",
    "loads",
    "restore_organization",
    "section_counts",
]


def dumps(data: dict[str, Any]) -> bytes:
    """The file's bytes: compact UTF-8 JSON (indenting takes json's slow pure-Python path, four
    times slower on a large organization; `python -m json.tool` shows it indented)."""
    return json_bytes(data, indent=None)


def filename_for(organization: Organization) -> str:
    return f"{organization.slug}-{timezone.localtime():%Y-%m-%d-%H%M}.wpm.json"


def export_file(organization: Organization) -> ExportFile:
    """The organization as a file of the export framework (a document, not tables)."""
    payload = dumps(export_organization(organization=organization))
    return ExportFile(filename_for(organization), "application/json; charset=utf-8", payload)


def export_counts(organization: Organization) -> dict[str, int]:
    """How many of each thing an export of `organization` holds (what the export page shows)."""
    in_org = {"organization": organization}
    counts = {
        "memberships": Membership.objects.filter(**in_org).count(),
        "functions": Function.objects.filter(**in_org).count(),
        "people": Stakeholder.objects.filter(**in_org).count(),
        "products": Product.objects.filter(**in_org).count(),
        "assignments": Assignment.objects.filter(**in_org).count(),
        "assignment_changes": AssignmentChange.objects.filter(**in_org).count(),
        "dismissed_suggestions": DismissedSuggestion.objects.filter(**in_org).count(),
        "reviews": Review.objects.filter(**in_org).count(),
        "partnerships": Partnership.objects.filter(**in_org).count(),
        "check_ins": PartnershipCheckIn.objects.filter(**in_org).count(),
        "disruptions": Disruption.objects.filter(**in_org).count(),
        "campaigns": ReviewCampaign.objects.filter(**in_org).count(),
        "reminders": CampaignReminder.objects.filter(**in_org).count(),
        "reports": CoverageReport.objects.filter(**in_org).count(),
    }
    return counts


def section_counts(data: dict[str, Any]) -> dict[str, int]:
    """The same counts, read from a file (what restore_org reports before and after)."""
    counts = {section: len(data[section]) for section in SECTION_LABELS if section in data}
    counts["check_ins"] = sum(len(p["check_ins"]) for p in data["partnerships"])
    counts["reminders"] = sum(len(c["reminders"]) for c in data["campaigns"])
    return counts
