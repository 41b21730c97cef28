"""The read model's tables: derived rows kept up to date by the write services (`hooks`).

Nothing here is a source of truth: `rebuild_read_model` can recompute every row from the
domain tables. Each row carries its tenant key and the indexes its reads filter on.
"""

from __future__ import annotations

from django.db import models

from roles.models import Function, Organization, Partnership, Stakeholder


class PairStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CURRENT = "current", "Current"
    STALE = "stale", "Stale"


class ReviewPair(models.Model):
    """One review pair (assignment x stakeholder of its function) and its state (DESIGN §4)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey("layers.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="+", db_index=False)
    layer = models.ForeignKey("layers.Layer", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey("layers.Assignment", on_delete=models.CASCADE, related_name="pairs")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="+", db_index=False)
    review = models.ForeignKey("layers.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verdict = models.CharField(max_length=10, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING)
    is_open = models.BooleanField(default=False)
    # The change or disruption a review must be newer than to be current.
    cutoff = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "stakeholder"], name="review_pair_unique")]
        indexes = [
            models.Index(fields=["organization", "product", "function"], name="pair_org_product_function"),
            models.Index(fields=["organization", "stakeholder"], name="pair_org_stakeholder"),
            models.Index(fields=["organization", "function", "state"], name="pair_org_function_state"),
            # Deleting a person, a function or a product deletes their pairs by the key alone (Django's
            # cascade, then the database's deferred key check), which no index led by the
            # organization serves: each read every tenant's pairs (1.5 million rows in the
            # benchmark's database, up to 0.5 s for one function's people).
            models.Index(fields=["stakeholder"], name="pair_stakeholder"),
            models.Index(fields=["function"], name="pair_function"),
            models.Index(fields=["product"], name="pair_product"),
            # The inbox's open disputes, oldest first, a page at a time: only open pairs are indexed.
            models.Index(
                fields=["organization", "reviewed_at", "review"],
                condition=models.Q(is_open=True),
                name="pair_org_open_oldest",
            ),
        ]

    def __str__(self) -> str:
        return f"pair {self.assignment_id}x{self.stakeholder_id}: {self.state}"


class Tallied(models.Model):
    """Counts over a set of review pairs; pending = pairs - reviewed, stale = reviewed - current."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    pairs = models.PositiveIntegerField(default=0)
    reviewed = models.PositiveIntegerField(default=0)
    current = models.PositiveIntegerField(default=0)
    agreeing = models.PositiveIntegerField(default=0)
    disagreeing = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)

    COUNTS = ("pairs", "reviewed", "current", "agreeing", "disagreeing", "open")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} #{self.pk}: {self.current}/{self.pairs} current"

    @property
    def pending(self) -> int:
        return self.pairs - self.reviewed

    @property
    def stale(self) -> int:
        return self.reviewed - self.current


class CellCounts(Tallied):
    """One assignment's pairs: the finest counter, from which the others are summed."""

    product = models.ForeignKey("layers.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    # Reached from a function only by live coverage's read of every function with its cells
    # (`read._functions_and_cells`, a filtered left join).
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="cell_counts", db_index=False)
    layer = models.ForeignKey("layers.Layer", on_delete=models.PROTECT, related_name="+")
    assignment = models.OneToOneField("layers.Assignment", on_delete=models.CASCADE, related_name="counts")
    emphasis = models.CharField(max_length=20)
    # The picture's order of a ring's members (lead, then category, then lower-cased name), kept
    # with the cell so that a ring's first members are a range of an index (`cell_ring_order`,
    # PostgreSQL, migration 0016) rather than a sort of every member: the function's category and
    # its name as SQL's LOWER writes it (`layers.selectors.rings.ring_members`).
    category = models.CharField(max_length=20, default="")
    sort_name = models.TextField(default="")
    # The function's name as Python's `str.casefold` writes it, which SQL cannot: with the name,
    # compared by code point, it orders cells as a report orders its gaps by name
    # (`domain.coverage.gaps.order_within_kind`), so the coverage API's page of disputes is a
    # sorted, cut read (`gap_page`) rather than every open cell sorted in Python.
    name_key = models.TextField(default="")

    class Meta:
        indexes = [
            models.Index(fields=["organization", "product", "function"], name="cell_org_product_function"),
            models.Index(fields=["function"], name="cell_function"),  # a function's delete (its cascade)
        ]


class FunctionCounts(Tallied):
    """One mapped function on one product: its cells summed, and its head count."""

    product = models.ForeignKey("layers.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="+", db_index=False)
    assignments = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "function"], name="function_counts_unique")]
        indexes = [
            models.Index(fields=["organization", "product"], name="function_counts_org_product"),
            # A function's rows across products: the inbox's page of functions.
            models.Index(fields=["organization", "function"], name="function_counts_org_function"),
            models.Index(fields=["function"], name="function_counts_function"),  # a function's delete
        ]


class LayerCounts(Tallied):
    """One layer of one product: its lead, contributors and pairs."""

    product = models.ForeignKey("layers.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    layer = models.ForeignKey("layers.Layer", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(Function, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lead_disputed = models.BooleanField(default=False)
    contributors = models.PositiveIntegerField(default=0)
    # Every contributor's name, in the order a report lists them (`name_order`): the coverage API
    # names them all, and reading 2,000 cells with their functions' names and sorting them on
    # each request grew with the product. Kept by `maintain._refresh_layers` and renames; pages
    # that show counts only leave it unread (`read.layer_counts`).
    contributor_names = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "layer"], name="layer_counts_unique")]
        indexes = [models.Index(fields=["organization", "product"], name="layer_counts_org_product")]


class ProductCounts(Tallied):
    """One product's totals; its row is the lock every write to the product's counters takes."""

    product = models.OneToOneField("layers.Product", on_delete=models.CASCADE, related_name="counts")
    functions = models.PositiveIntegerField(default=0)
    mapped_functions = models.PositiveIntegerField(default=0)
    unstaffed_functions = models.PositiveIntegerField(default=0)
    assignments = models.PositiveIntegerField(default=0)
    owned_layers = models.PositiveSmallIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    # What the coverage API's gap segments count (`gap_page`): cells with an open dispute, lead
    # or not; mapped functions with a stale or a pending review; the people of mapped functions.
    lead_disputes = models.PositiveIntegerField(default=0)
    other_disputes = models.PositiveIntegerField(default=0)
    stale_functions = models.PositiveIntegerField(default=0)
    pending_functions = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "product"], name="product_counts_org_product")]

    @property
    def unmapped_functions(self) -> int:
        return self.functions - self.mapped_functions


class SuggestionRow(models.Model):
    """One pair of the playbook's suggestions for a product: a function of the organization and a
    layer its playbook entry has a rule for, under the organization's motion, with the facts the
    planner judges it by (the cell and a dismissal) and its status before leads are weighed
    (`suggestion_rows`). The map editor and the API read a product's suggestions from these rows,
    a window at a time, instead of pairing every function with the playbook on every load."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey("layers.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="+", db_index=False)
    layer = models.ForeignKey("layers.Layer", on_delete=models.PROTECT, related_name="+")
    ring = models.PositiveSmallIntegerField()
    playbook_name = models.CharField(max_length=120)
    rule_emphasis = models.CharField(max_length=20)
    # The cell as it is (no cell: both empty) and whether the suggestion was dismissed.
    row_emphasis = models.CharField(max_length=20, null=True, blank=True)
    row_source = models.CharField(max_length=20, null=True, blank=True)
    dismissed = models.BooleanField(default=False)
    before = models.CharField(max_length=20)  # `mapping._status_before_leads`
    # The function as the panel shows and orders it: name, category, lower-cased name (SQL's LOWER).
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20)
    sort_name = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "function", "layer"], name="suggestion_row_unique"),
        ]
        # PostgreSQL also orders each product's rows by (ring, name) and by status (migration 0019).
        # A function's rows by its id alone: deleting a function checks and cascades to them by it
        # (an index led by the organization would leave the database scanning every row).
        indexes = [models.Index(fields=["function"], name="suggestion_row_function")]

    def __str__(self) -> str:
        return f"suggestion {self.product_id}x{self.function_id}x{self.layer_id}: {self.before}"


class FeedbackLoopRow(models.Model):
    """One feedback loop of one product: a partnership carrying feedback from a function of the
    product's augmented layer to one of its core (`feedback_rows.loops_of`, oriented augmented →
    core), with both ends' lower-cased names (SQL's LOWER), so the product page reads its first
    loops in order from an index instead of testing every partnership of the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey("layers.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    from_function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="+")
    to_function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="+")
    to_sort = models.TextField()
    from_sort = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "partnership"], name="feedback_loop_unique")]
        indexes = [
            # A product's loops in the page's order (target, then source, then the link).
            models.Index(
                fields=["organization", "product", "to_sort", "from_sort", "partnership"], name="feedback_loop_order"
            ),
        ]

    def __str__(self) -> str:
        return f"feedback loop {self.product_id}x{self.partnership_id}"
