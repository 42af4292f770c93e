"""Draft scores (考核得分) and frozen snapshots as the API reads them: evaluations.scoring's
UnitScore and RulePoints, evaluations.scoring_selectors' explanation, and snapshot rows with the
rule columns they were frozen with (evaluations.snapshot_selectors)."""

from rest_framework import serializers

from evaluations.models import AssessmentGrade

POINTS = {"max_digits": 8, "decimal_places": 2, "coerce_to_string": True}


class RulePointsSerializer(serializers.Serializer):
    """One rule's points for a unit (evaluations.scoring.RulePoints)."""

    kind = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.DecimalField(**POINTS)
    points = serializers.DecimalField(**POINTS)
    excluded = serializers.BooleanField(help_text="Left out for the unit, the others scaled up.")
    without_data = serializers.BooleanField(
        help_text="Nothing to measure: the rule's policy gave the points."
    )


class ScoreSummarySerializer(serializers.Serializer):
    """A unit's draft score, ranked in its whole peer group (evaluations.scoring.UnitScore)."""

    unit = serializers.IntegerField(source="unit_id")
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    total = serializers.DecimalField(**POINTS)
    grade = serializers.ChoiceField(choices=AssessmentGrade.choices)
    grade_label = serializers.CharField()
    rank = serializers.IntegerField()
    peers = serializers.IntegerField(help_text="How many units the peer group has.")
    peer_group = serializers.CharField()
    peer_group_label = serializers.CharField()


class ScoreSerializer(ScoreSummarySerializer):
    rules = RulePointsSerializer(many=True)


class RecordLinkSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField(help_text="The record's page on the site.")


class RecordGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(
        allow_null=True,
        help_text="How many records there are; null: more than are linked here (not counted).",
    )
    more = serializers.IntegerField(
        allow_null=True, help_text="How many of them are not linked here; null: not counted."
    )
    links = RecordLinkSerializer(many=True)


class RuleExplanationSerializer(serializers.Serializer):
    """A rule's points with the formula and its numbers, and the records behind them
    (evaluations.scoring_selectors.RuleExplanation)."""

    kind = serializers.CharField(source="points.kind")
    label = serializers.CharField(source="points.label")
    weight = serializers.DecimalField(source="points.weight", **POINTS)
    points = serializers.DecimalField(source="points.points", **POINTS)
    excluded = serializers.BooleanField(source="points.excluded")
    without_data = serializers.BooleanField(source="points.without_data")
    formula = serializers.CharField(
        source="points.formula_text", help_text="In the reader's language, with the numbers."
    )
    numbers = serializers.DictField(source="points.numbers", child=serializers.CharField())
    records = RecordGroupSerializer(many=True, source="groups")


class ExplanationSerializer(serializers.Serializer):
    score = ScoreSummarySerializer()
    rules = RuleExplanationSerializer(many=True)
