"""The activity search shared by the filtered list and its exports: one FilterSet, so a download
always holds exactly the rows the page lists, for whoever asks.

It starts from the user's scope (activities.selectors.visible_scope: the same activities as
activities_visible_to) and a filter can only narrow it. The unit filter takes a unit the user
may view, by id, and keeps the activities organised in its subtree or co-organised by a unit
there that has not declined. Every condition is on the activity's own columns or a subquery,
never a join, so that PostgreSQL can filter while walking the date order (see the selector).

Nothing here counts the matching rows. Results are newest first by (starts_on, pk).
"""

from datetime import date
from functools import cached_property

import django_filters
from django import forms
from django.db.models import DateField, Exists, Func, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from activities.models import Activity, Status
from activities.selectors import subtree_scope, visible_scope
from campaigns.selectors import campaigns_visible_to
from common.widgets import NOT_A_CHOICE, TextInput, date_input, select
from units.models import Line, Unit
from units.scope import Scope
from units.selectors import units_visible_to


class NotByIndex(Func):
    """A column, written so that PostgreSQL cannot read it in order from an index.

    Ordered by a bare `starts_on`, PostgreSQL may walk the date index, filtering row by row, until
    it has a page: right for a wide scope, where matches come often, but for a small subtree (or a
    whole export) it can walk most of a million entries, where reading the matching rows through
    the unit index and sorting them takes milliseconds. This ordering leaves it only the latter."""

    template = "%(expressions)s"
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s + 0)")


ORDERING = ("-starts_on", "-pk")  # newest first, walking the date index if that is quicker
SORTED = (NotByIndex("starts_on").desc(), "-pk")  # newest first, sorting what matches
# The parameters the list carries into its export links and page links.
PARAMETERS = ("unit", "unit_q", "campaign", "line", "task", "status", "starts_from", "starts_to")


class ActivitySearchFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Within unit"),
        queryset=Unit.objects.none(),
        method="filter_unit",
        widget=forms.HiddenInput,
    )
    unit_q = django_filters.CharFilter(
        label=_("Unit name or code"),
        method="filter_unit_text",
        widget=TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": _("Unit name or code")}
        ),
    )
    # The campaigns and tasks offered are chosen by id from (id, name) lists read once per
    # request (see __init__), not from querysets that build a model per option.
    campaign = django_filters.ChoiceFilter(
        label=_("Campaign"),
        choices=[],
        empty_label=_("All campaigns"),
        error_messages=NOT_A_CHOICE,
        widget=select(),
    )
    line = django_filters.ChoiceFilter(
        label=_("Line"),
        choices=Line.choices,
        method="filter_line",
        empty_label=_("All lines"),
        widget=select(),
    )
    task = django_filters.ChoiceFilter(
        label=_("Target task"),
        choices=[],
        method="filter_task",
        empty_label=_("All tasks"),
        error_messages=NOT_A_CHOICE,
        widget=select(),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All statuses"), widget=select()
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

    class Meta:
        model = Activity
        fields = list(PARAMETERS)

    def __init__(self, data=None, *, user: User | Scope, **kwargs):
        scope = visible_scope(user)
        super().__init__(data, queryset=Activity.objects.filter(scope.q), **kwargs)
        self.user = user
        self.narrow = scope.narrow  # few enough rows to sort them all
        data = data or {}
        if data.get("unit"):  # else the field reads no unit and the scope need not be known
            self.filters["unit"].queryset = self.visible_units
        campaigns, tasks = _choices(user, chosen=_campaign_id(data.get("campaign")))
        self.filters["campaign"].extra["choices"] = campaigns
        self.filters["task"].extra["choices"] = tasks

    @cached_property
    def visible_units(self) -> QuerySet[Unit]:
        return units_visible_to(self.user)

    # --- What the views ask -------------------------------------------------------------------

    @property
    def out_of_scope(self) -> bool:
        """A unit was named that the user may not view (or that does not exist): a 404."""
        return self.is_bound and "unit" in self.form.errors

    @property
    def chosen_unit(self) -> Unit | None:
        if not self.form.is_valid():
            return None
        return self.form.cleaned_data.get("unit")

    @property
    def is_filtered(self) -> bool:
        return self.form.is_valid() and any(self.form.cleaned_data.get(n) for n in PARAMETERS)

    def params(self, *, without: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The valid filter parameters as given, to carry into links."""
        if not self.is_bound:
            return []
        return [
            (name, str(self.data[name]))
            for name in PARAMETERS
            if name not in without and self.data.get(name)
        ]

    def results(self) -> QuerySet[Activity]:
        """The filtered activities, newest first; none when the filter is not valid."""
        if self.is_bound and not self.form.is_valid():
            return self.queryset.none()
        queryset = self.qs  # filtering may find the scope narrow
        return queryset.order_by(*(SORTED if self.narrow else ORDERING))

    def matching_units(self, limit: int = 8) -> list[Unit]:
        """Units the user may view whose name or code matches the text search, to offer their
        subtree as a filter."""
        if not self.form.is_valid():
            return []
        text = (self.form.cleaned_data.get("unit_q") or "").strip()
        if not text:
            return []
        units = self.visible_units.filter(
            Q(name__icontains=text) | Q(code__icontains=text), is_active=True
        )
        return list(units.order_by("depth", "path")[:limit])

    # --- Filters ------------------------------------------------------------------------------

    def filter_unit(self, queryset: QuerySet[Activity], name: str, unit: Unit | None) -> QuerySet:
        if unit is None:
            return queryset
        scope = subtree_scope(unit)
        self.narrow = self.narrow or scope.narrow
        return queryset.filter(scope.q)

    def filter_unit_text(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        named = Unit.objects.filter(Q(name__icontains=value) | Q(code__icontains=value))
        return queryset.filter(unit_id__in=named.values("pk"))

    def filter_line(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet:
        # Exists rather than a join: an activity counted toward several tasks is listed once.
        tagged = Activity.tasks.through.objects.filter(
            activity=OuterRef("pk"), targettask__line=value
        )
        return queryset.filter(Exists(tagged))

    def filter_task(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet:
        tagged = Activity.tasks.through.objects.filter(
            activity=OuterRef("pk"), targettask_id=int(value)
        )
        return queryset.filter(Exists(tagged))


def activity_search(user: User | Scope, data=None) -> ActivitySearchFilter:
    """The search over what `user` may see, filtered by `data` (a QueryDict)."""
    return ActivitySearchFilter(data if data else None, user=user)


def _choices(user: User | Scope, *, chosen: int | None) -> tuple[list[tuple], list[tuple]]:
    """The campaigns `user` sees, newest first, and their tasks (only the `chosen` campaign's,
    when one is), by campaign name and catalogue order: each an (id, label) list, read in one
    query over the campaigns and their catalogues."""
    rows = (
        campaigns_visible_to(user)
        .order_by("name", "tasks__line", "tasks__sort_order", "tasks__code")
        .values_list("pk", "name", "starts_on", "tasks__pk", "tasks__title")
    )
    campaigns: dict[int, tuple[str, date]] = {}
    tasks = []
    for pk, name, starts_on, task_pk, title in rows:
        campaigns.setdefault(pk, (name, starts_on))
        if task_pk is not None and chosen in (None, pk):
            tasks.append((task_pk, title))
    # Newest first; a stable sort keeps the database's order of names among those of a day.
    newest = sorted(campaigns.items(), key=lambda item: item[1][1], reverse=True)
    return [(pk, name) for pk, (name, _day) in newest], tasks


def _campaign_id(value) -> int | None:
    """A campaign id from a query string, or None: "²" passes isdigit() and 10**30 overflows."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None
