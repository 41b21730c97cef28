"""The form renderer: Django's, with its most drawn widgets written in Python (`FORM_RENDERER`).

Django draws a widget by rendering its template, and a `<select>` renders one more template per
option: the people page's filter of 21 functions took 0.7 ms (0.08 written here), an organization
of 200 functions several, on every load of every page with such a field. `QuickRenderer` writes
what those templates write — the text-like inputs, `<select>` with its options and groups,
`<textarea>` — the same characters (stripped, as Django's renderer strips a widget), escaped as
the template engine escapes (`conditional_escape`, values formatted with `stringformat:'s'`);
every other template (radio buttons, a form's own layout, the project's widgets) is rendered by
Django as before. A test renders a range of widgets both ways and holds them equal, so a Django
upgrade that changes a template fails it rather than drifting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
# The templates that are input.html and nothing else (Django's own files).
INPUTS = frozenset(
    WIDGETS + name
    for name in (
        "text.html",
        "search.html",
        "email.html",
        "url.html",
        "tel.html",
        "number.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "color.html",
        "checkbox.html",
    )
)


def _text(value: Any) -> str:
    """`{{ value }}` in a template: localized, then escaped unless marked safe."""
    return str(conditional_escape(localize(value)))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the value as `%s` writes it; escaped unless it was safe."""
    written = "%s" % (value,)  # noqa: UP031 - what the filter does
    return written if isinstance(value, SafeData) else str(conditional_escape(written))


def attributes(attrs: Mapping[str, Any]) -> str:
    """attrs.html: ` name="value"` each, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{attributes(widget["attrs"])}>'


def _option(option: Mapping[str, Any]) -> str:
    label = _text(option["label"])
    return f'<option value="{_formatted(option["value"])}"{attributes(option["attrs"])}>{label}</option>\n'


def _select(widget: Mapping[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                raise _Unknown
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{attributes(widget["attrs"])}>\n{value}</textarea>'


class _Unknown(Exception):
    """A widget drawn with a template of its own: Django renders it."""


WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **dict.fromkeys(INPUTS, _input),
    WIDGETS + "select.html": _select,
    WIDGETS + "textarea.html": _textarea,
}


class QuickRenderer(DjangoTemplates):
    """Django's default form renderer; the widgets of `WRITERS` are written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString | str:
        write = WRITERS.get(template_name)
        if write is not None:
            try:
                return mark_safe(write(context["widget"]))  # noqa: S308 - every value in it is escaped
            except _Unknown:
                pass
        return super().render(template_name, context, request)
