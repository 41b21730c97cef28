"""Forms of the organization pages. They check shape; the services check the domain."""

from __future__ import annotations

from typing import Any

from django import forms

from wholeproduct.errors import DomainError
from wholeproduct.text import LONG_TEXT, SHORT_TEXT

from ..models import Function, Organization, Stakeholder
from ..selectors import functions as selectors


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on its fields when it names them."""
    placed = False
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)


class FunctionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Function) -> str:
        return obj.name


class FunctionForm(forms.Form):
    name = forms.CharField(validators=[SHORT_TEXT], max_length=Function._meta.get_field("name").max_length)
    category = forms.ChoiceField(choices=Function.Category.choices)
    is_external = forms.BooleanField(
        required=False, label="External", help_text="Outside the organization, such as a channel partner."
    )
    parent = FunctionChoiceField(
        queryset=Function.objects.none(),
        required=False,
        label="Inside",
        empty_label="— not inside another function —",
        help_text="For a team within a function, such as Product Owners inside Product Management.",
    )
    description = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        max_length=Function._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What this function does, in a sentence or two.",
    )

    def __init__(self, *args: Any, organization: Organization, instance: Function | None = None, **kwargs: Any):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "category": instance.category,
                "is_external": instance.is_external,
                "parent": instance.parent_id,
                "description": instance.description,
            }
        super().__init__(*args, **kwargs)
        # Only this organization's functions, never itself nor one inside it.
        self.fields["parent"].queryset = selectors.parent_choices(organization, instance)


class FunctionDeleteForm(forms.Form):
    """The fate of a function's people: moved to another function or deleted too."""

    move_to = FunctionChoiceField(
        queryset=Function.objects.none(),
        required=False,
        label="Move them to",
        empty_label="— choose a function —",
    )
    delete_people = forms.BooleanField(required=False)
    # The head count the page showed: deleting people is refused if it changed since.
    people_count = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, function: Function, people_count: int, **kwargs: Any):
        kwargs.setdefault("initial", {"people_count": people_count})
        super().__init__(*args, **kwargs)
        self.people_count = people_count
        self.fields["move_to"].queryset = selectors.functions_of(function.organization).exclude(pk=function.pk)
        noun = "person" if people_count == 1 else "people"
        self.fields["delete_people"].label = f"Delete the {people_count} {noun} too"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.people_count:
            return data
        move_to, delete_people = data.get("move_to"), data.get("delete_people")
        if move_to and delete_people:
            raise forms.ValidationError("Either move the people or delete them, not both.")
        if not move_to and not delete_people:
            self.add_error("move_to", "Choose a function to move them to, or tick the box to delete them too.")
        return data


class PersonForm(forms.Form):
    full_name = forms.CharField(
        validators=[SHORT_TEXT], label="Name", max_length=Stakeholder._meta.get_field("full_name").max_length
    )
    title = forms.CharField(
        validators=[SHORT_TEXT], required=False, max_length=Stakeholder._meta.get_field("title").max_length
    )
    email = forms.EmailField(max_length=Stakeholder._meta.get_field("email").max_length)
    function = FunctionChoiceField(queryset=Function.objects.none(), empty_label="— choose a function —")

    def __init__(self, *args: Any, organization: Organization, instance: Stakeholder | None = None, **kwargs: Any):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "full_name": instance.full_name,
                "title": instance.title,
                "email": instance.email,
                "function": instance.function_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["function"].queryset = selectors.functions_of(organization).order_by("name")
        if instance is not None and instance.user_id:
            # Their account's address (DESIGN §2): shown, not editable; the service refuses a change.
            self.fields["email"].widget.attrs["readonly"] = True
            self.fields["email"].help_text = "Linked to their account: only they can change it."


class PeopleFilterForm(forms.Form):
    """The search box and function filter of the people page (a GET form)."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    function = FunctionChoiceField(queryset=Function.objects.none(), required=False, empty_label="All functions")

    SELECT_LIMIT = 200  # functions: beyond this the filter is not a <select> of them all

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        functions = selectors.functions_of(organization).order_by("name")
        self.fields["function"].queryset = functions
        # A large organization filters by function from the functions page's links (?function=)
        # or by typing the function's name in the search; its page does not list every function.
        options = list(selectors.function_choices(organization.pk, self.SELECT_LIMIT + 1))  # the one query
        self.many_functions = len(options) > self.SELECT_LIMIT
        if self.many_functions:
            self.fields["function"].widget = forms.HiddenInput()
        else:
            self.fields["function"].widget.choices = [("", "All functions"), *options]
        self.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, email or title", "autocomplete": "off"}
        )

    def filters(self) -> dict[str, Any]:
        """The valid filters; a bad value (a function id of another organization) is ignored."""
        self.is_valid()  # cleaned_data keeps the fields that were valid
        function = self.cleaned_data.get("function")
        return {"query": self.cleaned_data.get("q") or "", "function_id": function.pk if function else None}
