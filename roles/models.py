"""The organization side of the domain (DESIGN §2): tenants, members, functions, people."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wholeproduct.text import LONG_TEXT, SHORT_TEXT


def _created_by() -> models.ForeignKey:
    """Who created the row (issue 16): kept when that user is deleted, as a blank."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


def fill_organization(row: models.Model, parent: str) -> None:
    """Take a tenant-owned row's `organization` from its parent when the caller left it out.

    The column is derived (the parent already names the tenant), so code that builds a row
    from its parent alone stays correct; bulk_create skips save(), so bulk writers set it.
    """
    if getattr(row, "organization_id", None) is None:
        row.organization_id = getattr(row, parent).organization_id


class Organization(models.Model):
    class GoToMarket(models.TextChoices):
        PRODUCT_LED = "product_led", "Product-led"
        SALES_LED = "sales_led", "Sales-led"
        HYBRID = "hybrid", "Hybrid"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200, validators=[SHORT_TEXT])
    go_to_market = models.CharField(max_length=20, choices=GoToMarket.choices, default=GoToMarket.HYBRID)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Access(models.TextChoices):
        ADMIN = "admin", "Admin"
        LEADER = "leader", "Leader"
        STAKEHOLDER = "stakeholder", "Stakeholder"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.STAKEHOLDER)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who changed what, and when (issue 16): the organization's activity log reads these.
    history = HistoricalRecords(related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_one_per_user_org"),
        ]
        # The members page counts an organization's admins on every load (the last admin is kept):
        # one entry of this index, where the organization's index read every member's row.
        indexes = [models.Index(fields=["organization", "access"], name="membership_org_access")]
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.access})"


class FunctionCategory(models.TextChoices):
    """DESIGN §2's categories, in its order: the builders first, partners last (`Function.Category`)."""

    BUILDING = "building", "Building"
    CUSTOMER_FACING = "customer_facing", "Customer-facing"
    CROSS_FUNCTIONAL = "cross_functional", "Cross-functional"
    LEADERSHIP = "leadership", "Leadership"
    PARTNER = "partner", "Partner"


def category_rank() -> models.Case:
    """A function's category as its place in that order: the functions page sorts by it, and an
    index holds the same expression (`function_page_order`), so a page is read in order, not sorted."""
    whens = [models.When(category=key, then=models.Value(i)) for i, key in enumerate(FunctionCategory.values)]
    return models.Case(*whens, output_field=models.IntegerField())


class Function(models.Model):
    Category = FunctionCategory

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="functions")
    name = models.CharField(max_length=120, validators=[SHORT_TEXT])
    category = models.CharField(max_length=20, choices=Category.choices)
    is_external = models.BooleanField(default=False, help_text="Outside the organization (a channel partner).")
    description = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    # The playbook's reading of the name, stored when the function is created or renamed (and by
    # `refresh_playbook_matches` when the playbook changes) so the map editor does not match every
    # name on every load: the entry's name, "" for no match, None for not computed yet.
    playbook_name = models.CharField(max_length=120, null=True, blank=True)
    playbook_hints = models.JSONField(default=list, blank=True)  # the closest entries when nothing matches
    created_by = _created_by()
    created_at = models.DateTimeField(auto_now_add=True)
    # The stored playbook match is derived data, not something a person changed: not in the log.
    history = HistoricalRecords(related_name="+", excluded_fields=["playbook_name", "playbook_hints"])

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="function_name_unique_ci"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="function_not_own_parent"),
        ]
        indexes = [
            # A page of functions is read in its order, not sorted from the whole tenant: the API's
            # (by name) and the functions page's (by category, then name).
            models.Index(fields=["organization", "name", "id"], name="function_org_name"),
            models.Index(
                models.F("organization"), category_rank(), Lower("name"), models.F("id"), name="function_page_order"
            ),
            # The functions a path that does not stamp the playbook's match wrote (normally none):
            # the suggestions read them on every load, which scanned every tenant's functions.
            models.Index(
                fields=["organization"], condition=models.Q(playbook_name__isnull=True), name="function_unstamped"
            ),
            # The functions the playbook does not know (their match is none of its entries), which
            # the map editor and the API count and list: the organization's stamps, from an index.
            models.Index(fields=["organization", "playbook_name"], name="function_org_playbook"),
            # The functions page's totals per category, counted from this index alone (a scan of
            # the organization's rows took twice as long at 5,000 functions).
            models.Index(fields=["organization", "category"], name="function_org_category"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stakeholder(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stakeholders")
    # PROTECT: deleting a function must never silently take its people with it.
    function = models.ForeignKey(Function, on_delete=models.PROTECT, related_name="stakeholders")
    full_name = models.CharField(max_length=200, validators=[SHORT_TEXT])
    title = models.CharField(max_length=200, blank=True, validators=[SHORT_TEXT])
    email = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="stakeholders"
    )
    # Another person of the same organization (DESIGN §2); a leaver's reports keep their row.
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", db_index=True
    )
    created_by = _created_by()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(related_name="+", excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), "organization", name="stakeholder_email_unique_ci"),
        ]
        indexes = [
            models.Index(fields=["organization", "function"]),
            # The people page and the API list read a page in name order: no sort of the whole tenant.
            models.Index(fields=["organization", "full_name", "id"], name="stakeholder_org_name"),
        ]
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class FunctionAlias(models.Model):
    """A label an organization confirmed as another name of one of its functions ("R&D" -> Engineering).

    Imports join a department with this label to the function instead of creating a second one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="function_aliases")
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="aliases")
    label = models.CharField(max_length=120, validators=[SHORT_TEXT])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("label"), "organization", name="function_alias_label_unique_ci"),
        ]
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} → {self.function_id}"


class ImportJob(models.Model):
    """One upload of an org chart, from preview to commit (issue 3).

    The uploaded bytes live in the row rather than on a disk so that a web process
    and a worker on another machine see the same file; they are dropped once the
    import is done.
    """

    class State(models.TextChoices):
        MAPPING = "mapping", "Needs column mapping"
        INVALID = "invalid", "Has errors"
        READY = "ready", "Ready to import"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(editable=False)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # The user's choices on the preview: {"separate": [labels kept apart], "skip_invalid": bool}.
    options = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.MAPPING)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"


class Partnership(models.Model):
    """A link of the Whole Product Partnership web (003_…): trust between two functions.

    The pair is stored in id order (function_a < function_b), so "no duplicate pair in
    either order" is a plain unique constraint.
    """

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        AD_HOC = "ad_hoc", "Ad hoc"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="partnerships")
    function_a = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="partnerships_as_a")
    function_b = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="partnerships_as_b")
    trust = models.PositiveSmallIntegerField(help_text="1 (broken) to 5 (strong).")
    shared_goal = models.CharField(max_length=300, blank=True, validators=[SHORT_TEXT])
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY)
    feedback_carried = models.TextField(
        blank=True,
        max_length=2000,
        validators=[LONG_TEXT],
        help_text="What flows back to the core: prospects' needs, competitor positioning…",
    )
    last_checked_on = models.DateField(null=True, blank=True)
    # Set by a disruption touching either function; cleared by the next check-in.
    needs_trust_check = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(trust__gte=1, trust__lte=5), name="partnership_trust_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(function_a__lt=models.F("function_b")), name="partnership_pair_ordered"
            ),
            models.UniqueConstraint(fields=["function_a", "function_b"], name="partnership_unique_pair"),
        ]
        indexes = [
            # The unflagged links of a disrupted function checked before its day: the few a large
            # web's summary reads one by one (`roles.selectors.web._kept_summary`).
            models.Index(
                fields=["function_a", "last_checked_on"],
                condition=models.Q(needs_trust_check=False),
                name="partnership_a_unflagged",
            ),
            models.Index(
                fields=["function_b", "last_checked_on"],
                condition=models.Q(needs_trust_check=False),
                name="partnership_b_unflagged",
            ),
        ]
        ordering = ["function_a__name", "function_b__name"]

    def __str__(self) -> str:
        return f"{self.function_a} ↔ {self.function_b} (trust {self.trust})"


class PartnershipCheckIn(models.Model):
    """A leader's reading of a partnership's trust on a date: the history behind its trend."""

    # The tenant key (DESIGN §2): every query filters on it.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="check_ins")
    trust = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
    checked_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(trust__gte=1, trust__lte=5), name="checkin_trust_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["organization", "-checked_on"], name="checkin_org_checked"),
            # A link's last readings, newest first: what a table row's trend draws (`with_trends`).
            models.Index(fields=["partnership", "-checked_on", "-id"], name="checkin_latest"),
        ]
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership} checked {self.checked_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organization(self, "partnership")
        super().save(*args, **kwargs)


class Disruption(models.Model):
    """A dated event touching some functions (003_…: the permanent operating environment).

    `effective_at` is when it starts to count against reviews: the moment it was logged,
    or the start of `occurred_on` if that lies in the future (a planned reorg).
    """

    class Kind(models.TextChoices):
        REORG = "reorg", "Reorganization"
        LEADERSHIP_CHANGE = "leadership_change", "Leadership change"
        NEW_HIRES = "new_hires", "New hires"
        SUSTAINED_PRESSURE = "sustained_pressure", "Sustained pressure"
        OTHER = "other", "Other"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="disruptions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200, validators=[SHORT_TEXT])
    note = models.TextField(blank=True, max_length=2000, validators=[LONG_TEXT])
    occurred_on = models.DateField()
    effective_at = models.DateTimeField()
    # When it took effect on reviews and partnerships: at once for a past date, by the beat task
    # `roles.apply_due_disruptions` for a future one. Null while planned; only applied ones count.
    applied_at = models.DateTimeField(null=True, blank=True)
    functions = models.ManyToManyField(Function, related_name="disruptions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_on"]),
            models.Index(fields=["effective_at"], condition=models.Q(applied_at__isnull=True), name="disruption_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.occurred_on})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A row written with a moment already past counts from that moment; the service applies
        # it with its effects (roles.services.disruptions), this only keeps a raw row truthful.
        if self.applied_at is None and self.effective_at is not None and self.effective_at <= timezone.now():
            self.applied_at = self.effective_at
        super().save(*args, **kwargs)


class Invite(models.Model):
    """A single-use, expiring invitation for a stakeholder to join (issue 4).

    The emailed link carries a signed token naming this row and its nonce; accepting
    sets `accepted_at`, so the same link cannot be used twice.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invites")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(max_length=254)
    nonce = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When an admin last asked for it to be sent (created or resent): the hourly limit counts these.
    requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = _created_by()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(related_name="+", excluded_fields=["nonce"])

    class Meta:
        indexes = [models.Index(fields=["organization", "stakeholder", "-created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invite for {self.email}"


# Answers remembered against double submits (wholeproduct/idempotency.py).
from .models_submissions import Submission  # noqa: E402, F401
