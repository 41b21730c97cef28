"""`{% form_token %}`: the one-time token of a form that creates rows, so a double click creates
one (wholeproduct/idempotency.py remembers the first answer and gives it to the second click)."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from wholeproduct.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    """A fresh token each time the form is drawn: a form shown again (with its errors) is a new try."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)
