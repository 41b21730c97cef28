"""Forms of the scenario pages. They check shape; `scenarios.services` checks the domain
(a change that cannot be made at its step is refused there, with the reason in plain words).

A function is picked by a combobox over the organization's functions *and* the ones the
scenario itself creates ("new:<step id>"), fed by the `scenario-function-search` endpoint; a
person by the people picker of roles/pickers.py. Without JavaScript both boxes still work:
typing a function's exact name, or a person's email, picks them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from layers.models import Assignment, Layer, Product
from roles.models import Disruption, Function, Organization, Stakeholder
from roles.pickers import PersonChoiceField
from wholeproduct.text import LONG_TEXT, SHORT_TEXT

from .models import Scenario, ScenarioChange

Kind = ScenarioChange.Kind
NEW = "new:"
FUNCTION_NAME_MAX = Function._meta.get_field("name").max_length


class ScenarioForm(forms.Form):
    name = forms.CharField(
        validators=[SHORT_TEXT],
        max_length=Scenario._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"placeholder": "Merge Customer Success into Sales"}),
    )
    description = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        max_length=Scenario._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, and what you want to learn from it. Only leaders and admins see scenarios.",
    )


# --- the function picker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A function the scenario creates at one of its steps."""

    key: str  # "new:<step id>"
    name: str


def planned_functions(changes: Iterable[ScenarioChange]) -> list[Planned]:
    """The functions a scenario's steps create (a new function, or the new half of a split)."""
    found = []
    for change in changes:
        name = str(change.payload.get("name") or change.payload.get("new_name") or "").strip()
        if change.kind in (Kind.CREATE_FUNCTION, Kind.SPLIT_FUNCTION) and name:
            found.append(Planned(key=f"{NEW}{change.pk}", name=name))
    return found


class FunctionCombobox(forms.Widget):
    template_name = "scenarios/_function_combobox.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.source = ""
        self.labels: dict[str, str] = {}

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> str:
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - an escaped template

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        chosen = data.get(name, "")
        return chosen if chosen else data.get(f"{name}_text", "").strip()

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        key = str(value or "")
        known = key in self.labels
        context["widget"].update(
            {"source": self.source, "key": key if known else "", "text": self.labels.get(key, key)}
        )
        return context


class FunctionPickField(forms.Field):
    """A function of the organization or of the scenario: its id (int) or "new:<step id>" (str)."""

    widget = FunctionCombobox
    default_error_messages = {"required": "Choose a function."}

    def setup(self, *, organization: Organization, planned: list[Planned], source: str) -> None:
        self.organization, self.planned = organization, planned
        self.widget.source = source
        self.widget.labels = {p.key: f"{p.name} (new in this scenario)" for p in planned}

    def label_for(self, key: str) -> str:
        if key in self.widget.labels:
            return self.widget.labels[key]
        if key.isdigit():
            found = Function.objects.filter(organization=self.organization, pk=int(key)).values_list("name", flat=True)
            return found.first() or key
        return key

    def prepare_value(self, value: Any) -> Any:
        key = str(value or "")
        if key.isdigit() and key not in self.widget.labels:
            self.widget.labels[key] = self.label_for(key)
        return key

    def to_python(self, value: Any) -> int | str | None:
        typed = str(value or "").strip()
        if not typed:
            return None
        if typed.isdigit():
            if Function.objects.filter(organization=self.organization, pk=int(typed)).exists():
                return int(typed)
            raise ValidationError("That function no longer exists: choose another.", code="invalid_choice")
        if typed.startswith(NEW):
            if any(p.key == typed for p in self.planned):
                return typed
            raise ValidationError("That new function is no longer in this scenario.", code="invalid_choice")
        bare = typed.removesuffix(" (new in this scenario)").strip().lower()
        planned = [p.key for p in self.planned if p.name.lower() == bare]
        existing = list(
            Function.objects.filter(organization=self.organization, name__iexact=bare).values_list("pk", flat=True)[:2]
        )
        matches = planned + existing
        if len(matches) != 1:
            raise ValidationError(
                f"No single function is called “{typed[:80]}”: choose one from the list.", code="invalid_choice"
            )
        return matches[0]


# --- one form per kind of change ----------------------------------------------------------------


def _layer_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, label in Layer.Key.choices]


class ChangeForm(forms.Form):
    """The fields of one kind of change; `payload()` is what `services.add_change` takes."""

    kind: str = ""
    heading: str = ""
    help: str = ""
    submit: str = "Add this change"

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        scenario: Scenario,
        changes: list[ScenarioChange],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        source = reverse("scenario-function-search", kwargs={"org": organization.slug, "pk": scenario.pk})
        planned = planned_functions(changes)
        for field in self.fields.values():
            if isinstance(field, FunctionPickField):
                field.setup(organization=organization, planned=planned, source=source)
            elif isinstance(field, PersonChoiceField):
                field.for_organization(organization)
            elif isinstance(field, forms.ModelChoiceField) and field.queryset.model is Product:
                field.queryset = Product.objects.filter(organization=organization).order_by("name")

    def payload(self) -> dict[str, Any]:
        data = {}
        for name, value in self.cleaned_data.items():
            if hasattr(value, "pk"):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, list | tuple):
                value = [getattr(v, "pk", v) for v in value]
            data[name] = value
        return data


class MovePersonForm(ChangeForm):
    kind, heading = Kind.MOVE_PERSON, "Move a person to another function"
    person = PersonChoiceField(label="Person")
    to = FunctionPickField(label="Moves to")


class HireForm(ChangeForm):
    kind, heading = Kind.HIRE, "Add a planned hire"
    full_name = forms.CharField(label="Name", max_length=200, validators=[SHORT_TEXT])
    email = forms.EmailField(label="Email", help_text="Their work address to be, so they can be invited later.")
    title = forms.CharField(label="Job title", max_length=200, required=False, validators=[SHORT_TEXT])
    function = FunctionPickField(label="Joins")


class LeaverForm(ChangeForm):
    kind, heading = Kind.LEAVER, "Someone leaves"
    person = PersonChoiceField(label="Person")


class CreateFunctionForm(ChangeForm):
    kind, heading = Kind.CREATE_FUNCTION, "Create a function"
    name = forms.CharField(label="Name", max_length=FUNCTION_NAME_MAX, validators=[SHORT_TEXT])
    category = forms.ChoiceField(label="Category", choices=Function.Category.choices)
    is_external = forms.BooleanField(label="An external partner", required=False)


class RenameFunctionForm(ChangeForm):
    kind, heading = Kind.RENAME_FUNCTION, "Rename a function"
    function = FunctionPickField(label="Function")
    name = forms.CharField(label="New name", max_length=FUNCTION_NAME_MAX, validators=[SHORT_TEXT])


class MergeFunctionForm(ChangeForm):
    kind, heading = Kind.MERGE_FUNCTION, "Merge a function into another"
    help = "Its people join the other function, which takes over its assignments; it then ceases to exist."
    function = FunctionPickField(label="Function merged away")
    into = FunctionPickField(label="Merged into")


class SplitFunctionForm(ChangeForm):
    kind, heading = Kind.SPLIT_FUNCTION, "Split a function"
    help = "A new function is made from part of an existing one; the people you list move to it."
    function = FunctionPickField(label="Function to split")
    name = forms.CharField(label="Name of the new function", max_length=FUNCTION_NAME_MAX, validators=[SHORT_TEXT])
    people = forms.CharField(
        label="People who move to it",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Their emails, one a line or separated by commas.",
    )
    category = forms.ChoiceField(
        label="Category of the new function",
        required=False,
        choices=[("", "The same as the function split"), *Function.Category.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = kwargs["organization"]

    def clean_people(self) -> list[int]:
        raw = self.cleaned_data.get("people", "")
        emails = list(dict.fromkeys(p.strip().lower() for p in raw.replace(",", "\n").splitlines() if p.strip()))
        if not emails:
            raise ValidationError("List at least one person's email.")
        match = Q()
        for email in emails:
            match |= Q(email__iexact=email)
        found = {
            email.lower(): pk
            for email, pk in Stakeholder.objects.filter(match, organization=self.organization).values_list(
                "email", "pk"
            )
        }
        unknown = [email for email in emails if email not in found]
        if unknown:
            raise ValidationError(f"Nobody here has the email {', '.join(unknown[:3])}.")
        return [found[email] for email in emails]


class SetAssignmentForm(ChangeForm):
    kind, heading = Kind.SET_ASSIGNMENT, "Set or change an assignment"
    help = "A layer has at most one lead: make the current lead a contributor (or clear it) in an earlier step."
    product = forms.ModelChoiceField(label="Product", queryset=Product.objects.none(), empty_label=None)
    function = FunctionPickField(label="Function")
    layer = forms.ChoiceField(label="Layer", choices=_layer_choices)
    emphasis = forms.ChoiceField(label="Role", choices=Assignment.Emphasis.choices)


class ClearAssignmentForm(ChangeForm):
    kind, heading = Kind.CLEAR_ASSIGNMENT, "Clear an assignment"
    product = forms.ModelChoiceField(label="Product", queryset=Product.objects.none(), empty_label=None)
    function = FunctionPickField(label="Function")
    layer = forms.ChoiceField(label="Layer", choices=_layer_choices)


class DisruptionForm(ChangeForm):
    kind, heading = Kind.DISRUPTION, "Plan a disruption"
    help = "From its date the reviews of these functions need confirming again, and their partnerships a trust check."
    disruption_kind = forms.ChoiceField(label="What happens", choices=Disruption.Kind.choices)
    title = forms.CharField(label="Title", max_length=200, validators=[SHORT_TEXT])
    occurred_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    functions = FunctionPickField(label="Function it touches")
    also = FunctionPickField(label="And another function", required=False)

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        also = data.pop("also", None)
        data["functions"] = [data["functions"], *([also] if also not in (None, data["functions"]) else [])]
        return data


FORMS: dict[str, type[ChangeForm]] = {
    form.kind: form
    for form in (
        MovePersonForm,
        MergeFunctionForm,
        SetAssignmentForm,
        ClearAssignmentForm,
        HireForm,
        LeaverForm,
        CreateFunctionForm,
        RenameFunctionForm,
        SplitFunctionForm,
        DisruptionForm,
    )
}


class ApplyForm(forms.Form):
    start_campaign = forms.BooleanField(
        required=False,
        label="Start a re-review campaign for the functions this scenario changes",
        help_text="Everyone in them is asked to confirm their role, with reminders for two weeks.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
