"""Honours (评选表彰) through the API: the rounds the user sees, applications (a unit's staff
apply for the unit or nominate a person, and submit), and the recommendation level by level with
the level read (a second reviewer at a level gets 409 transition_refused; a unit whose quota for
the category is used, 409 quota_exceeded with the count). Reads are evaluations.honour_selectors',
writes evaluations.honour_services' — the pages' own."""

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import honour_serializers as s
from api.base import Scoped
from api.errors import refused, valid
from api.filters import IdFilter, StrictFilterSet
from api.report_file_actions import ReportFileActions
from evaluations import honour_selectors as selectors
from evaluations import honour_services as services
from evaluations.models import Application, ApplicationStatus, HonourRound, ReportFile
from units.scope import Scope
from units.selectors import units_visible_to


class RoundFilter(StrictFilterSet):
    campaign = IdFilter(field_name="campaign_id", help_text="The campaign's id.")

    class Meta:
        model = HonourRound
        fields = ("campaign",)


class HonourRoundViewSet(
    Scoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The honours rounds of the campaigns the user sees, newest first."""

    serializer_class = s.HonourRoundSerializer
    filterset_class = RoundFilter
    queryset = HonourRound.objects.none()  # for the schema

    def get_queryset(self) -> QuerySet[HonourRound]:
        return selectors.rounds_visible_to(self.scope)

    def get_object(self) -> HonourRound:
        return selectors.round_for_user(self.scope, self.url_pk())


class ApplicationFilter(StrictFilterSet):
    round = IdFilter(field_name="round_id", help_text="The round's id.")
    unit = IdFilter(field_name="unit_id", help_text="The applying unit's id.")
    category = IdFilter(field_name="category_id", help_text="The honour's id.")
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    waiting_for_me = django_filters.BooleanFilter(
        method="filter_waiting", help_text="Only those waiting for your recommendation."
    )

    class Meta:
        model = Application
        fields = ("round", "unit", "category", "status", "waiting_for_me")

    def filter_waiting(self, queryset, name: str, value: bool):
        waiting = selectors.waiting_q(Scope.of(self.request.user))
        return queryset.filter(waiting) if value else queryset.exclude(waiting)


class HonourApplicationViewSet(
    ReportFileActions,
    Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The honour applications the user may read (a draft only by its own unit), newest round
    first."""

    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter
    queryset = Application.objects.none()  # for the schema
    file_services = services

    def files_of(self, subject: Application) -> QuerySet[ReportFile]:
        return selectors.files_of(subject)

    def get_queryset(self) -> QuerySet[Application]:
        return (
            selectors.applications_visible_to(self.scope)
            .select_related("category", "unit")
            .order_by("-round__opens_on", "round_id", "category__sort_order", "pk")
        )

    def get_object(self) -> Application:
        return selectors.application_for_user(self.scope, self.url_pk())

    def _answer(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        found = selectors.application_for_user(self.scope, application.pk)
        found.api_steps = list(selectors.steps_of(found))  # type: ignore[attr-defined]
        found.api_files = list(selectors.files_of(found))  # type: ignore[attr-defined]
        found.may_edit = services.may_edit(self.scope, found)  # type: ignore[attr-defined]
        found.may_withdraw = services.may_withdraw(self.scope, found)  # type: ignore[attr-defined]
        found.may_recommend = services.may_recommend(self.scope, found)  # type: ignore[attr-defined]
        found.quota = None  # type: ignore[attr-defined]
        if found.may_recommend and found.waiting_unit is not None:  # type: ignore[attr-defined]
            quota = selectors.category_quota_use(found.round, found.category, found.waiting_unit)
            found.quota = quota  # type: ignore[attr-defined]
        return Response(s.ApplicationDetailSerializer(found).data, status=code)

    @extend_schema(responses=s.ApplicationDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._answer(self.get_object())

    @extend_schema(
        request=s.ApplicationCreateSerializer, responses={201: s.ApplicationDetailSerializer}
    )
    def create(self, request: Request) -> Response:
        """A draft application of a unit you are staff of, within the round's window: for the
        unit itself (a collective honour) or for a person it nominates (`person_name`,
        `person_post`)."""
        data = valid(s.ApplicationCreateSerializer, request.data)
        try:
            honour_round = selectors.round_for_user(self.scope, data["round"])
        except Http404 as error:
            raise refused("round", _("No such round.")) from error
        unit = units_visible_to(self.scope).filter(pk=data["unit"]).first()
        if unit is None:
            raise refused("unit", _("No such unit."))
        category = selectors.categories().filter(pk=data["category"]).first()
        if category is None:
            raise refused("category", _("No such honour."))
        application = services.application_create(
            self.scope,
            honour_round=honour_round,
            unit=unit,
            category=category,
            person_name=data.get("person_name", ""),
            person_post=data.get("person_post", ""),
            registration=data.get("registration"),
            case=data.get("case", ""),
            summary=data.get("summary", ""),
        )
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request: Request, pk: str) -> Response:
        """Send it to the first level (it needs the case, the summary and the registration
        form), within the round's window."""
        return self._answer(services.application_submit(self.scope, self.get_object()))

    @extend_schema(request=None, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request: Request, pk: str) -> Response:
        """Take it back while it waits at the first level, before anyone acts."""
        return self._answer(services.application_withdraw(self.scope, self.get_object()))

    # --- Recommendation -----------------------------------------------------------------------

    @extend_schema(request=s.RecommendSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def recommend(self, request: Request, pk: str) -> Response:
        """Recommend it at the level read (`level`): it moves on to the next level, or onto the
        shortlist at the round's organising unit — within the quota of the unit it waits on."""
        application = self.get_object()
        data = valid(s.RecommendSerializer, request.data)
        done = services.application_recommend(
            self.scope,
            application,
            level=data["level"],
            rank=data.get("rank"),
            reason=data.get("reason", ""),
        )
        return self._answer(done)

    @extend_schema(request=s.DeclineSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def decline(self, request: Request, pk: str) -> Response:
        """Decline it at the level read, with the reason."""
        application = self.get_object()
        data = valid(s.DeclineSerializer, request.data)
        done = services.application_decline(
            self.scope, application, level=data["level"], reason=data["reason"]
        )
        return self._answer(done)
