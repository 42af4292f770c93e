import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from units.models import Line, Role, Unit
from units.routing import unreviewed_q
from units.scope import Scope
from units.selectors import without_staff_q

# What a unit may still lack, and the rule that finds it (the admin's workbench counts the same).
NEEDS = {
    "staff": (_("Units without staff"), without_staff_q),
    "reviewer": (_("Units with no reviewer above"), unreviewed_q),
}


class UnitFilter(django_filters.FilterSet):
    """The tree page's search: name or code, line, what a unit still lacks (among the units the
    user administers), and whether to include inactive units.

    The queryset passed in is already scoped to what the user may see."""

    q = django_filters.CharFilter(
        label=_("Name or code"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": _("Name or code")}
        ),
    )
    line = django_filters.ChoiceFilter(
        label=_("Line"),
        choices=Line.choices,
        empty_label=_("All lines"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    needs = django_filters.ChoiceFilter(
        label=_("Still to set up"),
        choices=[(need, label) for need, (label, _rule) in NEEDS.items()],
        empty_label=_("Still to set up: any unit"),
        method="filter_needs",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    inactive = django_filters.BooleanFilter(
        label=_("Show inactive units"),
        method="filter_inactive",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = Unit
        fields = ["q", "line", "needs", "inactive"]

    def __init__(self, *args, actor: Scope, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if Role.ADMIN not in actor.roles_held:
            del self.filters["needs"]  # only an admin sets units up

    @property
    def is_search(self) -> bool:
        """A name, code, line or need was asked for: show a flat list instead of the tree."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return bool(data.get("q") or data.get("line") or data.get("needs"))

    @property
    def need(self) -> str:
        """The need asked for ("" for none)."""
        return (self.form.cleaned_data.get("needs") or "") if self.form.is_valid() else ""

    @property
    def show_inactive(self) -> bool:
        return bool(self.form.is_valid() and self.form.cleaned_data.get("inactive"))

    def filter_queryset(self, queryset: QuerySet[Unit]) -> QuerySet[Unit]:
        queryset = super().filter_queryset(queryset)
        if not self.show_inactive:
            queryset = queryset.filter(is_active=True)
        return queryset.order_by("path")

    def filter_text(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_needs(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        # Active units only, as the workbench counts them, whatever "show inactive" says.
        _label, rule = NEEDS[value]
        return queryset.filter(self.actor.role_q(Role.ADMIN), rule(), is_active=True)

    def filter_inactive(self, queryset: QuerySet[Unit], name: str, value: bool) -> QuerySet[Unit]:
        # Applied in filter_queryset: unchecked (or absent) means active units only.
        return queryset
