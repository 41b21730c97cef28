"""The form renderer writes the widgets it knows exactly as Django's templates do (shared/forms.py)."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from shared.forms import WRITERS, QuickRenderer

CHOICES = [("", "All <functions>"), (1, "Sales & Marketing"), ('x"y', gettext_lazy("Lazy label")), (3, 3)]
GROUPED = [("", "—"), ("Building", [(1, "Engineering"), (2, "Design")]), ("Facing <customers>", [(3, "Sales")])]


class Everything(forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": 'Say "hi" <b>'}))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"readonly": True, "disabled": False}))
    number = forms.IntegerField(required=False, min_value=1, max_value=5)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    tick = forms.BooleanField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect, required=False)


VALUES = [
    {},
    {
        "text": "a <b> & 'c'",
        "search": "Pat",
        "email": "pat@example.test",
        "number": "3",
        "secret": "s3cret<",
        "hidden": "42",
        "day": "2026-12-07",
        "moment": "2026-12-07 10:30",
        "tick": "on",
        "url": "https://example.test/?a=1&b=2",
        "choice": "1",
        "grouped": "3",
        "many": ["1", "3"],
        "note": "line one\n<line two>",
        "radio": "1",
    },
    {"choice": 'x"y', "number": "zero", "day": "not a day", "note": ""},
]


def _drawn(form: forms.Form) -> dict[str, str]:
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("data", VALUES, ids=["unbound", "filled", "invalid"])
def test_every_widget_is_written_as_djangos_templates_write_it(data):
    quick = Everything(data or None, renderer=QuickRenderer())
    django = Everything(data or None, renderer=DjangoTemplates())
    quick.is_bound and quick.is_valid(), django.is_bound and django.is_valid()
    assert _drawn(quick) == _drawn(django)


def test_initial_values_safe_strings_and_dates_too():
    initial = {
        "text": mark_safe("<em>kept</em>"),
        "day": datetime.date(2026, 1, 2),
        "moment": datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC),
        "choice": 3,
        "number": 1234567,
        "note": mark_safe("<b>bold</b>"),
    }
    quick = Everything(initial=initial, renderer=QuickRenderer())
    django = Everything(initial=initial, renderer=DjangoTemplates())
    assert _drawn(quick) == _drawn(django)


def test_the_known_widgets_are_written_in_python_and_the_others_by_django(monkeypatch):
    rendered = []
    original = DjangoTemplates.render

    def spy(self, template_name, context, request=None):
        rendered.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    _drawn(Everything(renderer=QuickRenderer()))
    assert rendered and all(name not in WRITERS for name in rendered)  # the radio buttons only
    assert any("radio" in name for name in rendered)


def test_the_project_renders_forms_with_it():
    assert isinstance(forms.Form().renderer, QuickRenderer)
