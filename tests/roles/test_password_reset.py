"""Password reset by email (issue 16): Django's views in our pages, single use, one hour, and the
same answer whether or not the address has an account."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW = "violet-harbour-trumpet-42"


def ask(client: Client, email: str):
    return client.post("/accounts/password-reset/", {"email": email})


def link_in(message) -> str:
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_the_reset_form():
    html = Client().get("/accounts/login/").text
    assert '<a href="/accounts/password-reset/">Forgot your password?</a>' in html
    page = Client().get("/accounts/password-reset/")
    assert page.status_code == 200 and "Reset your password" in page.text and 'name="email"' in page.text


def test_a_known_address_gets_a_link_that_works_once(leader):
    client = Client()
    response = ask(client, "Leader@Acme.test")
    assert response.status_code == 302 and response.url == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["leader@acme.test"] and message.subject == "Reset your Whole Product Map password"
    assert "expires in an hour" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "Choose a new password" in html
    link = link_in(message)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text and "leader@acme.test" in form_page.text
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == "/accounts/reset/done/"
    leader.refresh_from_db()
    assert leader.check_password(NEW) and not leader.check_password(PASSWORD)
    # The same link again: used up.
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.text and 'name="new_password1"' not in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_email(leader):
    known, unknown = ask(Client(), "leader@acme.test"), ask(Client(), "nobody@acme.test")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)

    def page(url: str) -> str:  # without the per-session CSRF token
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", Client().get(url).text)

    page_known, page_unknown = page(known.url), page(unknown.url)
    assert page_known == page_unknown and "If an account uses that address" in page_known
    assert [m.to for m in mail.outbox] == [["leader@acme.test"]]


def test_a_link_expires_after_an_hour(leader, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    ask(Client(), "leader@acme.test")
    link = link_in(mail.outbox[0])
    later = datetime.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    page = Client().get(link, follow=True)
    assert "This link no longer works" in page.text
    assert 'href="/accounts/password-reset/"' in page.text


def test_a_bad_address_is_explained_and_sends_nothing():
    response = ask(Client(), "not an address")
    assert response.status_code == 200 and "Enter a valid email address." in response.text
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(leader):
    client = Client()
    ask(client, "leader@acme.test")
    set_url = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200 and "This password is too common." in response.text
    leader.refresh_from_db()
    assert leader.check_password(PASSWORD)
