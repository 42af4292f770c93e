"""The API's list filters (django-filter). Each narrows a queryset already scoped to the user.

A parameter the schema does not allow is refused (400) rather than ignored: given twice, given
but empty (a search may be empty), or a yes/no that is neither."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field

from activities.models import Activity, Status
from api.fields import ID_SCHEMA, MAX_ID
from notifications.models import Notification
from units.models import Line, Unit
from units.selectors import children_of

YES_NO = {"true", "false", "True", "False", "1", "0"}


class StrictFilterSet(django_filters.FilterSet):
    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, found in self.filters.items():
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if not values:
                continue
            if len(values) > 1:
                self.form.add_error(name, _("Give this parameter once."))
            elif values[0] == "" and not isinstance(found, django_filters.CharFilter):
                self.form.add_error(name, _("Leave the parameter out rather than empty."))
            elif isinstance(found, django_filters.BooleanFilter) and values[0] not in YES_NO:
                self.form.add_error(name, _("Expected true or false."))
        return valid and not self.form.errors


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number the database can hold, else 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ActivityFilter(StrictFilterSet):
    campaign = IdFilter(field_name="campaign_id", help_text="Campaign id.")
    unit = IdFilter(field_name="unit_id", help_text="Organising unit id.")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    starts_from = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="gte", help_text="Took place on or after this day."
    )
    starts_to = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", help_text="Took place on or before this day."
    )

    class Meta:
        model = Activity
        fields = ("campaign", "unit", "status", "starts_from", "starts_to")


class UnitFilter(StrictFilterSet):
    parent = IdFilter(method="filter_parent", help_text="The children of this unit.")
    search = django_filters.CharFilter(
        method="filter_search", help_text="Part of the name or the code."
    )
    line = django_filters.ChoiceFilter(choices=Line.choices)

    class Meta:
        model = Unit
        fields = ("parent", "search", "line")

    def filter_parent(self, queryset: QuerySet[Unit], name: str, value: int) -> QuerySet[Unit]:
        parent = Unit.objects.filter(pk=value).first()
        if parent is None:
            return queryset.none()
        return queryset & children_of(parent, include_inactive=True)

    def filter_search(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(name__icontains=value) | queryset.filter(code__iexact=value)


class NotificationFilter(StrictFilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text="Only those not read yet."
    )

    class Meta:
        model = Notification
        fields = ("unread",)
