"""Forms of the members page and of invites. They check shape; the services check the domain."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from ..models import Membership, Organization, Stakeholder
from ..pickers import FunctionPickField
from ..selectors import functions as selectors


class AccessForm(forms.Form):
    access = forms.ChoiceField(choices=Membership.Access.choices)


class InviteForm(forms.Form):
    """Whom to invite: one person (by email), everyone of a function, or everyone not invited yet."""

    PERSON, FUNCTION, EVERYONE = "person", "function", "everyone"
    scope = forms.ChoiceField(
        choices=[
            (PERSON, "One person"),
            (FUNCTION, "Everyone in a function"),
            (EVERYONE, "Everyone not invited yet"),
        ],
        widget=forms.RadioSelect,
        initial=PERSON,
        label="Invite",
    )
    email = forms.EmailField(required=False, label="Their email", help_text="The email of a person on the People page.")
    function = FunctionPickField(required=False, label="Function")

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        cast(FunctionPickField, self.fields["function"]).for_organization(organization)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        scope = data.get("scope")
        if scope == self.PERSON:
            data["stakeholder"] = self._person(data.get("email"))
        elif scope == self.FUNCTION and not data.get("function"):
            self.add_error("function", "Choose the function whose people you want to invite.")
        return data

    def _person(self, email: str | None) -> Stakeholder | None:
        if "email" in self.errors:
            return None
        if not email:
            self.add_error("email", "Give the email of the person to invite.")
            return None
        person = (
            selectors.people_of(self.organization)
            .select_related("function")
            .filter(email__iexact=email.strip())
            .first()
        )
        if person is None:
            self.add_error(
                "email", f"Nobody in {self.organization.name} has the email {email}. Add them on the People page first."
            )
        return person


class AcceptPasswordForm(SetPasswordForm):
    """Choose the password of a new account; Django's validators judge it against the person's name and email."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type it again"
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].widget.attrs["autofocus"] = True


class AcceptSignInForm(forms.Form):
    """An email that already has an account accepts by proving it is theirs."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
