"""The product side of the domain (DESIGN §2): layers, products, assignments, reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from roles.models import Function, Organization, Stakeholder


class Layer(models.Model):
    """One of the four fixed rings of the Whole Product; rows come from a data migration."""

    class Key(models.TextChoices):
        CORE = "core", "Core product"
        EXPECTED = "expected", "Expected product"
        AUGMENTED = "augmented", "Augmented product"
        POTENTIAL = "potential", "Potential product"

    key = models.CharField(max_length=20, choices=Key.choices, unique=True)
    name = models.CharField(max_length=60)
    ring = models.PositiveSmallIntegerField(unique=True)
    meaning = models.TextField()

    class Meta:
        ordering = ["ring"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="products")
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    head = models.ForeignKey(
        Stakeholder, null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_products"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="product_slug_unique_per_org"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    class Emphasis(models.TextChoices):
        LEAD = "lead", "Lead"
        CONTRIBUTOR = "contributor", "Contributor"

    class Source(models.TextChoices):
        PLAYBOOK = "playbook", "Playbook"
        MANUAL = "manual", "Manual"
        IMPORT = "import", "Import"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="assignments")
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="assignments")
    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="assignments")
    emphasis = models.CharField(max_length=20, choices=Emphasis.choices, default=Emphasis.CONTRIBUTOR)
    contribution = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    # Optimistic locking: an update names the version it read; a stale one is a conflict.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # When layer, emphasis or contribution last changed: reviews older than this are stale.
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "function", "layer"], name="assignment_unique_cell"),
            # RACI's "exactly one accountable": at most one lead per (product, layer).
            models.UniqueConstraint(
                fields=["product", "layer"],
                condition=models.Q(emphasis="lead"),
                name="assignment_one_lead_per_layer",
            ),
        ]
        ordering = ["layer__ring", "function__name"]

    def __str__(self) -> str:
        return f"{self.function} → {self.layer} ({self.emphasis})"


class Review(models.Model):
    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree"
        DISAGREE = "disagree", "Disagree"

    class Resolution(models.TextChoices):
        CHANGED = "changed", "Assignment changed"
        KEPT = "kept", "Assignment kept"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reviews")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comment = models.TextField(blank=True, max_length=2000)
    suggested_layer = models.ForeignKey(Layer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict="agree") | ~models.Q(comment=""),
                name="review_disagreement_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["assignment", "stakeholder", "-created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stakeholder} {self.verdict}s with {self.assignment}"

    @property
    def is_open(self) -> bool:
        """A disagreement stays open until a leader resolves it."""
        return self.verdict == self.Verdict.DISAGREE and not self.resolved_at
