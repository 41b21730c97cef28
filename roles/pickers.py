"""Pickers that scale (issue 13 item 9): accessible comboboxes backed by the organization-scoped
`person-search` and `function-search` endpoints, instead of a <select> holding every person or
every function.

The widget renders a text box (role="combobox") and a hidden input holding the chosen person's
id; static/js/combobox.js fetches matches as the user types and fills the hidden input. Without
JavaScript the text box still works: typing a person's email (or exact full name) picks them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .models import Function, Organization, Stakeholder

SUGGESTIONS = 10  # people listed under the box at most


def person_label(person: Stakeholder) -> str:
    return f"{person.full_name} — {person.function.name}"


class PersonCombobox(forms.Widget):
    template_name = "widgets/person_combobox.html"

    def __init__(self, source: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.source = source
        self.queryset: QuerySet[Any] = Stakeholder.objects.none()

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> str:
        # The project's templates, not the form renderer's own directories (which hold Django's).
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - an escaped template

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        chosen = data.get(name, "")
        return chosen if chosen else data.get(f"{name}_text", "").strip()

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        person = None
        if isinstance(value, Stakeholder):
            person = value
        elif str(value or "").isdigit():
            person = self.queryset.filter(pk=value).first()
        text = person_label(person) if person else ("" if str(value or "").isdigit() else str(value or ""))
        context["widget"].update({"source": self.source, "person_id": person.pk if person else "", "text": text})
        return context


class _OrganizationPick(forms.ModelChoiceField):
    """A row of one organization picked by a combobox that searches `search_url` as you type."""

    model: type[Stakeholder] | type[Function]
    search_url = ""

    def __init__(self, *, organization: Organization | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", self.model.objects.none())
        super().__init__(**kwargs)
        if organization is not None:
            self.for_organization(organization)

    def scoped(self, organization: Organization) -> QuerySet[Any]:
        return self.model.objects.filter(organization=organization)

    def for_organization(self, organization: Organization) -> None:
        self.queryset = self.scoped(organization)
        self.widget.queryset = self.queryset
        self.widget.source = reverse(self.search_url, kwargs={"org": organization.slug})


class PersonChoiceField(_OrganizationPick):
    """A person of the organization, picked by id (the combobox) or by email or exact name (typed)."""

    widget = PersonCombobox
    model = Stakeholder
    search_url = "person-search"

    def scoped(self, organization: Organization) -> QuerySet[Any]:
        return super().scoped(organization).select_related("function")

    def to_python(self, value: Any) -> Stakeholder | None:
        if value in self.empty_values:
            return None
        if str(value).isdigit():
            return super().to_python(value)
        typed = str(value).strip()
        matches = list(self.queryset.filter(email__iexact=typed)[:2]) or list(
            self.queryset.filter(full_name__iexact=typed)[:2]
        )
        if len(matches) != 1:
            raise ValidationError(
                f"No single person matches “{typed[:80]}”: choose one from the list, or type their email.",
                code="invalid_choice",
            )
        return matches[0]

    def label_from_instance(self, obj: Stakeholder) -> str:
        return person_label(obj)


# --- functions -------------------------------------------------------------------------------------


class FunctionCombobox(PersonCombobox):
    """The same combobox over the organization's functions (`function-search`)."""

    template_name = "widgets/function_combobox.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        function = value if isinstance(value, Function) else None
        if function is None and str(value or "").isdigit():
            function = self.queryset.filter(pk=value).first()
        text = function.name if function else ("" if str(value or "").isdigit() else str(value or ""))
        context["widget"].update({"source": self.source, "key": function.pk if function else "", "text": text})
        return context


class FunctionPickField(_OrganizationPick):
    """A function of the organization, picked by id (the combobox) or by its exact name (typed)."""

    widget = FunctionCombobox
    model = Function
    search_url = "function-search"

    def to_python(self, value: Any) -> Function | None:
        if value in self.empty_values:
            return None
        if str(value).isdigit():
            return super().to_python(value)
        typed = str(value).strip()
        functions: QuerySet[Function] = self.queryset if self.queryset is not None else Function.objects.none()
        matches = list(functions.filter(name__iexact=typed)[:2])
        if len(matches) != 1:
            raise ValidationError(
                f"No function is called “{typed[:80]}”: choose one from the list.", code="invalid_choice"
            )
        return matches[0]

    def label_from_instance(self, obj: Function) -> str:
        return obj.name
