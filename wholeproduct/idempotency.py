"""Double submits create one row: the first answer to a request is remembered and given again.

- API: a POST with an `Idempotency-Key` header (any 1 to 255 visible ASCII characters, unique
  per request the client means). The same key with the same request (method, address, body)
  answers what the first one answered, with `Idempotent-Replayed: true`; the same key with a
  different request answers 422 and does nothing. Keys are per credentials and kept 24 hours.
- HTML forms: a form that creates rows carries a one-time token (`{% form_token %}`, from
  roles/templatetags/forms.py); a double click sends it twice with the same fields, and the
  second request gets the first one's answer (its redirect), not a second row. The token
  counts for 30 seconds: a form htmx leaves on the page can be sent again later on purpose.

Two requests with the same key at the same moment are one: the first holds the key's row
(inserted in the same transaction as the rows its view writes), and the second waits for it on
the unique index, then replays its answer. If the first fails (a 5xx, or its transaction rolls
back), the key is free again. Refusals of the caller (401, 403) and answers that say "try
later" (429, 503) are not remembered.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from wholeproduct.api_shape import api_error
from wholeproduct.outages import outage_message, unavailable

HEADER = "Idempotency-Key"
FORM_FIELD = "form_token"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
KEEP_FOR = timedelta(hours=24)
# A form stays on the page after an htmx answer (the rebuild button): the same click a minute
# later is a new request; a double click, or a second click while the first is slow, is not.
FORM_WINDOW = timedelta(seconds=30)
# Answers given before the request's work began, or that say "later": sent again with the same
# key (signed in anew, given access, after the wait), the request is answered afresh.
NOT_REMEMBERED = {401, 403, 429, 503}
# Signing in hands out secrets: its answers are never stored.
UNREMEMBERED_PATHS = ("/api/v1/auth/",)
REPLAYED = "Idempotent-Replayed"


class Refusal(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _owner(request: HttpRequest) -> str | None:
    """Whose keys these are: the signed-in user, or the credentials of an API call (DRF
    authenticates a token later, in the view; the header itself names the caller)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    return "credentials:" + _sha(authorization) if authorization else None


def _api_claim(request: HttpRequest) -> tuple[str, str, str] | None:
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or request.path_info.startswith(UNREMEMBERED_PATHS):
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise Refusal(
            api_error(
                400,
                f"{HEADER} must be 1 to 255 visible ASCII characters (a UUID is a good choice).",
                fields={HEADER: ["1 to 255 visible ASCII characters."]},
            )
        )
    owner = _owner(request)
    if owner is None:
        return None  # anonymous: refused by the view anyway
    fingerprint = _sha(request.method or "", request.get_full_path(), request.body)
    return _sha("api", owner, key), fingerprint, "api"


def _form_claim(request: HttpRequest) -> tuple[str, str, str] | None:
    if request.method != "POST" or request.path_info.startswith("/api/"):
        return None
    token = request.POST.get(FORM_FIELD, "")
    owner = _owner(request)
    if not token or owner is None:
        return None
    # The fields, not the raw body (a multipart boundary differs between two clicks). Another
    # submission of the same page with other values (back, edit, send) is a new request.
    fields = sorted((k, v) for k, values in request.POST.lists() for v in values if k != "csrfmiddlewaretoken")
    fingerprint = _sha(request.path, repr(fields))
    return _sha("form", owner, token[:200], fingerprint), fingerprint, "form"


def _replay(submission: Any) -> HttpResponse:
    response = HttpResponse(bytes(submission.content), status=submission.status)
    if submission.content_type:
        response["Content-Type"] = submission.content_type
    if submission.location:
        response["Location"] = submission.location
    response[REPLAYED] = "true"
    return response


def _earlier(submission: Any, fingerprint: str, request: HttpRequest) -> HttpResponse:
    if submission.fingerprint != fingerprint:
        return api_error(
            422,
            f"This {HEADER} was used for a different request (another address or body). "
            "Use a new key for a new request. Nothing was written.",
            code="idempotency_key_reused",
        )
    if submission.status == 0:  # the first request has not been answered yet
        busy = api_error(409, "A request with this Idempotency-Key is still being answered: try again.")
        busy.content = json.dumps({**json.loads(busy.content), "current": None}).encode()
        return busy  # (`current` as in the API's other 409s: here there is no object yet)
    return _replay(submission)


def _remember(submission: Any, response: HttpResponse) -> None:
    if response.status_code >= 500:
        transaction.set_rollback(True)  # nothing half-written, and the key is free again
        return
    if response.status_code in NOT_REMEMBERED or response.streaming:
        submission.delete()
        return
    submission.status = response.status_code
    submission.content_type = response.get("Content-Type", "")
    submission.location = response.get("Location", "")[:2000]
    submission.content = response.content
    submission.save(update_fields=["status", "content_type", "location", "content"])


class IdempotencyMiddleware:
    """Answer a repeated API POST (same Idempotency-Key) or form (same token) as the first time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            claim = _api_claim(request) or _form_claim(request)
        except Refusal as refusal:
            return refusal.response
        if claim is None:
            return self.get_response(request)
        return self._answer_once(request, *claim)

    def _answer_once(self, request: HttpRequest, key: str, fingerprint: str, kind: str) -> HttpResponse:
        from roles.models import Submission

        now = timezone.now()
        Submission.objects.filter(created_at__lt=now - KEEP_FOR).delete()
        Submission.objects.filter(kind=Submission.Kind.FORM, created_at__lt=now - FORM_WINDOW).delete()
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        submission = Submission.objects.create(key=key, kind=kind, fingerprint=fingerprint)
                except IntegrityError:
                    # Taken: by an earlier request, or by one that held it until it committed.
                    earlier = _earlier(Submission.objects.get(key=key), fingerprint, request)
                    return earlier
                response = self.get_response(request)
                _remember(submission, response)
        except Exception as error:
            # The answer was ready but the work queued on commit could not be (broker down):
            # nothing is remembered, and the client is told to try again.
            detail = outage_message(error)
            if detail is None:
                raise
            Submission.objects.filter(key=key).delete()
            return unavailable(request, detail)
        return response
