"""Activities as the API reads and writes them. Writes only carry what the draft form carries
(activities.services.DRAFT_FIELDS); the workflow's own fields are the services' to set."""

from decimal import ROUND_DOWN, Decimal

from django.urls import reverse
from rest_framework import serializers

from activities.models import Activity, Evidence
from activities.services import DRAFT_FIELDS
from api.fields import id_field, id_list

READ_FIELDS = (
    "id",
    "campaign",
    "unit",
    "unit_name",
    *DRAFT_FIELDS,
    "participants",
    "tasks",
    "status",
    "review_level",
    "review_unit",
    "submitted_at",
    "approved_at",
    "return_reason",
    "created_at",
    "updated_at",
)


class ActivitySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    tasks = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = READ_FIELDS
        read_only_fields = READ_FIELDS

    def get_tasks(self, activity: Activity) -> list[int]:
        return [task.pk for task in activity.tasks.all()]


class TwoPlaces(serializers.DecimalField):
    """A quantity kept to two places: a JSON number with more is cut to two, not refused."""

    def validate_precision(self, value: Decimal) -> Decimal:
        whole = self.max_digits - self.decimal_places
        if abs(value) >= Decimal(10) ** whole:
            self.fail("max_whole_digits", max_whole_digits=whole)
        step = Decimal(1).scaleb(-self.decimal_places)
        return super().validate_precision(value.quantize(step, rounding=ROUND_DOWN))


class ActivityDraftSerializer(serializers.ModelSerializer):
    """A draft's fields, as the form takes them; `tasks` and `coorganisers` are ids."""

    quantity = TwoPlaces(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    tasks = id_list(required=False)
    coorganisers = id_list(required=False)

    class Meta:
        model = Activity
        fields = (*DRAFT_FIELDS, "tasks", "coorganisers")
        # Blank text is the services' to refuse (422, in their words), not a malformed request.
        extra_kwargs = {"title": {"trim_whitespace": False}}

    def validate_title(self, value: str) -> str:
        return value.strip()


class ActivityCreateSerializer(ActivityDraftSerializer):
    unit = id_field(help_text="The unit the activity is logged for: one you are staff of.")
    campaign = id_field(
        required=False,
        help_text="An open campaign covering the unit; the newest one when left out.",
    )

    class Meta(ActivityDraftSerializer.Meta):
        fields = ("unit", "campaign", *ActivityDraftSerializer.Meta.fields)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, trim_whitespace=False
    )


def level_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=32767,
        help_text="The review level the activity was at when you read it (review_level): if "
        "someone has acted since, the answer is 409 with the code stale_level.",
    )


class LevelSerializer(CommentSerializer):
    level = level_field()


def reason_field() -> serializers.CharField:
    # Untrimmed: a blank reason is refused by the services ("Say why"), 422.
    return serializers.CharField(max_length=2000, trim_whitespace=False)


class ReturnSerializer(serializers.Serializer):
    level = level_field()
    reason = reason_field()


class ReasonSerializer(serializers.Serializer):
    reason = reason_field()


class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ("id", "original_name", "content_type", "size", "created_at", "download")
        read_only_fields = fields

    def get_download(self, item: Evidence) -> str:
        """The file, for a signed-in browser session."""
        return reverse("activities:evidence", args=[item.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
