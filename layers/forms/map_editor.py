"""The map editor's forms: a cell's new state, an undo, a contribution, and one suggestion."""

from __future__ import annotations

from django import forms

from ..models import Assignment, Layer
from ..services import assignments as assignment_services

STATE_LABEL = {"none": "Not assigned", **dict(Assignment.Emphasis.choices)}
REPLACE = "replace"  # "make lead, replacing the current lead", who stays on as a contributor
UNDO_MAX = 10  # change ids one undo may carry (a lead swap makes two)


class CellForm(forms.Form):
    emphasis = forms.ChoiceField(choices=[(key, key) for key in [*STATE_LABEL, REPLACE]])
    version = forms.IntegerField(min_value=0)


class UndoForm(forms.Form):
    changes = forms.RegexField(regex=rf"^\d{{1,12}}(,\d{{1,12}}){{0,{UNDO_MAX - 1}}}$", max_length=200)

    def change_ids(self) -> list[int]:
        return [int(part) for part in self.cleaned_data["changes"].split(",")]


class ContributionForm(forms.Form):
    contribution = forms.CharField(
        required=False,
        max_length=assignment_services.CONTRIBUTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        strip=True,
    )
    version = forms.IntegerField(min_value=0)


class CellChoiceForm(forms.Form):
    """One suggestion cell: a function of the organization on a layer."""

    function = forms.IntegerField(min_value=1)
    layer = forms.ChoiceField(choices=Layer.Key.choices)


def first_error(form: forms.Form) -> str:
    for field_name, errors in form.errors.items():
        label = "" if field_name == "__all__" else f"{field_name.capitalize()}: "
        return f"{label}{errors[0]}"
    return "Check the form."
