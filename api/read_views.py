"""Units, the user's memberships, campaigns, tasks and targets, read through the same selectors
as the pages: what a user may not see is a 404."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from activities import dashboard as boards
from api import read_serializers as s
from api.base import Scoped
from api.evaluation_serializers import AppraisalQuery, FiguresSerializer
from api.fields import ID_SCHEMA
from api.filters import IdFilter, StrictFilterSet, UnitFilter
from api.progress_serializers import ProgressQuery, ProgressSerializer, single_values
from campaigns.models import Campaign, Target, TargetTask
from campaigns.selectors import campaign_for_user, campaigns_covering, campaigns_visible_to
from evaluations import selectors as appraisal_selectors
from units.models import Line, Membership, Unit
from units.selectors import unit_for_user, units_visible_to


class ReadOnly(Scoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


class UnitViewSet(ReadOnly):
    """The units the user may see: their own and everything below them."""

    serializer_class = s.UnitSerializer
    filterset_class = UnitFilter
    filter_backends = [*ReadOnly.filter_backends, filters.OrderingFilter]
    ordering_fields = ("path", "name", "code", "id")
    ordering = ("path",)

    def get_queryset(self) -> QuerySet[Unit]:
        return units_visible_to(self.scope)

    def get_object(self) -> Unit:
        return unit_for_user(self.scope, self.url_pk())

    def _context(self, units: list[Unit]) -> dict:
        paths = {unit.parent_path for unit in units if unit.depth > 1}
        parents = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
        return {**self.get_serializer_context(), "parents": parents}

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        units = list(page or [])
        data = s.UnitSerializer(units, many=True, context=self._context(units)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        return Response(s.UnitSerializer(unit, context=self._context([unit])).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "campaign",
                ID_SCHEMA,
                description="A campaign covering the unit; the "
                "newest open one when left out or not one of them.",
            ),
            OpenApiParameter(
                "period",
                str,
                description="A quarter (2026-Q2) or a month "
                "(2026-05); the whole campaign when left out.",
            ),
            OpenApiParameter("line", str, enum=Line.values, description="One line only."),
        ],
        responses=ProgressSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def progress(self, request: Request, pk: str) -> Response:
        """The unit's subtree's progress: the dashboard's figures (activities.dashboard), read by
        the same selectors. 404 with the code no_campaign when no campaign covers the unit."""
        unit = self.get_object()
        asked = ProgressQuery(data=single_values(request.query_params))
        asked.is_valid(raise_exception=True)
        chosen = boards.filters_for(campaigns_covering(unit), request.query_params)
        if chosen is None:
            raise NotFound(_("No campaign covers this unit."), code="no_campaign")
        return Response(boards.dashboard(unit, chosen).as_json())

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "campaign",
                ID_SCHEMA,
                description="A campaign covering the unit; the page's default (the newest "
                "open one) when left out or not one of them.",
            ),
        ],
        responses=FiguresSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def appraisal(self, request: Request, pk: str) -> Response:
        """The appraisal figures (群众评议) of the unit's subtree in a campaign, as its appraisal
        page shows them (evaluations.selectors.subtree_figures). 404 with the code no_campaign
        when no campaign covers the unit."""
        unit = self.get_object()
        asked = AppraisalQuery(data=single_values(request.query_params))
        asked.is_valid(raise_exception=True)
        campaigns = campaigns_covering(unit)
        wanted = asked.validated_data.get("campaign")
        campaign = next((c for c in campaigns if c.pk == wanted), None) or next(
            iter(campaigns), None
        )
        if campaign is None:
            raise NotFound(_("No campaign covers this unit."), code="no_campaign")
        figures = appraisal_selectors.subtree_figures(unit, campaign)
        data = {
            "campaign": campaign.pk,
            "satisfied": figures.satisfied,
            "basically_satisfied": figures.basically_satisfied,
            "dissatisfied": figures.dissatisfied,
            "ratings": figures.ratings,
            "satisfaction_rate": figures.satisfaction_rate,
            "satisfied_share": figures.satisfied_share,
            "minimum_ratings": appraisal_selectors.minimum_ratings(),
        }
        return Response(FiguresSerializer(data).data)


class MembershipViewSet(Scoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The user's own memberships on active units."""

    serializer_class = s.MembershipSerializer
    queryset = Membership.objects.none()  # for the schema; get_queryset reads the user's own

    def get_queryset(self) -> QuerySet[Membership]:
        return (
            Membership.objects.filter(user=self.request.user, unit__is_active=True)
            .select_related("unit")
            .order_by("unit__path", "role")
        )


class CampaignFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id", help_text="The organising unit.")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Campaign
        fields = ("unit", "is_active")


class CampaignViewSet(ReadOnly):
    """The campaigns covering one of the user's units, or run below one."""

    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilter

    def get_queryset(self) -> QuerySet[Campaign]:
        return campaigns_visible_to(self.scope).order_by("-starts_on", "-pk")

    def get_object(self) -> Campaign:
        return campaign_for_user(self.scope, self.url_pk())


class TaskFilter(StrictFilterSet):
    campaign = IdFilter(field_name="campaign_id")

    class Meta:
        model = TargetTask
        fields = ("campaign",)


class TaskViewSet(ReadOnly):
    """The target tasks of the campaigns the user sees."""

    serializer_class = s.TaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self) -> QuerySet[TargetTask]:
        visible = campaigns_visible_to(self.scope)
        return TargetTask.objects.filter(campaign__in=visible).order_by(
            "campaign", "line", "sort_order", "code", "pk"
        )


class TargetFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id")
    campaign = IdFilter(field_name="task__campaign_id")
    task = IdFilter(field_name="task_id")

    class Meta:
        model = Target
        fields = ("unit", "campaign", "task")


@extend_schema(description="Targets of the units the user sees (read only).")
class TargetViewSet(ReadOnly):
    serializer_class = s.TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self) -> QuerySet[Target]:
        return (
            Target.objects.filter(self.scope.subtree_q(field="unit__path"))
            .select_related("task")
            .order_by("unit_id", "task_id", "pk")
        )
