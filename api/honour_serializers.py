"""Honours (评选表彰) as the API reads and writes them: rounds, applications with their steps and
files, recommendations; and the public honour roll and shortlist notice, which show only what
their pages show (no ids of rows, no contact, nothing not shortlisted or conferred)."""

from rest_framework import serializers

from api.activity_serializers import comment_field, level_field, reason_field
from api.fields import Text, WholeNumber, id_field
from api.report_file_serializers import ReportFileSerializer
from evaluations import honour_roll_selectors
from evaluations.honour_roll_services import CONTACT_MAX_LENGTH, NAME_MAX_LENGTH
from evaluations.honour_services import MAX_RANK, window_open
from evaluations.models import (
    CASE_MAX_LENGTH,
    HONOUR_OBJECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Application,
    HonourRound,
    Recommendation,
)


class HonourRoundSerializer(serializers.ModelSerializer):
    window_open = serializers.SerializerMethodField(help_text="Applications are taken now.")

    class Meta:
        model = HonourRound
        fields = (
            "id",
            "campaign",
            "title",
            "opens_on",
            "closes_on",
            "publicity_days",
            "published_at",
            "publicity_ends_on",
            "document_number",
            "decided_on",
            "window_open",
        )
        read_only_fields = fields

    def get_window_open(self, honour_round: HonourRound) -> bool:
        return window_open(honour_round)


APPLICATION_FIELDS = (
    "id",
    "round",
    "category",
    "category_name",
    "unit",
    "unit_name",
    "person_name",
    "person_post",
    "summary",
    "status",
    "level",
    "waiting_unit",
    "waiting_since",
    "decline_reason",
    "created_at",
    "updated_at",
)


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as a list shows it; `level` is the level to send back with a
    recommendation."""

    category_name = serializers.CharField(source="category.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Application
        fields = APPLICATION_FIELDS
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer):
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = ("action", "unit", "unit_name", "level", "rank", "reason", "created_at")
        read_only_fields = fields

    def get_unit_name(self, step: Recommendation) -> str:
        return step.unit.name if step.unit is not None else ""


class QuotaUseSerializer(serializers.Serializer):
    limit = serializers.IntegerField(allow_null=True, help_text="null: no limit.")
    used = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True)


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application with its registration form, case, steps and files, what you may do with
    it, and — where you recommend it — the quota of the unit it waits on."""

    registration = serializers.DictField(child=serializers.CharField(), read_only=True)
    steps = StepSerializer(many=True, read_only=True, source="api_steps")
    files = ReportFileSerializer(many=True, read_only=True, source="api_files")
    may_edit = serializers.BooleanField(read_only=True)
    may_withdraw = serializers.BooleanField(read_only=True)
    may_recommend = serializers.BooleanField(read_only=True)
    quota = QuotaUseSerializer(allow_null=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = (
            *APPLICATION_FIELDS,
            "registration",
            "case",
            "steps",
            "files",
            "may_edit",
            "may_withdraw",
            "may_recommend",
            "quota",
        )
        read_only_fields = fields


class ApplicationCreateSerializer(serializers.Serializer):
    round = id_field(help_text="A round whose application window is open.")
    unit = id_field(help_text="A unit you are staff of, below the round's organising unit.")
    category = id_field(help_text="An honour the unit may apply or nominate for.")
    person_name = Text(
        required=False, allow_blank=True, max_length=50, help_text="The person nominated."
    )
    person_post = Text(required=False, allow_blank=True, max_length=100)
    registration = serializers.DictField(
        child=Text(allow_blank=True, max_length=200),
        required=False,
        help_text="The registration form (登记表): individual honours gender, birth_year, "
        "ethnicity, political_status, education, prior_honours; collective ones leader, "
        "members, established, prior_honours.",
    )
    case = Text(required=False, allow_blank=True, max_length=CASE_MAX_LENGTH)
    summary = Text(required=False, allow_blank=True, max_length=SUMMARY_MAX_LENGTH)


class RecommendSerializer(serializers.Serializer):
    level = level_field()
    rank = WholeNumber(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_RANK,
        help_text="Its place among your recommendations; next after the last when left out.",
    )
    reason = comment_field()


class DeclineSerializer(serializers.Serializer):
    level = level_field()
    reason = reason_field()


# --- Public --------------------------------------------------------------------------------------


class PublicHonourSerializer(serializers.Serializer):
    """An honour on the public roll: what its page shows."""

    public_id = serializers.CharField()
    year = serializers.IntegerField()
    category = serializers.CharField(source="category.name")
    category_code = serializers.CharField(source="category.code")
    line = serializers.CharField()
    name = serializers.CharField(help_text="Who is commended.")
    unit_name = serializers.CharField()
    summary = serializers.CharField()
    document_number = serializers.CharField()
    conferred_on = serializers.DateField()
    number = serializers.CharField(help_text="The certificate's number.")


class PublicNomineeSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text="Name the nominee by this in an objection.")
    category = serializers.CharField(source="application.category.name")
    nominee = serializers.CharField(source="application.nominee")
    unit_name = serializers.CharField(source="application.unit.name")
    summary = serializers.CharField(source="application.summary")


class PublicNoticeSerializer(serializers.Serializer):
    title = serializers.CharField()
    campaign = serializers.CharField(source="campaign.name")
    published_at = serializers.DateTimeField()
    publicity_ends_on = serializers.DateField(help_text="Objections are taken until this day.")
    is_open = serializers.BooleanField(help_text="Objections are taken now.")
    nominees = PublicNomineeSerializer(many=True)


class PublicObjectionSerializer(serializers.Serializer):
    nominee = Text(max_length=honour_roll_selectors.REF_LENGTH, help_text="A nominee's `ref`.")
    text = Text(max_length=HONOUR_OBJECTION_MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    name = Text(required=False, allow_blank=True, max_length=NAME_MAX_LENGTH)
    contact = Text(
        required=False,
        allow_blank=True,
        max_length=CONTACT_MAX_LENGTH,
        help_text="For the organising unit only; never shown.",
    )


class SentSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    public_id = serializers.CharField(
        help_text="Keep it: the only way to read the answer "
        "(GET /api/v1/public/honours/objections/PUBLIC_ID/)."
    )
    page = serializers.CharField(help_text="The objection's own page, for a browser.")


class PublicObjectionReadSerializer(serializers.Serializer):
    """An objection as its sender reads it at its own link (the objector's page): never the name
    or contact it was sent with."""

    round = serializers.CharField(help_text="The honours round's title.")
    category = serializers.CharField()
    nominee = serializers.CharField()
    text = serializers.CharField()
    sent_on = serializers.DateField()
    answered = serializers.BooleanField()
    answered_on = serializers.DateField(allow_null=True)
    answer = serializers.CharField(help_text="Empty until answered.")
