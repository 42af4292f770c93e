"""The shape of a subtree's progress: the dashboard's own figures (activities.dashboard
.Dashboard.as_json), documented here for the schema. Per cents are whole numbers, or null when
there is nothing to measure (common.figures)."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.fields import MAX_ID
from units.models import Line


def single_values(params) -> dict:
    """A query's parameters, each given once (400 for one given twice)."""
    twice = {
        name: [_("Give this parameter once.")] for name in params if len(params.getlist(name)) > 1
    }
    if twice:
        raise ValidationError(twice)
    return {name: params.get(name) for name in params}


class ProgressQuery(serializers.Serializer):
    """What the progress asks for; a campaign that does not cover the unit, or a period the
    campaign does not have, falls back to the default as on the dashboard."""

    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    period = serializers.CharField(required=False, allow_blank=True)
    line = serializers.ChoiceField(choices=Line.choices, required=False)


class _UnitRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Filters(serializers.Serializer):
    campaign = serializers.IntegerField()
    campaign_name = serializers.CharField()
    period = serializers.CharField(allow_blank=True)
    period_label = serializers.CharField()
    line = serializers.CharField(allow_blank=True)
    line_label = serializers.CharField()
    as_of = serializers.DateField()


def _percent() -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True)


class _Headline(serializers.Serializer):
    activities = serializers.IntegerField()
    participants = serializers.IntegerField()
    percent = _percent()
    pace = serializers.CharField(allow_null=True)
    pace_label = serializers.CharField(allow_blank=True)
    reporting_timeliness = _percent()
    review_timeliness = _percent()
    overdue_reviews = serializers.IntegerField()


class _Line(serializers.Serializer):
    line = serializers.CharField()
    label = serializers.CharField()
    percent = _percent()
    pace = serializers.CharField(allow_null=True)
    pace_label = serializers.CharField(allow_blank=True)


class _Task(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    line = serializers.CharField()
    achieved = serializers.FloatField()
    target = serializers.FloatField(allow_null=True)
    percent = _percent()
    pace = serializers.CharField(allow_null=True)
    pace_label = serializers.CharField(allow_blank=True)


class _Ranked(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    percent = _percent()
    activities = serializers.IntegerField()
    participants = serializers.IntegerField()
    pace = serializers.CharField(allow_null=True)
    pace_label = serializers.CharField(allow_blank=True)


class _Trend(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField())
    activities = serializers.ListField(child=serializers.IntegerField())
    participants = serializers.ListField(child=serializers.IntegerField())


class ProgressSerializer(serializers.Serializer):
    unit = _UnitRef()
    filters = _Filters()
    headline = _Headline()
    lines = _Line(many=True)
    tasks = _Task(many=True)
    ranking = _Ranked(many=True)
    units = serializers.IntegerField(help_text="Units ranked: the unit's children.")
    behind = serializers.IntegerField(help_text="Children behind pace or at risk.")
    trend = _Trend()
    labels = serializers.DictField(child=serializers.CharField())
