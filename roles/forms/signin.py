"""The sign-in form: Django's, with words that match its single field, an email address."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's says "username"; ours is an email field. It names what was typed, so a
        # mistyped address is easy to spot, and never says which of the two was wrong.
        "invalid_login": "No account matches the email %(email)s with this password. Check both and try again.",
        "inactive": "This account is switched off. Ask an admin of your organization.",
    }

    def get_invalid_login_error(self) -> ValidationError:
        email = (self.cleaned_data.get("username") or "").strip()
        params = {"email": email or "given"}
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login", params=params)
