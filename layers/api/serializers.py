"""API shapes of the product side (STYLE: serializers validate and shape; services write)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from roles.api.serializers import MAX_ID, BooleanField, CharField, IntegerField, SlugField, id_field
from roles.models import Function, Stakeholder

from ..models import Assignment, CoverageReport, Layer, Product, Review
from ..readmodel.read import NAMED_CONTRIBUTORS


class LayerSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=Layer.Key.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    ring = serializers.IntegerField(read_only=True, help_text="1 (core) to 4 (potential), from the inside out.")
    meaning = serializers.CharField(read_only=True)


class LayerKeyField(serializers.SlugRelatedField):
    """A layer named by its key; an unknown key is refused with the keys that exist."""

    default_error_messages = {
        "does_not_exist": "Unknown layer {value!r}; use one of " + ", ".join(Layer.Key.values) + ".",
        "invalid": "Give a layer key: " + ", ".join(Layer.Key.values) + ".",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="key", queryset=Layer.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Layer:
        if not isinstance(data, str):
            self.fail("invalid")
        layers = self.context.setdefault("_layers", {layer.key: layer for layer in Layer.objects.all()})
        if data not in layers:
            self.fail("does_not_exist", slug_name="key", value=data)
        return layers[data]


# --- products -----------------------------------------------------------------------------------


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = SlugField(
        max_length=Product._meta.get_field("slug").max_length,
        required=False,
        allow_blank=True,
        help_text="Its address in URLs; made from the name when left blank.",
    )
    name = CharField(max_length=Product._meta.get_field("name").max_length)
    description = CharField(
        multiline=True,
        max_length=Product._meta.get_field("description").max_length,
        allow_blank=True,
        required=False,
        default="",
    )
    head = id_field(Stakeholder, allow_null=True, required=False, default=None, help_text="The person heading it.")
    head_name = serializers.CharField(source="head.full_name", read_only=True, allow_null=True, default=None)
    function_count = serializers.IntegerField(read_only=True, help_text="Functions mapped on it.")
    created_at = serializers.DateTimeField(read_only=True)


# --- assignments --------------------------------------------------------------------------------

CONTRIBUTION_MAX = Assignment._meta.get_field("contribution").max_length


class AssignmentSerializer(serializers.Serializer):
    """One cell of the map: a function's part in one layer of the product."""

    id = serializers.IntegerField(read_only=True)
    function = serializers.IntegerField(source="function_id", read_only=True)
    function_name = serializers.CharField(source="function.name", read_only=True)
    function_category = serializers.ChoiceField(
        source="function.category", choices=Function.Category.choices, read_only=True
    )
    layer = serializers.CharField(source="layer.key", read_only=True)
    emphasis = serializers.ChoiceField(choices=Assignment.Emphasis.choices, read_only=True)
    contribution = serializers.CharField(read_only=True)
    source = serializers.ChoiceField(choices=Assignment.Source.choices, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Send it back with an update (optimistic locking).")
    created_at = serializers.DateTimeField(read_only=True)
    changed_at = serializers.DateTimeField(read_only=True, help_text="Reviews older than this are stale.")


class AssignmentCreateSerializer(serializers.Serializer):
    function = id_field(Function)
    layer = LayerKeyField()
    emphasis = serializers.ChoiceField(choices=Assignment.Emphasis.choices, default=Assignment.Emphasis.CONTRIBUTOR)
    contribution = CharField(max_length=CONTRIBUTION_MAX, allow_blank=True, required=False, default="")
    source = serializers.ChoiceField(
        choices=[(Assignment.Source.MANUAL, "Manual"), (Assignment.Source.IMPORT, "Import")],
        default=Assignment.Source.MANUAL,
        help_text="manual, or import for a sync from another system.",
    )


class AssignmentUpdateSerializer(serializers.Serializer):
    version = IntegerField(min_value=1, max_value=MAX_ID, help_text="The version you read.")
    emphasis = serializers.ChoiceField(choices=Assignment.Emphasis.choices, required=False)
    contribution = CharField(max_length=CONTRIBUTION_MAX, allow_blank=True, required=False)


# --- suggestions --------------------------------------------------------------------------------

SUGGESTION_STATUSES = ["new", "applied", "differs", "manual", "lead_taken", "dismissed"]


class SuggestionSerializer(serializers.Serializer):
    function = IntegerField(source="function_id")
    function_name = CharField()
    category = serializers.ChoiceField(choices=Function.Category.choices)
    layer = CharField(source="layer_key")
    emphasis = serializers.ChoiceField(choices=Assignment.Emphasis.choices)
    reason = CharField(help_text="The sentence of the playbook that justifies it.")
    playbook_name = CharField()
    status = serializers.ChoiceField(
        choices=[(s, s) for s in SUGGESTION_STATUSES],
        help_text="new and differs are what applying writes; the others say why it will not.",
    )
    note = CharField(allow_blank=True)


class UnmatchedSerializer(serializers.Serializer):
    function = IntegerField(source="function_id")
    function_name = CharField()
    hints = serializers.ListField(child=CharField(), help_text="The closest playbook names.")
    mapped_layers = serializers.ListField(child=CharField())


class SuggestionPageSerializer(serializers.Serializer):
    """One page of suggestions, in the envelope of every list (count, next, previous, results),
    with what the whole set says: the motion, the counts per status, how many functions to map by hand."""

    count = IntegerField(help_text="Suggestions in this list (of the status asked for, if any).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SuggestionSerializer(many=True)
    go_to_market = CharField()
    counts = serializers.DictField(child=IntegerField(), help_text="Suggestions per status, of every function.")
    unmatched = IntegerField(help_text="Functions the playbook does not know: listed at suggestions/unmatched/.")


class UnmatchedPageSerializer(serializers.Serializer):
    count = IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = UnmatchedSerializer(many=True)


class CellSerializer(serializers.Serializer):
    function = id_field(Function)
    layer = LayerKeyField()


class ApplySerializer(serializers.Serializer):
    """Either `all: true`, or the `cells` to apply."""

    all = BooleanField(required=False, default=False, help_text="Apply every actionable suggestion.")
    cells = CellSerializer(many=True, required=False, help_text="The suggestions to apply: [{function, layer}].")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        cells = attrs.get("cells")
        if attrs["all"] == (cells is not None):
            raise serializers.ValidationError({"cells": ["Send either cells or all: true (not both, not neither)."]})
        if cells is not None and not cells:
            raise serializers.ValidationError({"cells": ["Choose at least one suggestion."]})
        if cells is not None and len(cells) > 5000:
            raise serializers.ValidationError({"cells": ["Send at most 5000 cells at a time."]})
        return attrs


class ApplyResultSerializer(serializers.Serializer):
    created = IntegerField()
    updated = IntegerField()
    unchanged = IntegerField()
    skipped_manual = IntegerField()
    skipped_dismissed = IntegerField()
    conflicts = serializers.ListField(child=CharField(), help_text="Suggestions not applied, and why.")


# --- reports ------------------------------------------------------------------------------------


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = serializers.SlugField(source="product.slug", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    generated_at = serializers.DateTimeField(read_only=True)
    trigger = serializers.ChoiceField(choices=CoverageReport.Trigger.choices, read_only=True)
    score = serializers.IntegerField(read_only=True, help_text="0 to 100 (DESIGN §4).")
    layer_coverage = serializers.FloatField(read_only=True)
    function_coverage = serializers.FloatField(read_only=True)
    review_coverage = serializers.FloatField(read_only=True)
    agreement = serializers.FloatField(read_only=True)
    duration_ms = serializers.IntegerField(read_only=True)


class ReportDetailSerializer(ReportSerializer):
    layers = serializers.ListField(child=serializers.DictField(), read_only=True, help_text="Per-layer rows.")
    gaps = serializers.ListField(child=serializers.DictField(), read_only=True)
    totals = serializers.DictField(child=serializers.IntegerField(), read_only=True)


class LiveCoverageSerializer(serializers.Serializer):
    """A product's live coverage (DESIGN §4): the fields and names of a report, plus `as_of`."""

    product = serializers.SlugField(read_only=True)
    product_name = serializers.CharField(read_only=True)
    as_of = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the read model last changed for this product."
    )
    score = serializers.IntegerField(read_only=True, help_text="0 to 100 (DESIGN §4).")
    layer_coverage = serializers.FloatField(read_only=True)
    function_coverage = serializers.FloatField(read_only=True)
    review_coverage = serializers.FloatField(read_only=True)
    agreement = serializers.FloatField(read_only=True)
    layers = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text=f"Per-layer rows. `contributors` names the first {NAMED_CONTRIBUTORS} contributors, in a "
        "report's order, and `contributor_count` counts them all (a stored report names every one); the "
        "assignments list gives the rest (`?layer=<key>&emphasis=contributor`).",
    )
    gaps = serializers.ListField(
        child=serializers.DictField(), read_only=True, help_text="One page of the gaps, most severe first."
    )
    gaps_count = serializers.IntegerField(read_only=True, help_text="How many gaps there are in all.")
    gaps_next = serializers.URLField(read_only=True, allow_null=True, help_text="The next page of gaps, if any.")
    gaps_previous = serializers.URLField(read_only=True, allow_null=True, help_text="The previous page, if any.")
    totals = serializers.DictField(child=serializers.IntegerField(), read_only=True)


class ReportBuildSerializer(serializers.Serializer):
    product = SlugField(
        required=False, allow_null=True, default=None, help_text="A product's slug; every product when left out."
    )


class BuildTaskSerializer(serializers.Serializer):
    task_id = CharField()
    product = SlugField(allow_null=True)
    state = serializers.ChoiceField(
        choices=[(s, s) for s in ("queued", "running", "retrying", "done", "failed", "skipped")]
    )
    report = IntegerField(allow_null=True, help_text="The snapshot's id once built.")
    score = IntegerField(allow_null=True)


class BuildQueuedSerializer(serializers.Serializer):
    job = CharField(help_text="Poll status_url until done is true.")
    status_url = serializers.URLField()
    tasks = serializers.ListField(child=CharField(), help_text="One build task per product.")


class BuildStatusSerializer(serializers.Serializer):
    job = CharField()
    done = BooleanField()
    percent = IntegerField()
    total = IntegerField()
    finished = IntegerField()
    tasks = BuildTaskSerializer(many=True)


# --- reviews ------------------------------------------------------------------------------------


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    product = serializers.SlugField(source="assignment.product.slug", read_only=True)
    function = serializers.IntegerField(source="assignment.function_id", read_only=True)
    function_name = serializers.CharField(source="assignment.function.name", read_only=True)
    layer = serializers.CharField(source="assignment.layer.key", read_only=True)
    stakeholder = serializers.IntegerField(source="stakeholder_id", read_only=True)
    stakeholder_name = serializers.CharField(source="stakeholder.full_name", read_only=True)
    verdict = serializers.ChoiceField(choices=Review.Verdict.choices, read_only=True)
    comment = serializers.CharField(read_only=True)
    suggested_layer = CharField(source="suggested_layer.key", read_only=True, allow_null=True, default=None)
    created_at = serializers.DateTimeField(read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="A disagreement no leader has resolved yet.")
    resolution = serializers.CharField(read_only=True, help_text="changed, kept, or blank while unresolved.")
    resolution_note = serializers.CharField(read_only=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ReviewCreateSerializer(serializers.Serializer):
    assignment = IntegerField(min_value=1, max_value=MAX_ID, help_text="An assignment of your function.")
    verdict = serializers.ChoiceField(choices=Review.Verdict.choices)
    comment = CharField(
        multiline=True,
        max_length=Review._meta.get_field("comment").max_length,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required when you disagree: say why.",
    )
    suggested_layer = LayerKeyField(required=False, allow_null=True, default=None)


class ResolveSerializer(serializers.Serializer):
    """keep: the assignment stays (a note is required); change: set its emphasis/contribution (version required)."""

    action = serializers.ChoiceField(choices=[("keep", "Keep the assignment"), ("change", "Change the assignment")])
    note = CharField(
        multiline=True,
        max_length=Review._meta.get_field("resolution_note").max_length,
        allow_blank=True,
        required=False,
        default="",
    )
    emphasis = serializers.ChoiceField(choices=Assignment.Emphasis.choices, required=False)
    contribution = CharField(max_length=CONTRIBUTION_MAX, allow_blank=True, required=False)
    version = IntegerField(min_value=0, max_value=MAX_ID, required=False, help_text="The assignment's.")
    add_suggested_layer = BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "change" and "version" not in attrs:
            raise serializers.ValidationError({"version": ["Send the assignment's version you read."]})
        return attrs


# --- exports built by a worker (issue 15 item 9) --------------------------------------------------


class ExportJobSerializer(serializers.Serializer):
    job = serializers.UUIDField(help_text="The export job's id.")
    state = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    percent = IntegerField(help_text="How far the build has come, 0 to 100.")
    step = CharField(help_text="What the worker is doing, in words.")
    error = CharField(help_text="Why the build failed (empty unless state is failed).")
    format = CharField()
    table = CharField(help_text="The one table exported, or empty for all of them.")
    status_url = serializers.URLField(help_text="Poll this until state is done or failed.")
    download_url = serializers.URLField(allow_null=True, help_text="The file, once state is done (null before).")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the file is deleted.")
