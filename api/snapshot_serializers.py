"""Frozen assessment results as the API reads and writes them: snapshots, their rows with the
points by rule, units' objections and the admins' answers (evaluations.snapshot_selectors,
evaluations.snapshot_services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import MAX_ID, Text, WholeNumber, id_field
from api.report_file_serializers import ReportFileSerializer
from evaluations.models import (
    OBJECTION_MAX_LENGTH,
    AssessmentGrade,
    ObjectionOutcome,
    ScoreObjection,
    Snapshot,
    SnapshotRow,
)
from evaluations.snapshot_selectors import objection_files
from evaluations.snapshot_services import ANSWER_MAX_LENGTH, MAX_WINDOW_DAYS, OBJECTION_MAX_FILES

SNAPSHOT_FIELDS = (
    "id",
    "campaign",
    "version",
    "corrects",
    "correction_reason",
    "taken_at",
    "published_at",
    "window_days",
    "window_ends_on",
)


class SnapshotListSerializer(serializers.ModelSerializer):
    """A snapshot as snapshot_selectors.snapshots_of annotates it."""

    pending = serializers.IntegerField(help_text="Objections waiting for an answer.")
    final = serializers.BooleanField(help_text="The campaign's final result.")
    open = serializers.BooleanField(help_text="Objections are taken now.")
    replaced = serializers.BooleanField(help_text="A corrected version replaces it.")

    class Meta:
        model = Snapshot
        fields = (*SNAPSHOT_FIELDS, "pending", "final", "open", "replaced")
        read_only_fields = fields


class RuleColumnSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.CharField()


class ObjectionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ScoreObjection
        fields = (
            "id",
            "snapshot",
            "unit",
            "unit_name",
            "reasons",
            "filed_at",
            "outcome",
            "answer",
            "answered_at",
            "correction",
        )
        read_only_fields = fields


class ObjectionDetailSerializer(ObjectionSerializer):
    files = serializers.SerializerMethodField()

    class Meta(ObjectionSerializer.Meta):
        fields = (*ObjectionSerializer.Meta.fields, "files")
        read_only_fields = fields

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, objection: ScoreObjection) -> list:
        return ReportFileSerializer(objection_files(objection), many=True).data


class SnapshotSerializer(serializers.ModelSerializer):
    """One snapshot: whether it is final, its rule columns, the objections the user may read
    and the units the user may object for now (the rows are a list of their own)."""

    final = serializers.BooleanField()
    open = serializers.BooleanField(help_text="Objections are taken now.")
    corrected_by = serializers.SerializerMethodField()
    columns = RuleColumnSerializer(many=True)
    objections = ObjectionSerializer(many=True, source="visible_objections")
    objecting_units = serializers.ListField(
        child=serializers.IntegerField(), help_text="Units you may object for now."
    )
    may_administer = serializers.BooleanField(help_text="You publish it and answer objections.")
    notice_url = serializers.CharField(help_text="The public notice (公示); empty until published.")

    class Meta:
        model = Snapshot
        fields = (
            *SNAPSHOT_FIELDS,
            "final",
            "open",
            "corrected_by",
            "columns",
            "objections",
            "objecting_units",
            "may_administer",
            "notice_url",
        )
        read_only_fields = fields

    def get_corrected_by(self, snapshot: Snapshot) -> int | None:
        found = getattr(snapshot, "corrected_by", None)
        return found.pk if found is not None else None


class SnapshotRowSerializer(serializers.ModelSerializer):
    grade = serializers.ChoiceField(choices=AssessmentGrade.choices)
    points = serializers.ListField(
        child=serializers.CharField(),
        help_text="The points of each rule column, in the columns' order (— where left out).",
    )

    class Meta:
        model = SnapshotRow
        fields = (
            "unit",
            "unit_code",
            "unit_name",
            "peer_group",
            "rank",
            "peers",
            "total",
            "grade",
            "points",
        )
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    window_days = WholeNumber(
        min_value=1, max_value=MAX_WINDOW_DAYS, help_text="The notice period in working days."
    )


class ObjectionFileSerializer(serializers.Serializer):
    unit = id_field(help_text="A unit with a row in the snapshot, of which you are staff or admin.")
    reasons = Text(max_length=OBJECTION_MAX_LENGTH, allow_blank=True, trim_whitespace=False)


class ObjectionUploadSerializer(ObjectionFileSerializer):
    """As multipart/form-data, with evidence files (checked by their content)."""

    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reasons = serializers.CharField(
        max_length=OBJECTION_MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        max_length=OBJECTION_MAX_FILES,
    )


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ObjectionOutcome.UPHELD.value, ObjectionOutcome.REJECTED.value],
        help_text="upheld: a corrected version is taken from the records as they are now.",
    )
    answer = Text(max_length=ANSWER_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
