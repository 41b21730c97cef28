"""Account pages of one's own: password reset by email (Django's views, our templates) and API tokens.

Password reset is Django's: the link is signed with the user's password hash and last sign-in,
so it works once, and expires after settings.PASSWORD_RESET_TIMEOUT (one hour). An unknown
address gets the same answer as a known one, so the form tells nobody who has an account.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_http_methods

# Django's form views treat PUT as POST, and the confirm view answers any method: 405 instead.
_form_methods = require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])

_RESET = {
    "template_name": "registration/password_reset_form.html",
    "email_template_name": "emails/password_reset.txt",
    "html_email_template_name": "emails/password_reset.html",
    "subject_template_name": "emails/password_reset_subject.txt",
    "success_url": reverse_lazy("password_reset_done"),
}

urlpatterns = [
    path("password-reset/", _form_methods(auth_views.PasswordResetView.as_view(**_RESET)), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        _form_methods(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="registration/password_reset_confirm.html",
                success_url=reverse_lazy("password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
