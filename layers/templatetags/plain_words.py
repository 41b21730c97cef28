"""`{{ moment|ago }}`: a time in words, "just now" or "3 minutes ago", never "0 minutes ago".

The words are humanize's `naturaltime`, in English, without its translation machinery: its lazy
strings were looked up and pluralized for every card of the review inbox (25 a page, a twentieth
of the drawn page). A moment in the future (a clock ahead) is left to `naturaltime` itself. The
tests hold the two equal from a second to years.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.timesince import timesince
from django.utils.timezone import is_aware

register = template.Library()


class _Plural:
    """A unit as `timesince` formats it (`unit % {"num": n}`), singular or plural by n."""

    def __init__(self, singular: str, plural: str) -> None:
        self.singular, self.plural = singular, plural

    def __mod__(self, values: dict[str, Any]) -> str:
        return (self.singular if values["num"] == 1 else self.plural) % values


UNITS = {
    name: _Plural(f"%(num)d {name}", f"%(num)d {name}s") for name in ("year", "month", "week", "day", "hour", "minute")
}
NBSP = "\xa0"  # between a count and its unit, as naturaltime writes them


@register.filter
def ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    now = datetime.now(UTC if is_aware(moment) else None)
    if moment > now:
        return str(naturaltime(moment))
    delta = now - moment
    if delta.days:
        return f"{timesince(moment, now, time_strings=UNITS)} ago"  # type: ignore[arg-type]
    seconds = delta.seconds
    if seconds == 0:
        return "just now"
    if seconds < 60:
        return "a second ago" if seconds == 1 else f"{seconds}{NBSP}seconds ago"
    if seconds < 3600:
        minutes = seconds // 60
        return "a minute ago" if minutes == 1 else f"{minutes}{NBSP}minutes ago"
    hours = seconds // 3600
    return "an hour ago" if hours == 1 else f"{hours}{NBSP}hours ago"
