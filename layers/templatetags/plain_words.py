"""`{{ moment|ago }}`: a time in words, "just now" or "3 minutes ago", never "0 minutes ago"."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime

register = template.Library()


@register.filter
def ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    words = str(naturaltime(moment))
    return "just now" if words == "now" else words
