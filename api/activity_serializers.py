"""Activities as the API reads and writes them. Writes only carry what the draft form carries
(activities.services.DRAFT_FIELDS); the workflow's own fields are the services' to set."""

from django.db import models
from django.urls import reverse
from rest_framework import serializers

from activities.models import Activity, Evidence
from activities.services import DRAFT_FIELDS
from api.fields import Text, TwoPlaces, WholeNumber, id_field, id_list

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


class ActivityDraftSerializer(serializers.ModelSerializer):
    """A draft's fields, as the form takes them; `tasks` and `coorganisers` are ids."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: Text,
        models.TextField: Text,
        models.PositiveIntegerField: WholeNumber,
    }

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


def comment_field() -> Text:
    """An optional comment (a reviewer's, a recommendation's reason), kept as typed."""
    return Text(required=False, allow_blank=True, max_length=2000, trim_whitespace=False)


class CommentSerializer(serializers.Serializer):
    comment = comment_field()


def level_field() -> WholeNumber:
    return WholeNumber(
        min_value=1,
        max_value=32767,
        help_text="The review level the activity was at when you read it (review_level): if "
        "someone has acted since, the answer is 409 with the code stale_level.",
    )


class LevelSerializer(CommentSerializer):
    level = level_field()


def reason_field() -> Text:
    # Untrimmed: a blank reason is refused by the services ("Say why"), 422.
    return Text(max_length=2000, trim_whitespace=False)


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
    # An empty file is well-formed: the services refuse it by its content, as any other.
    file = serializers.FileField(allow_empty_file=True)
