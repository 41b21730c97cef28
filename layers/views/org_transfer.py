"""The organization export page (admins only): what the file holds, and the file itself.

GET shows the counts; GET ?download=1 (or a POST) answers the JSON file. Both only read.
Restoring is left to `manage.py restore_org`: it creates organizations and accounts, which
is an operator's job, not a tenant admin's.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from roles.permissions import OrgRequest, Perm, org_view
from shared.exports.http import file_response

from ..services import org_transfer

logger = logging.getLogger(__name__)


@org_view(Perm.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def org_export(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    if request.method == "POST" or request.GET.get("download") == "1":
        return _download(request)
    counts = org_transfer.export_counts(organization)
    rows = [(org_transfer.SECTION_LABELS[key], count) for key, count in counts.items()]
    context = {"rows": rows, "total": sum(counts.values()), "version": org_transfer.VERSION}
    return render(request, "roles/org_export.html", context)


def _download(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    export = org_transfer.export_file(organization)
    # Who took a copy of everyone's data, and when: worth a line in the log.
    logger.info(
        "Organization %s exported by user %s (%d bytes)", organization.slug, request.user.pk, len(export.content)
    )
    return file_response(export)
