"""For template tags that write HTML in a loop: `esc`, Django's escaping; `csrf_input`, the
hidden input `{% csrf_token %}` writes, made once per page; `may_edit` and `action_link`, a row's
edit buttons."""

from __future__ import annotations

import functools
import html
import unicodedata
from datetime import date as date_type
from datetime import datetime as datetime_type
from typing import Any

from django.template.defaultfilters import date
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS_3
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length

# Django's own conversion of a moment for a template (not in django-stubs): what a template's date
# filter is given, the moment in the current time zone when USE_TZ is on (`shown_date`).
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language, pgettext


def esc(value: object) -> str:
    """What `django.utils.html.escape` writes (`html.escape`, quotes included, is what it calls)
    without its lazy-string wrapper, which checked every argument for a lazy string and was most of
    the cost of a tag writing hundreds of values (the map's cells, the picture's chips). For plain
    values only: a value marked safe is escaped again, so pass none."""
    return html.escape(str(value))


def shown_date(value: Any, format_string: str) -> str:
    """Django's date filter as a template applies it: an aware moment first taken to the site's
    time zone (the template engine does that before the filter; called as a function, the filter
    does not). Template tags format their dates through this, never the filter itself (a test
    holds them to it).

    The formats the tags use (day, month, year, hour and minute codes between plain separators)
    are written here as the filter writes them, without its machinery (a format-name lookup, a
    formatter object, a regular expression per call): 25 µs a date, 82 of them on the web's page.
    Any other format, value or code goes to the filter itself; a test holds the two equal."""
    local = template_localtime(value)
    timed = _timed_format(format_string)
    if timed is None or type(local) not in (date_type, datetime_type) or (timed and type(local) is date_type):
        return date(local, format_string)
    parts = []
    for code in format_string:
        if code == "j":
            parts.append(str(local.day))
        elif code == "d":
            parts.append(f"{local.day:02d}")
        elif code == "m":
            parts.append(f"{local.month:02d}")
        elif code == "M":
            parts.append(_month(get_language(), local.month))
        elif code == "Y":
            parts.append(f"{local.year:04d}")
        elif code == "H":
            parts.append(f"{local.hour:02d}")
        elif code == "i":
            parts.append(f"{local.minute:02d}")
        else:
            parts.append(code)
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _month(language: str | None, month: int) -> str:
    """What the filter's `M` writes in `language` (the active one): the month's three letters."""
    return MONTHS_3[month].title()


_DATE_CODES, _TIME_CODES, _SEPARATORS = frozenset("jdmMY"), frozenset("Hi"), frozenset(" ,:-|/.")


@functools.lru_cache(maxsize=64)
def _timed_format(format_string: str) -> bool | None:
    """Whether the format has time codes, when every character is a code `shown_date` writes
    itself or a plain separator; None for any other format (the filter writes it)."""
    if not format_string or set(format_string) - _DATE_CODES - _TIME_CODES - _SEPARATORS:
        return None
    return bool(set(format_string) & _TIME_CODES)


NO_TOKEN = "NOTPROVIDED"  # noqa: S105 (what Django's csrf context holds when there is no token)


def csrf_input(context: Any) -> str:
    """What `{% csrf_token %}` writes in this template context, made once per page rather than
    once per form of a row (the page's render context keeps it)."""
    found = context.render_context.get(csrf_input)
    if found is None:
        token = context.get("csrf_token")
        found = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'
            if token and token != NO_TOKEN
            else ""
        )
        context.render_context[csrf_input] = found
    return found


def may_edit(context: Any) -> bool:
    """Whether the page's requester may edit (the organization context's `can_edit`)."""
    ctx = context.get("ctx")
    return ctx is not None and bool(ctx.can_edit)


def action_link(url_name: str, org_slug: str, pk: int, label: str, hidden: str, classes: str = "btn btn-small") -> str:
    """A row's button to the organization's page `url_name` for object `pk`: `label`, and `hidden`
    for a screen reader ("Edit" of what). Plain text in, escaped here."""
    href = esc(row_address(url_name, org_slug, pk))
    return f'<a class="{classes}" href="{href}">{esc(label)}<span class="visually-hidden"> {esc(hidden)}</span></a>\n'


def truncated(text: str, length: int) -> str:
    """What `Truncator(text).chars(length)` gives, without making a Truncator for a text that fits:
    the text in NFC form, as it returns one whose characters, not counting combining ones, are no
    more than `length` (a map's 200 cells spent 1.5 ms making them)."""
    normal = unicodedata.normalize("NFC", text)
    if length > 0 and len(normal) <= length:
        return normal
    if length > 0 and normal.isascii():
        # No combining character: every character counts, so the cut is where the count says
        # (Truncator walks the text character by character to find it: a page of long
        # contributions spent a millisecond there). The ellipsis is the language's, as Django
        # words it, looked up once per language (twice per cut, it was most of the cut's cost).
        ellipsis = _ellipsis(get_language())
        return add_truncation_text(normal[: calculate_truncate_chars_length(length, ellipsis)], ellipsis)
    return Truncator(text).chars(length)


@functools.lru_cache(maxsize=64)
def _ellipsis(language: str | None) -> str:
    """What `add_truncation_text` puts after a cut text in `language` (the active one: a key only)."""
    return pgettext("String to return when truncating text", "%(truncated_text)s…")


# A primary key no row has: it stands for the row's in an address reversed once per page name.
PK_MARK = 987_654_321_012_345


def row_address(url_name: str, org_slug: str, pk: int) -> str:
    """`reverse(url_name, kwargs={"org": org_slug, "pk": pk})`, reversed once per page name,
    organization, script prefix and URLconf, then given the row's key: a table of 150 rows spent
    4 ms reversing its buttons' addresses one by one."""
    address = _reversed(url_name, (("org", org_slug), ("pk", PK_MARK)), get_script_prefix(), get_urlconf())
    return address.replace(str(PK_MARK), str(int(pk)))


def org_address(url_name: str, org_slug: str) -> str:
    """`reverse(url_name, kwargs={"org": org_slug})`, reversed once as `row_address` is: a page
    every row links to (the invite form, with the row's own query string)."""
    return page_address(url_name, org_slug)


def page_address(url_name: str, org_slug: str, product_slug: str | None = None) -> str:
    """`reverse(url_name, kwargs={"org": org_slug})`, with `"product": product_slug` when given,
    reversed once as `row_address` is: the page where each of a report's gaps is fixed (50 a page).
    Raises NoReverseMatch as `reverse` does."""
    kwargs = (("org", org_slug),) if product_slug is None else (("org", org_slug), ("product", product_slug))
    return _reversed(url_name, kwargs, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=1024)
def _reversed(url_name: str, kwargs: tuple[tuple[str, Any], ...], prefix: str, urlconf: str | None) -> str:
    """`reverse` under one script prefix (a key of the cache only: `reverse` reads the current one)."""
    return reverse(url_name, kwargs=dict(kwargs), urlconf=urlconf)


def plural(count: int) -> str:
    """The "s" of a plural noun after `count`, as Django's `pluralize` filter writes it."""
    return "" if count == 1 else "s"
