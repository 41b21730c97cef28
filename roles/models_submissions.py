"""Answers remembered against double submits (wholeproduct/idempotency.py): an API POST's
Idempotency-Key, or an HTML form's one-time token, mapped to the answer its first request got."""

from __future__ import annotations

from django.db import models


class Submission(models.Model):
    class Kind(models.TextChoices):
        API = "api", "API request (Idempotency-Key)"
        FORM = "form", "HTML form (form token)"

    # sha256 of who sent it (user or credentials) and the key or token: never the key itself.
    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # sha256 of the method, address and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    # 0 while the first request is being answered.
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "remembered submission"

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]} → {self.status}"
