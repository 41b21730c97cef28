"""Forms of the review pages: a stakeholder's verdict, a leader's resolution, a campaign."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from roles.models import Function
from wholeproduct.text import LONG_TEXT, SHORT_TEXT

from ..models import Assignment, Layer, Product, Review


class LayerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Layer) -> str:
        return obj.name


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[(Review.Verdict.AGREE, "I agree"), (Review.Verdict.DISAGREE, "I disagree")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you agree."},
    )
    comment = forms.CharField(
        validators=[LONG_TEXT],
        required=False,  # required with a disagreement: clean() checks, and reviews.js marks the box before submit
        label="Why you disagree (required)",
        max_length=Review._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "data-required-when-disagree": ""}),
        help_text="What is wrong, and what would be right? A product leader reads it and answers here.",
    )
    suggested_layer = LayerChoiceField(
        queryset=Layer.objects.none(),
        required=False,
        label="Where does it belong instead?",
        empty_label="— no suggestion —",
    )

    def __init__(self, *args: Any, assignment: Assignment, layers: list[Layer] | None = None, **kwargs: Any):
        kwargs.setdefault("prefix", f"a{assignment.pk}")
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        field = self.fields["suggested_layer"]
        field.queryset = Layer.objects.exclude(pk=assignment.layer_id).order_by("ring")
        if layers is not None:
            # Built from the page's layers: no query per form.
            field.choices = [("", field.empty_label)] + [
                (lyr.pk, lyr.name) for lyr in layers if lyr.pk != assignment.layer_id
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("verdict") == Review.Verdict.DISAGREE and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why you disagree, so a leader can act on it.")
        return data


class KeepForm(forms.Form):
    note = forms.CharField(
        validators=[LONG_TEXT],
        label="Why it stays",
        max_length=Review._meta.get_field("resolution_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The stakeholder reads this note on their page.",
        error_messages={"required": "Tell them why the assignment stays: they will read this note."},
    )


class ChangeForm(forms.Form):
    emphasis = forms.ChoiceField(choices=Assignment.Emphasis.choices, label="Role")
    contribution = forms.CharField(
        validators=[SHORT_TEXT],
        required=False,
        max_length=Assignment._meta.get_field("contribution").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How this function adds value at this layer, in a sentence.",
    )
    add_suggested_layer = forms.BooleanField(required=False)
    note = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        label="Note to the stakeholder",
        max_length=Review._meta.get_field("resolution_note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: without one they read what changed.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, review: Review, **kwargs: Any):
        assignment = review.assignment
        kwargs.setdefault(
            "initial",
            {"emphasis": assignment.emphasis, "contribution": assignment.contribution, "version": assignment.version},
        )
        super().__init__(*args, **kwargs)
        if review.suggested_layer_id:
            self.fields[
                "add_suggested_layer"
            ].label = f"Also add {assignment.function.name} to the {review.suggested_layer.name}, as suggested"
        else:
            del self.fields["add_suggested_layer"]


def end_of_day(day: date) -> datetime:
    """A deadline date means "by the end of that day", in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)), timezone.get_current_timezone())


class CampaignForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="— choose a product —")
    name = forms.CharField(
        validators=[SHORT_TEXT],
        required=False,
        max_length=200,
        help_text="Optional: “Q3 review of the Analytics Suite”. A name with today's date is used otherwise.",
    )
    deadline = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="Reviews are due by the end of this day."
    )
    functions = forms.ModelMultipleChoiceField(
        queryset=Function.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to ask every function mapped on the product.",
    )

    def __init__(self, *args: Any, products: Any, functions: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["functions"].queryset = functions

    def clean_deadline(self) -> date:
        day = self.cleaned_data["deadline"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return day
