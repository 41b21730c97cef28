"""The product side of the domain (DESIGN §2): layers, products, assignments, reviews."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from roles.models import Function, Organization, Stakeholder, fill_organization
from shared.packed import PackedJSONListField
from wholeproduct.text import LONG_TEXT, SHORT_TEXT


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
    name = models.CharField(max_length=200, validators=[SHORT_TEXT])
    description = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
    head = models.ForeignKey(
        Stakeholder, null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_products"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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

    # The tenant key (DESIGN §2): every query filters on it, so no list scans other tenants' rows.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="assignments")
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="assignments")
    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="assignments")
    emphasis = models.CharField(max_length=20, choices=Emphasis.choices, default=Emphasis.CONTRIBUTOR)
    contribution = models.CharField(max_length=500, blank=True, validators=[SHORT_TEXT])
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
        indexes = [
            models.Index(fields=["organization", "product", "layer"], name="assignment_org_product"),
            models.Index(fields=["organization", "function"], name="assignment_org_function"),
            # A product's cells with what the playbook's suggestions compare (emphasis, source),
            # and their ids (PostgreSQL): read from the index alone, without visiting the rows,
            # which at 5,000 functions lie on 2,400 pages of the table (layers.selectors.suggestions,
            # and the ids of a page of the API's cells, shared.paging.ids_first).
            models.Index(
                fields=["product", "function", "layer", "emphasis", "source"],
                include=["id"],
                name="assignment_product_cells",
            ),
        ]
        ordering = ["layer__ring", "function__name"]

    def __str__(self) -> str:
        return f"{self.function} → {self.layer} ({self.emphasis})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "product")
        super().save(*args, **kwargs)


class Review(models.Model):
    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree"
        DISAGREE = "disagree", "Disagree"

    class Resolution(models.TextChoices):
        CHANGED = "changed", "Assignment changed"
        KEPT = "kept", "Assignment kept"

    # The tenant key (DESIGN §2): every query filters on it, so no list scans other tenants' rows.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reviews")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comment = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
    suggested_layer = models.ForeignKey(Layer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
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
        indexes = [
            models.Index(fields=["assignment", "stakeholder", "-created_at"]),
            models.Index(fields=["organization", "-created_at"], name="review_org_created"),
            models.Index(fields=["organization", "stakeholder"], name="review_org_stakeholder"),
            models.Index(fields=["organization", "-resolved_at"], name="review_org_resolved"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stakeholder} {self.verdict}s with {self.assignment}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "assignment")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        """A disagreement stays open until a leader resolves it."""
        return self.verdict == self.Verdict.DISAGREE and not self.resolved_at


class AssignmentChange(models.Model):
    """One write to an assignment cell (issue 3 item 8): who changed what, when, from what to what.

    Keyed by the cell (product, function, layer) rather than the assignment row, so a
    deleted assignment keeps its history. `before`/`after` hold emphasis, contribution,
    source and version; `before` is null on create and `after` is null on delete.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"

    # The tenant key (DESIGN §2): every query filters on it, so no list scans other tenants' rows.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="assignment_changes")
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="assignment_changes")
    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=Assignment.Source.choices)

    class Meta:
        indexes = [
            models.Index(fields=["product", "function", "layer", "-at"]),
            models.Index(fields=["organization", "-at"], name="assignmentchange_org_at"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.function} @ {self.layer}: {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "product")
        super().save(*args, **kwargs)


class DismissedSuggestion(models.Model):
    """A leader said "no" to the playbook's suggestion for one cell; apply() leaves it alone."""

    # The tenant key (DESIGN §2): every query filters on it, so no list scans other tenants' rows.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "function", "layer"], name="dismissed_suggestion_unique_cell"),
        ]
        indexes = [models.Index(fields=["organization", "product"], name="dismissed_org_product")]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.function} @ {self.layer} dismissed"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "product")
        super().save(*args, **kwargs)


class ReviewCampaign(models.Model):
    """A leader asks a product's stakeholders to review their part by a deadline (issue 4)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    # The tenant key (DESIGN §2): every query filters on it, so no list scans other tenants' rows.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200, validators=[SHORT_TEXT])
    # Empty means every function mapped on the product.
    functions = models.ManyToManyField(Function, blank=True, related_name="campaigns")
    starts_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["organization", "-created_at"], name="campaign_org_created"),
            models.Index(fields=["organization", "status", "deadline"], name="campaign_org_status"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "product")
        super().save(*args, **kwargs)


class CampaignReminder(models.Model):
    """One reminder sent to one stakeholder in a campaign; the unique day makes re-runs send nothing twice."""

    # The tenant key (DESIGN §2): every query filters on it, so no list scans other tenants' rows.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="reminders")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "stakeholder", "sent_on"], name="campaign_reminder_once_a_day"),
        ]
        indexes = [models.Index(fields=["organization", "-sent_at"], name="reminder_org_sent")]
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Reminder to {self.stakeholder} on {self.sent_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "campaign")
        super().save(*args, **kwargs)


class CoverageReport(models.Model):
    """An immutable snapshot of one product's coverage at one time (DESIGN §2, §4).

    `run_key` names the build run (the task's id, or the schedule slot), so a task
    delivered twice or retried after a worker died still leaves one snapshot per run.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Manual"
        API = "api", "API"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reports")
    run_key = models.CharField(max_length=100)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    generated_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    layer_coverage = models.FloatField()
    function_coverage = models.FloatField()
    review_coverage = models.FloatField()
    agreement = models.FloatField()
    layers = models.JSONField(default=list)
    # Thousands of gaps at 5,000 functions, never queried inside the database: stored packed
    # (shared/packed.py), read back as the list of dicts.
    gaps = PackedJSONListField(default=list)
    totals = models.JSONField(default=dict)
    data = models.JSONField(
        default=dict,
        help_text="The coverage result as built (its layers and gaps have their own columns), product and rings.",
    )
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "run_key"], name="report_one_per_run"),
        ]
        indexes = [
            models.Index(fields=["organization", "-generated_at"]),
            models.Index(fields=["product", "-generated_at"]),
        ]
        ordering = ["-generated_at", "-id"]
        get_latest_by = "generated_at"

    def __str__(self) -> str:
        return f"{self.product} — {self.score} ({self.generated_at:%Y-%m-%d %H:%M})"


class ExportJob(models.Model):
    """A report export built by a worker (issue 15 item 9): the PDF or XLSX of a large report.

    Only the admin who asked may see and download it, inside their organization (DESIGN §5).
    The file lives in the row, as an import's upload does, so a web process and a worker on
    another machine see the same bytes; it expires after settings.EXPORT_KEEP_HOURS.
    `state`, `started_at`, `finished_at` and `error` are the shape the stuck-job sweeper reads.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="export_jobs")
    report = models.ForeignKey(CoverageReport, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_format = models.CharField(max_length=10)
    table = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(default=bytes, editable=False)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "requested_by", "report"]),
            models.Index(fields=["state", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.file_format} of report {self.report_id} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}


# The read model's tables live in their own module; importing them here registers them with the app.
from .readmodel.tables import (  # noqa: E402
    CellCounts,
    FeedbackLoopRow,
    FunctionCounts,
    LayerCounts,
    PairStatus,
    ProductCounts,
    ReviewPair,
    SuggestionRow,
)

__all__ = [
    "Assignment",
    "AssignmentChange",
    "CampaignReminder",
    "CellCounts",
    "CoverageReport",
    "DismissedSuggestion",
    "ExportJob",
    "FeedbackLoopRow",
    "FunctionCounts",
    "Layer",
    "LayerCounts",
    "PairStatus",
    "Product",
    "ProductCounts",
    "Review",
    "ReviewCampaign",
    "ReviewPair",
    "SuggestionRow",
]
