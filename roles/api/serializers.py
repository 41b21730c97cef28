"""API shapes of the organization side (STYLE: serializers validate and shape; services write).

Every id a client sends is looked up inside the requester's organization only
(`OrgScopedPrimaryKeyField`): another organization's id answers "does not exist",
exactly as an id that exists nowhere, so ids do not leak across tenants.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.db.models.manager import BaseManager
from rest_framework import serializers

from wholeproduct.text import LONG_TEXT, SHORT_TEXT, TextValidator

from ..models import Disruption, Function, Membership, Organization, Partnership, PartnershipCheckIn, Stakeholder

MAX_ID = 2**63 - 1  # the largest id a database row can have: anything above is refused, not looked up


# --- strict JSON types ----------------------------------------------------------------------------
# DRF coerces: "1" is an integer, 0 a boolean, 5 a string. An integration sending the wrong
# type has a bug it should hear about, so request fields take only their own JSON type.


JSON_NAMES = {str: "a string", int: "a whole number", bool: "true or false"}


class _StrictType:
    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        if (isinstance(data, bool) and bool not in self.json_types) or not isinstance(data, self.json_types):
            expected = " or ".join(JSON_NAMES[t] for t in self.json_types)
            raise serializers.ValidationError(f"Give {expected}.", code="invalid")
        return super().to_internal_value(data)  # type: ignore[misc]


class CharField(_StrictType, serializers.CharField):
    """Text a client writes (it has a max length) follows the one text rule (wholeproduct/text.py):
    one line without invisible characters, or with `multiline=True` line breaks and tabs too.
    The rule judges the text as sent, before DRF trims it ("Ann\\n" is refused, as the schema's
    pattern says); `any_text=True` leaves a secret as it is."""

    json_types = (str,)

    def __init__(self, *, multiline: bool = False, any_text: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text_rule: TextValidator | None = None
        if not any_text and self.max_length is not None:
            self.text_rule = LONG_TEXT if multiline else SHORT_TEXT
            self.validators.append(self.text_rule)

    def to_internal_value(self, data: Any) -> Any:
        if self.text_rule is not None and isinstance(data, str):
            try:
                self.text_rule(data)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages, code="invisible_character") from None
        return super().to_internal_value(data)


class EmailField(_StrictType, serializers.EmailField):
    json_types = (str,)


class SlugField(_StrictType, serializers.SlugField):
    json_types = (str,)


class IntegerField(_StrictType, serializers.IntegerField):
    json_types = (int,)


class BooleanField(_StrictType, serializers.BooleanField):
    json_types = (bool,)


class DateField(_StrictType, serializers.DateField):
    json_types = (str,)


class OrgScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """The id of a row of the requester's organization (`context["organization"]`)."""

    def __init__(self, model: type[Model], *, in_query: bool = False, **kwargs: Any) -> None:
        self.model = model
        self.in_query = in_query  # a query string's "12" is an id too; a JSON body's is not
        # The placeholder queryset names the model for the schema; get_queryset does the real work.
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        organization = self.context.get("organization")
        if organization is None:
            return self.model._default_manager.none()
        return self.model._default_manager.filter(organization=organization)

    def to_internal_value(self, data: Any) -> Any:
        if self.in_query and isinstance(data, str) and data.isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def id_field(model: type[Model], **kwargs: Any) -> OrgScopedPrimaryKeyField:
    return OrgScopedPrimaryKeyField(model, **kwargs)


# --- organizations ------------------------------------------------------------------------------


class OrganizationSerializer(serializers.Serializer):
    """One organization the requester belongs to, with their access in it."""

    slug = serializers.SlugField(source="organization.slug", read_only=True)
    name = serializers.CharField(source="organization.name", read_only=True)
    go_to_market = serializers.ChoiceField(
        source="organization.go_to_market", choices=Organization.GoToMarket.choices, read_only=True
    )
    access = serializers.ChoiceField(choices=Membership.Access.choices, read_only=True)


# --- functions ----------------------------------------------------------------------------------


class FunctionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = CharField(max_length=Function._meta.get_field("name").max_length)
    category = serializers.ChoiceField(choices=Function.Category.choices)
    is_external = BooleanField(default=False, help_text="Outside the organization (a channel partner).")
    description = CharField(
        multiline=True,
        max_length=Function._meta.get_field("description").max_length,
        allow_blank=True,
        required=False,
        default="",
    )
    parent = id_field(Function, allow_null=True, required=False, default=None, help_text="A function containing it.")
    people_count = serializers.IntegerField(read_only=True, help_text="People of this function.")
    created_at = serializers.DateTimeField(read_only=True)


class FunctionDeleteSerializer(serializers.Serializer):
    """What happens to a function's people (query parameters of DELETE): moved to another function,
    or deleted with it, the head count you saw confirmed."""

    move_people_to = id_field(Function, in_query=True, required=False)
    delete_people = serializers.BooleanField(required=False, default=False)
    people_confirmed = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)


class FunctionDeletedSerializer(serializers.Serializer):
    name = CharField()
    people_moved = IntegerField()
    people_deleted = IntegerField()
    assignments_deleted = IntegerField()


# --- people -------------------------------------------------------------------------------------

INVITE_STATES = ["not_invited", "invited", "expired", "revoked", "joined"]


class StakeholderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = CharField(max_length=Stakeholder._meta.get_field("full_name").max_length)
    title = CharField(
        max_length=Stakeholder._meta.get_field("title").max_length, allow_blank=True, required=False, default=""
    )
    email = EmailField(max_length=Stakeholder._meta.get_field("email").max_length)
    function = id_field(Function)
    function_name = serializers.CharField(source="function.name", read_only=True)
    has_account = serializers.SerializerMethodField(help_text="Whether the person has joined (a linked login).")
    invite_state = serializers.SerializerMethodField(help_text="Their latest invite: " + ", ".join(INVITE_STATES))
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_has_account(self, person: Stakeholder) -> bool:
        return person.user_id is not None

    def get_invite_state(self, person: Stakeholder) -> str:
        states: dict[int, str] = self.context.get("invite_states") or {}
        if person.user_id is not None:
            return "joined"
        return str(states.get(person.pk, "not_invited"))


# --- partnerships -------------------------------------------------------------------------------


class PartnershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    function_a = id_field(Function)
    function_b = id_field(Function)
    function_a_name = serializers.CharField(source="function_a.name", read_only=True)
    function_b_name = serializers.CharField(source="function_b.name", read_only=True)
    trust = IntegerField(min_value=1, max_value=5, help_text="1 (broken) to 5 (strong).")
    shared_goal = CharField(
        max_length=Partnership._meta.get_field("shared_goal").max_length, allow_blank=True, required=False, default=""
    )
    cadence = serializers.ChoiceField(
        choices=Partnership.Cadence.choices, required=False, default=Partnership.Cadence.MONTHLY
    )
    feedback_carried = CharField(
        multiline=True,
        max_length=Partnership._meta.get_field("feedback_carried").max_length,
        allow_blank=True,
        required=False,
        default="",
        help_text="What flows back to the core: prospects' needs, competitor positioning, onboarding problems …",
    )
    last_checked_on = DateField(
        required=False, allow_null=True, default=None, help_text="The day of this trust reading (today if not given)."
    )
    needs_trust_check = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Send it back with an update (optimistic locking).")
    updated_at = serializers.DateTimeField(read_only=True)


class PartnershipUpdateSerializer(serializers.Serializer):
    """A change to a partnership: the fields to change, and the version read."""

    version = IntegerField(min_value=1, max_value=MAX_ID, help_text="The version you read.")
    function_a = id_field(Function, required=False)
    function_b = id_field(Function, required=False)
    trust = IntegerField(min_value=1, max_value=5, required=False)
    shared_goal = CharField(
        max_length=Partnership._meta.get_field("shared_goal").max_length, allow_blank=True, required=False
    )
    cadence = serializers.ChoiceField(choices=Partnership.Cadence.choices, required=False)
    feedback_carried = CharField(
        multiline=True,
        max_length=Partnership._meta.get_field("feedback_carried").max_length,
        allow_blank=True,
        required=False,
    )


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    trust = IntegerField(min_value=1, max_value=5)
    note = CharField(
        multiline=True,
        max_length=PartnershipCheckIn._meta.get_field("note").max_length,
        allow_blank=True,
        required=False,
        default="",
    )
    checked_on = DateField(required=False, allow_null=True, default=None, help_text="Today if not given.")
    version = IntegerField(
        write_only=True, required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    created_at = serializers.DateTimeField(read_only=True)


# --- disruptions --------------------------------------------------------------------------------


FUNCTION_IDS = "_function_ids"


def function_ids_of(disruption_ids: list[int]) -> dict[int, list[int]]:
    """The ids of the functions each disruption touches, ascending: one read of the link table
    (no function row is loaded; a page of disruptions at 5,000 functions touched hundreds)."""
    ids: dict[int, list[int]] = {pk: [] for pk in disruption_ids}
    links = Disruption.functions.through.objects.filter(disruption_id__in=disruption_ids)
    for disruption_id, function_id in links.order_by("function_id").values_list("disruption_id", "function_id"):
        ids[disruption_id].append(function_id)
    return ids


class DisruptionListSerializer(serializers.ListSerializer):
    """A page of disruptions with their functions' ids read in one query for the page."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        disruptions = list(data.all() if isinstance(data, BaseManager) else data)  # as DRF's own reads it
        ids = function_ids_of([disruption.pk for disruption in disruptions])
        for disruption in disruptions:
            setattr(disruption, FUNCTION_IDS, ids[disruption.pk])
        return super().to_representation(disruptions)


class DisruptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Disruption.Kind.choices)
    title = CharField(max_length=Disruption._meta.get_field("title").max_length)
    note = CharField(
        multiline=True,
        max_length=Disruption._meta.get_field("note").max_length,
        allow_blank=True,
        required=False,
        default="",
    )
    occurred_on = DateField()
    effective_at = serializers.DateTimeField(read_only=True, help_text="When it starts to count against reviews.")
    functions = serializers.ListField(
        child=id_field(Function), min_length=1, max_length=1000, help_text="Ids of the functions it touches."
    )
    created_at = serializers.DateTimeField(read_only=True)

    class Meta:
        list_serializer_class = DisruptionListSerializer

    def to_representation(self, instance: Disruption) -> dict[str, Any]:
        ids = getattr(instance, FUNCTION_IDS, None)
        if ids is None:
            ids = function_ids_of([instance.pk])[instance.pk]
        return super().to_representation(_WithFunctionIds(instance, ids))


class _Ref(NamedTuple):
    pk: int


class _WithFunctionIds:
    """A disruption whose `functions` reads as the ids of the functions it touches, in order."""

    def __init__(self, disruption: Disruption, function_ids: list[int]) -> None:
        self._disruption = disruption
        self.functions = [_Ref(pk) for pk in function_ids]  # what the id field reads (`.pk`)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._disruption, name)


class DisruptionEffectsSerializer(serializers.Serializer):
    summary = CharField(help_text="One sentence: what now needs re-confirming and checking.")
    reviews_made_stale = IntegerField()
    reviews_by_function = serializers.DictField(child=IntegerField())
    partnerships_flagged = IntegerField()
    planned = BooleanField(help_text="It lies in the future and counts from its date.")


class DisruptionLoggedSerializer(serializers.Serializer):
    disruption = DisruptionSerializer()
    effects = DisruptionEffectsSerializer()


# --- tokens -------------------------------------------------------------------------------------


class TokenObtainSerializer(serializers.Serializer):
    email = CharField(max_length=254)
    password = CharField(max_length=128, write_only=True, any_text=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    """A token as its owner lists it: never the whole key again, only its first characters."""

    id = serializers.CharField(read_only=True, help_text="The key's first 8 characters: revoke with DELETE.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, help_text="After this the token no longer works.")


class TokenIssuedSerializer(serializers.Serializer):
    token = CharField(help_text="Send as `Authorization: Token <token>`.")
    id = CharField(help_text="The key's first 8 characters, as auth/tokens/ lists it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(help_text="After this the token no longer works: sign in again for a new one.")
