"""Forms of the partnership web and disruption pages. They check shape; the services check the domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from wholeproduct.text import LONG_TEXT, SHORT_TEXT

from ..models import Disruption, Function, Organization, Partnership, PartnershipCheckIn
from ..selectors.functions import CATEGORY_ORDER
from ..selectors.web import functions_for_disruption_form, functions_of
from .functions import FunctionChoiceField

TRUST_CHOICES = [
    (1, "1 — broken"),
    (2, "2 — strained"),
    (3, "3 — workable"),
    (4, "4 — solid"),
    (5, "5 — strong"),
]


class TrustField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "How well the two functions trust each other today.")
        super().__init__(choices=TRUST_CHOICES, coerce=int, widget=forms.RadioSelect, **kwargs)


class PartnershipForm(forms.Form):
    function_a = FunctionChoiceField(queryset=Function.objects.none(), label="Function", empty_label="— choose —")
    function_b = FunctionChoiceField(queryset=Function.objects.none(), label="Partner", empty_label="— choose —")
    trust = TrustField()
    cadence = forms.ChoiceField(
        choices=Partnership.Cadence.choices, help_text="How often the two meet to keep the partnership working."
    )
    shared_goal = forms.CharField(
        validators=[SHORT_TEXT],
        required=False,
        max_length=Partnership._meta.get_field("shared_goal").max_length,
        help_text="What both sides are working toward, in a sentence.",
    )
    feedback_carried = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        label="Feedback carried",
        max_length=Partnership._meta.get_field("feedback_carried").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What flows back to the core product through this link: what prospects find critical, "
        "competitor positioning, onboarding challenges…",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, organization: Organization, instance: Partnership | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "function_a": instance.function_a_id,
                "function_b": instance.function_b_id,
                "trust": instance.trust,
                "cadence": instance.cadence,
                "shared_goal": instance.shared_goal,
                "feedback_carried": instance.feedback_carried,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        functions = functions_of(organization).order_by("name")
        self.fields["function_a"].queryset = functions
        self.fields["function_b"].queryset = functions
        self.fields["cadence"].initial = Partnership.Cadence.MONTHLY
        if instance is not None:
            # Trust changes through a check-in, which keeps the history; the edit form shows it only.
            del self.fields["trust"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        a, b = data.get("function_a"), data.get("function_b")
        if a is not None and a == b:
            self.add_error("function_b", f"{a.name} cannot be its own partner: choose another function.")
        return data


class CheckInForm(forms.Form):
    trust = TrustField(help_text="Your reading of trust between the two functions on that day.")
    checked_on = forms.DateField(
        label="Checked on", widget=forms.DateInput(attrs={"type": "date"}), help_text="The day of the conversation."
    )
    note = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        max_length=PartnershipCheckIn._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you heard: what is working, what is strained, what you agreed.",
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"trust": partnership.trust, "checked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


@dataclass
class FunctionGroup:
    key: str
    label: str
    options: list[tuple[Function, Any]]  # the function and its checkbox


class DisruptionForm(forms.Form):
    kind = forms.ChoiceField(choices=Disruption.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(
        validators=[SHORT_TEXT],
        max_length=Disruption._meta.get_field("title").max_length,
        help_text="What happened, in a few words: “Sales reorganized into regional pods”.",
    )
    occurred_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When it happened. A future date counts from that day.",
    )
    functions = forms.ModelMultipleChoiceField(
        queryset=Function.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The functions it touches.",
        error_messages={"required": "Choose at least one function the disruption touches."},
    )
    note = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        max_length=Disruption._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate(), "kind": Disruption.Kind.REORG})
        super().__init__(*args, **kwargs)
        self.function_rows = list(functions_for_disruption_form(organization))
        self.fields["functions"].queryset = functions_of(organization)
        self.fields["functions"].choices = [(f.pk, f.name) for f in self.function_rows]

    def function_groups(self) -> list[FunctionGroup]:
        """The checkboxes grouped by category, in DESIGN order, for the template."""
        by_id = {f.pk: f for f in self.function_rows}
        boxes = {int(box.data["value"]): box for box in self["functions"]}
        groups = {key: FunctionGroup(key, label, []) for key, label in CATEGORY_ORDER}
        for pk, box in boxes.items():
            function = by_id[pk]
            groups[function.category].options.append((function, box))
        return [group for group in groups.values() if group.options]
