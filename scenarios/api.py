"""The scenarios API (issue 18, DESIGN §6): /api/v1/orgs/<org>/scenarios/ …

Leaders and admins only; a stakeholder gets 404 like another organization (the drafts of a
reorg are not theirs to know of). Writes go through `scenarios.services`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from roles.api_permissions import OrgViewSet
from roles.permissions import Perm
from wholeproduct.api_errors import error_responses

from . import selectors, services
from .changes import KINDS
from .models import Scenario, ScenarioChange


class ScenarioChangeSerializer(serializers.ModelSerializer):
    summary = serializers.CharField(read_only=True)
    ref = serializers.SerializerMethodField(help_text='How later steps name what this step creates ("new:<id>").')

    class Meta:
        model = ScenarioChange
        fields = ["id", "position", "kind", "payload", "base", "summary", "ref", "created_at"]
        read_only_fields = fields

    def get_ref(self, change: ScenarioChange) -> str:
        return f"new:{change.pk}"


class ScenarioSerializer(serializers.ModelSerializer):
    steps = serializers.IntegerField(read_only=True)

    class Meta:
        model = Scenario
        fields = [
            "id", "name", "description", "status", "version", "steps", "drafted_at", "created_at", "updated_at",
            "applied_at",
        ]  # fmt: skip
        read_only_fields = ["id", "status", "version", "steps", "drafted_at", "created_at", "updated_at", "applied_at"]


class ScenarioDetailSerializer(ScenarioSerializer):
    changes = serializers.SerializerMethodField()

    class Meta(ScenarioSerializer.Meta):
        fields = [*ScenarioSerializer.Meta.fields, "changes"]

    @extend_schema_field(ScenarioChangeSerializer(many=True))
    def get_changes(self, scenario: Scenario) -> list[dict[str, Any]]:
        return ScenarioChangeSerializer(selectors.changes_of(scenario), many=True).data


class ScenarioAddChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS.items()))
    payload = serializers.DictField(help_text="The step's fields (scenarios.changes: FIELDS).")
    version = serializers.IntegerField(required=False, help_text="The scenario's version you read.")


class ScenarioMoveSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(required=False)


class ScenarioVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The scenario's version you read.")


class ScenarioApplySerializer(serializers.Serializer):
    start_campaign = serializers.BooleanField(default=False)
    version = serializers.IntegerField(required=False)


CONFLICT = inline_serializer(
    "ScenarioApplyConflict",
    {
        "error": serializers.CharField(),
        "detail": serializers.CharField(),
        "fields": serializers.DictField(),
        "conflicts": serializers.ListField(
            child=inline_serializer(
                "ScenarioApplyConflictItem",
                {
                    "step": serializers.IntegerField(),
                    "what": serializers.CharField(),
                    "drafted": serializers.CharField(),
                    "current": serializers.CharField(),
                },
            )
        ),
    },
)
IMPACT = inline_serializer(
    "ScenarioImpact",
    {
        "scenario": serializers.IntegerField(),
        "steps": serializers.IntegerField(),
        "computed_at": serializers.DateTimeField(),
        "products": serializers.ListField(child=serializers.DictField()),
        "people_to_reconfirm": serializers.IntegerField(),
        "pairs_to_pending": serializers.IntegerField(),
        "pairs_to_stale": serializers.IntegerField(),
        "partnerships": serializers.ListField(child=serializers.DictField()),
        "consequences": serializers.ListField(child=serializers.CharField()),
    },
)


class ScenarioViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, OrgViewSet
):
    """Named drafts of the organization's future, their steps, impact and application."""

    model = Scenario
    serializer_class = ScenarioSerializer
    ordering_fields = ["updated_at", "name"]
    ordering = ["-updated_at", "-pk"]
    action_perms = {"list": Perm.EDIT, "retrieve": Perm.EDIT, "impact": Perm.EDIT}
    conflict_actions = frozenset({"apply"})

    def permission_denied(self, request: Request, message: Any = None, code: Any = None) -> None:
        ctx = getattr(request, "ctx", None)
        if ctx is not None and not ctx.can(Perm.EDIT):
            raise Http404("No such page.")  # a stakeholder: as if scenarios did not exist
        super().permission_denied(request, message=message, code=code)

    def scoped_queryset(self) -> QuerySet[Scenario]:
        return selectors.scenarios_of(self.ctx.organization)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "retrieve":
            return ScenarioDetailSerializer
        return {"add_change": ScenarioAddChangeSerializer, "apply": ScenarioApplySerializer}.get(
            self.action, ScenarioSerializer
        )

    def serialize_current(self, current: Scenario) -> dict[str, Any]:
        """A stale `version` answers 409 with the scenario as it is now (wholeproduct.api_errors)."""
        fresh = self.get_queryset().get(pk=current.pk)  # with its `steps`, as a list shows it
        return ScenarioSerializer(fresh, context=self.get_serializer_context()).data

    def _detail(self, scenario: Scenario, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=scenario.pk)
        return Response(ScenarioDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Draft a scenario", responses={201: ScenarioDetailSerializer, **error_responses([400])})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ScenarioSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = services.create_scenario(
            organization=self.ctx.organization,
            by=request.user,
            name=serializer.validated_data["name"],
            description=serializer.validated_data.get("description", ""),
        )
        return self._detail(scenario, status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Scenario) -> None:
        services.delete_scenario(scenario=instance)

    @extend_schema(
        summary="Add a step",
        request=ScenarioAddChangeSerializer,
        responses={201: ScenarioDetailSerializer, **error_responses([400, 409], conflict_of=ScenarioSerializer)},
    )
    @action(detail=True, methods=["post"], url_path="changes")
    def add_change(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scenario = self.get_object()
        serializer = ScenarioAddChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.add_change(
            scenario=scenario,
            by=request.user,
            kind=data["kind"],
            expected_version=data.get("version"),
            **data["payload"],
        )
        return self._detail(scenario, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a step", request=None, responses={200: ScenarioDetailSerializer, **error_responses([400, 404])}
    )
    @action(detail=True, methods=["delete"], url_path=r"changes/(?P<change_id>[0-9]+)")
    def remove_change(self, request: Request, change_id: str, *args: Any, **kwargs: Any) -> Response:
        scenario = self.get_object()
        services.remove_change(scenario=scenario, change_id=int(change_id))
        return self._detail(scenario)

    @extend_schema(
        summary="Move a step",
        request=ScenarioMoveSerializer,
        responses={200: ScenarioDetailSerializer, **error_responses([400, 404, 409], conflict_of=ScenarioSerializer)},
    )
    @action(detail=True, methods=["post"], url_path=r"changes/(?P<change_id>[0-9]+)/move")
    def move_change(self, request: Request, change_id: str, *args: Any, **kwargs: Any) -> Response:
        scenario = self.get_object()
        serializer = ScenarioMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.move_change(
            scenario=scenario,
            change_id=int(change_id),
            position=serializer.validated_data["position"],
            expected_version=serializer.validated_data.get("version"),
        )
        return self._detail(scenario)

    @extend_schema(summary="What the scenario would do to every product", responses={200: IMPACT})
    @action(detail=True, methods=["get"])
    def impact(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(services.impact(self.get_object()).to_dict())

    @extend_schema(
        summary="Apply the scenario",
        description="All steps at once through the organization's services, or none: "
        "409 lists what changed since drafting.",
        request=ScenarioApplySerializer,
        responses={
            200: ScenarioDetailSerializer,
            409: OpenApiResponse(
                CONFLICT, description="Something a step touches changed since drafting: nothing applied."
            ),
            **error_responses([400]),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scenario = self.get_object()
        serializer = ScenarioApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.apply(
                scenario=scenario,
                by=request.user,
                start_campaign=serializer.validated_data["start_campaign"],
                expected_version=serializer.validated_data.get("version"),
            )
        except services.Conflict as conflict:  # what changed since drafting, or a stale `version`
            body = {
                "error": "conflict",
                "detail": conflict.detail,
                "fields": {},
                "conflicts": [item.to_dict() for item in getattr(conflict, "items", [])],
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return self._detail(scenario)

    @extend_schema(
        summary="Rebase the scenario onto today",
        description="Records again what every step touches as it stands now; a step no longer possible is removed.",
        request=ScenarioVersionSerializer,
        responses={200: ScenarioDetailSerializer, **error_responses([400, 409], conflict_of=ScenarioSerializer)},
    )
    @action(detail=True, methods=["post"])
    def rebase(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scenario = self.get_object()
        serializer = ScenarioVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rebase(scenario=scenario, by=request.user, expected_version=serializer.validated_data.get("version"))
        return self._detail(scenario)
