"""Commitment sets and their items, fulfilment reports, leader comments and follow-ups, and
appraisal figures as the API reads and writes them. Writes carry what the pages' forms carry; the
workflow's own fields are the services' to set (evaluations.*_services, evaluations.review)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.activity_serializers import comment_field, level_field, reason_field
from api.fields import MAX_ID, Text, id_field, id_list
from evaluations.comment_services import FOLLOW_UP_MAX_FILES
from evaluations.models import (
    COMMENT_MAX_LENGTH,
    FOLLOW_UP_REPORT_MAX_LENGTH,
    PROMISE_MAX_LENGTH,
    REMARK_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    Commitment,
    CommitmentSet,
    FollowUp,
    FulfilmentReport,
    LeaderComment,
)
from evaluations.models.appraisal import Verdict
from evaluations.models.comments import Grade

REVIEWED = (
    "status",
    "review_level",
    "review_unit",
    "submitted_at",
    "approved_at",
    "return_reason",
    "created_at",
    "updated_at",
)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class ActivityIds(serializers.Field):
    """The ids of a record's linked activities (a field named `activities`, prefetched by the
    view)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> list[int]:
        return [activity.pk for activity in value.all()]


class CommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = (
            "id",
            "position",
            "promise",
            "measure",
            "due_on",
            "task",
            "fulfilled_at",
            "kept_on_time",
        )
        read_only_fields = fields


class CommitmentSetSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    items = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = CommitmentSet
        fields = ("id", "unit", "unit_name", "campaign", *REVIEWED, "items")
        read_only_fields = fields


class CommitmentSetCreateSerializer(serializers.Serializer):
    unit = id_field(help_text="A unit you are staff of.")
    campaign = id_field(help_text="A running campaign covering the unit.")


class CommitmentItemSerializer(serializers.Serializer):
    """An item as the form takes it; blank text is the services' to refuse (422)."""

    promise = Text(max_length=PROMISE_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    measure = Text(max_length=PROMISE_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    due_on = serializers.DateField(help_text="Within the campaign.")
    task = id_field(required=False, allow_null=True, help_text="A task of the set's campaign.")


class CommitmentItemChangeSerializer(CommitmentItemSerializer):
    """The fields to change; those left out keep their value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ReorderSerializer(serializers.Serializer):
    ids = id_list(help_text="The set's items in their new order (others follow as they were).")


class LevelCommentSerializer(serializers.Serializer):
    level = level_field()
    comment = comment_field()


class LevelReasonSerializer(serializers.Serializer):
    level = level_field()
    reason = reason_field()


class OptionalCommentSerializer(serializers.Serializer):
    comment = comment_field()


class FulfilmentReportSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="commitment.unit_id", read_only=True)
    campaign = serializers.IntegerField(source="commitment.campaign_id", read_only=True)
    activities = ActivityIds()

    class Meta:
        model = FulfilmentReport
        fields = ("id", "commitment", "unit", "campaign", "statement", "activities", *REVIEWED)
        read_only_fields = fields


class FulfilmentStartSerializer(serializers.Serializer):
    commitment = id_field(help_text="A commitment of an approved set of a unit you are staff of.")


class FulfilmentUpdateSerializer(serializers.Serializer):
    """The fields to change; those left out keep their value."""

    statement = Text(
        max_length=STATEMENT_MAX_LENGTH, allow_blank=True, trim_whitespace=False, required=False
    )
    activities = id_list(
        required=False, help_text="Approved activities of the unit in the campaign."
    )


class FollowUpSerializer(serializers.ModelSerializer):
    activities = ActivityIds()

    class Meta:
        model = FollowUp
        fields = (
            "id",
            "comment",
            "unit",
            "campaign",
            "due_on",
            "status",
            "report",
            "activities",
            "acknowledged_at",
            "reported_at",
            "send_back_reason",
            "closed_at",
            "closed_on_time",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class LeaderCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = LeaderComment
        fields = (
            "id",
            "unit",
            "campaign",
            "task",
            "activity",
            "author_name",
            "text",
            "grade",
            "created_at",
            "follow_up",
        )
        read_only_fields = fields

    def get_author_name(self, comment: LeaderComment) -> str:
        author = comment.author
        return (author.get_full_name() or author.get_username()) if author else ""

    def get_follow_up(self, comment: LeaderComment) -> int | None:
        """The follow-up the comment requires, if any."""
        found = getattr(comment, "follow_up", None)
        return found.pk if found is not None else None


class CommentCreateSerializer(serializers.Serializer):
    unit = id_field(help_text="A unit you lead, or a unit below it.")
    campaign = id_field(help_text="A campaign covering the unit.")
    text = Text(max_length=COMMENT_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, allow_null=True)
    task = id_field(required=False, allow_null=True, help_text="A task of the campaign.")
    activity = id_field(required=False, allow_null=True, help_text="An activity of the unit.")
    follow_up_due = serializers.DateField(
        required=False, allow_null=True, help_text="Require a follow-up, due on this day."
    )


class FollowUpReportSerializer(serializers.Serializer):
    text = Text(max_length=FOLLOW_UP_REPORT_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    activities = id_list(
        required=False, help_text="Approved activities of the unit in the campaign."
    )


class FollowUpReportUploadSerializer(serializers.Serializer):
    """As multipart/form-data: the text, activities as repeated fields, evidence files."""

    text = serializers.CharField(
        max_length=FOLLOW_UP_REPORT_MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )
    activities = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100,
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        max_length=FOLLOW_UP_MAX_FILES,
    )


class AppraisalQuery(serializers.Serializer):
    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class FiguresSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basically_satisfied = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    ratings = serializers.IntegerField()
    satisfaction_rate = serializers.IntegerField(
        allow_null=True, help_text="满意率 in whole per cent; null without ratings."
    )
    satisfied_share = serializers.IntegerField(allow_null=True)
    minimum_ratings = serializers.IntegerField(
        help_text="Below this many ratings a unit's satisfaction is not judged."
    )


# --- Public ------------------------------------------------------------------------------------


class PublicAppraisalSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="The unit's name.")
    campaign = serializers.CharField(help_text="The campaign's name.")
    is_open = serializers.BooleanField(help_text="Whether ratings are taken now.")
    has_rated = serializers.BooleanField(help_text="Whether this device has rated the unit.")
    verdicts = serializers.DictField(child=serializers.CharField())


class RatingSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, help_text="3 satisfied, 2 basically satisfied, 1 dissatisfied."
    )
    remark = Text(
        required=False, allow_blank=True, max_length=REMARK_MAX_LENGTH, trim_whitespace=False
    )


class RatedSerializer(serializers.Serializer):
    rated = serializers.BooleanField()


class PublicItemSerializer(serializers.Serializer):
    promise = serializers.CharField()
    measure = serializers.CharField()
    due_on = serializers.DateField()
    standing = serializers.CharField(help_text="fulfilled, on_track, due_soon or overdue.")
    fulfilled_on_time = serializers.BooleanField(allow_null=True)


class PublicCampaignSerializer(serializers.Serializer):
    campaign = serializers.CharField()
    items = PublicItemSerializer(many=True)


class PublicBoardSerializer(serializers.Serializer):
    unit = serializers.CharField()
    campaigns = PublicCampaignSerializer(many=True)
