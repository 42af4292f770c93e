"""The reviewer's queue filters. The queryset passed in is already scoped (activities.selectors.
review_queue, or the look-back at recent decisions), so a filter can only narrow it: the same
filter applied to the same queue in bulk approval can never reach outside the reviewer's scope."""

import datetime
import operator
from functools import reduce

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Status
from campaigns import deadlines
from campaigns.models import Campaign
from common.widgets import NOT_A_CHOICE, CheckboxInput, FilterForm, TextInput, date_input, select
from units.models import Line, Unit

# What the status filter offers: the queue itself, and a look back at recent decisions.
REVIEW_STATUSES = [
    (Status.SUBMITTED, _("Waiting for review")),
    (Status.RETURNED, _("Returned recently")),
    (Status.APPROVED, _("Approved recently")),
]


def review_status(data) -> str:
    """The status asked for in `data` (a QueryDict), the queue's own by default."""
    value = (data or {}).get("status")
    return value if value in dict(REVIEW_STATUSES) else Status.SUBMITTED


def _ticked(label) -> django_filters.BooleanFilter:
    """A checkbox read where it is used (filter_unit, filter_queryset), not filtered on its own."""
    return django_filters.BooleanFilter(
        label=label,
        method="filter_noop",
        widget=CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=REVIEW_STATUSES,
        empty_label=None,
        method="filter_status",
        widget=select(),
    )
    unit = django_filters.CharFilter(
        label=_("Unit name or code"),
        method="filter_unit",
        widget=TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": _("Unit name or code")}
        ),
    )
    below = _ticked(_("Include units below"))
    line = django_filters.ChoiceFilter(
        label=_("Line"),
        field_name="unit__line",
        choices=Line.choices,
        empty_label=_("All lines"),
        widget=select(),
    )
    # Choices rather than a queryset: the view reads the (id, title) pairs once, and the select
    # and its validation use that list instead of querying the tasks again.
    task = django_filters.ChoiceFilter(
        label=_("Target task"),
        choices=[],
        method="filter_task",
        empty_label=_("All tasks"),
        error_messages=NOT_A_CHOICE,
        widget=select(),
    )
    starts_from = django_filters.DateFilter(
        label=_("Activity date from"),
        field_name="starts_on",
        lookup_expr="gte",
        widget=date_input(),
    )
    starts_to = django_filters.DateFilter(
        label=_("to"), field_name="starts_on", lookup_expr="lte", widget=date_input()
    )
    # The two waits narrow the list together (filter_queryset): both ticked lists either.
    overdue = _ticked(_("Overdue"))
    due_soon = _ticked(_("Due soon"))

    class Meta:
        model = Activity
        form = FilterForm
        fields = [
            "status",
            "unit",
            "below",
            "line",
            "task",
            "starts_from",
            "starts_to",
            "overdue",
            "due_soon",
        ]

    def __init__(self, *args, tasks: list, today: datetime.date, **kwargs):
        """`tasks`: the choices the task filter offers, (id, title) pairs or groups of them
        ((campaign, [(id, title), …])), the only ones it accepts."""
        super().__init__(*args, **kwargs)
        self.filters["task"].extra["choices"] = tasks
        self.today = today

    @property
    def is_filtered(self) -> bool:
        """Anything narrower than the plain queue was asked for."""
        if not self.form.is_valid():
            return False
        data = self.form.cleaned_data
        return any(data.get(name) for name in data if name != "status") or (
            data.get("status") not in (None, "", Status.SUBMITTED)
        )

    def filter_noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    # The view chose the base queryset by status (review_status); the field is there to show it.
    filter_status = filter_noop

    def filter_unit(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        matches = Q(name__icontains=value) | Q(code__icontains=value)
        if not self.form.cleaned_data.get("below"):
            return queryset.filter(Q(unit__name__icontains=value) | Q(unit__code__icontains=value))
        # The organising unit, or any unit above it, matches.
        above = Unit.objects.filter(matches).filter(StartsWith(OuterRef("unit__path"), F("path")))
        return queryset.filter(Exists(above))

    def filter_task(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet:
        # Exists rather than a join: an activity counted toward several tasks is listed once.
        tagged = Activity.tasks.through.objects.filter(
            activity=OuterRef("pk"), targettask_id=int(value)
        )
        return queryset.filter(Exists(tagged))

    def filter_queryset(self, queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        queryset = super().filter_queryset(queryset)
        asked = [
            wait
            for name, wait in (("overdue", deadlines.overdue_q), ("due_soon", deadlines.due_soon_q))
            if self.form.cleaned_data.get(name)
        ]
        if not asked:
            return queryset
        campaigns = list(Campaign.objects.only("pk", "review_deadline_days"))  # read once
        waits = [wait(self.today, campaigns) for wait in asked]
        return queryset.filter(reduce(operator.or_, waits))
