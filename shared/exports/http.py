"""An export as a download: the one place that sets its headers."""

from __future__ import annotations

from django.http import HttpResponse

from .tables import ExportFile


def file_response(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"  # exports hold an organization's data: never cached
    return response
