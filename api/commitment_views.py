"""Public commitments (公开承诺) and their fulfilment reports (践诺) through the API: the same reads
(units.scope, evaluations.*_selectors) and writes (evaluations.commitment_services,
evaluations.fulfilment_services, evaluations.review) as the pages. A set or report of a unit the
user may not see is a 404; a refusal of a service becomes an error answer in api.errors (a review
at a level someone has acted on first: 409)."""

from collections.abc import Callable

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from activities.models import Activity, Status
from api import evaluation_serializers as s
from api.base import Scoped
from api.errors import refused, valid
from api.fields import ID_SCHEMA, pk_of
from api.filters import IdFilter, StrictFilterSet
from api.report_file_actions import ReportFileActions
from campaigns.models import Campaign, TargetTask
from evaluations import commitment_services as sets
from evaluations import fulfilment_services as reports
from evaluations.fulfilment_selectors import commitment_for_user, report_files, report_for_user
from evaluations.models import Commitment, CommitmentSet, FulfilmentReport, ReportFile
from units.selectors import units_visible_to


class ReviewedFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id", help_text="The unit's id.")
    campaign = IdFilter(field_name="campaign_id", help_text="The campaign's id.")
    status = django_filters.ChoiceFilter(choices=Status.choices)


class SetFilter(ReviewedFilter):
    class Meta:
        model = CommitmentSet
        fields = ("unit", "campaign", "status")


class ReportFilter(ReviewedFilter):
    unit = IdFilter(field_name="commitment__unit_id", help_text="The unit's id.")
    campaign = IdFilter(field_name="commitment__campaign_id", help_text="The campaign's id.")

    class Meta:
        model = FulfilmentReport
        fields = ("unit", "campaign", "status")


class ReviewMoves:
    """The review's moves that commitment sets and fulfilment reports share (evaluations.review
    behind both services): withdraw, approve and return at the level read, each answered with
    the record as its list shows it. A view names its service for each move."""

    serializer_class: type
    withdraw_move: Callable
    approve_move: Callable  # (scope, record, *, level, comment)
    return_move: Callable  # (scope, record, *, level, reason)

    def _answer(self, found, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=found.pk).first()  # type: ignore[attr-defined]
        return Response(self.serializer_class(fresh or found).data, status=code)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request: Request, pk: str) -> Response:
        """Take the submission back before any reviewer has acted on it."""
        found = self.withdraw_move(self.scope, self.get_object())  # type: ignore[attr-defined]
        return self._answer(found)

    @extend_schema(request=s.LevelCommentSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request: Request, pk: str) -> Response:
        """Approve at the level read (review_level): 409 stale_level if someone has acted first.
        A report's final approval fulfils its commitment."""
        data = valid(s.LevelCommentSerializer, request.data)
        found = self.approve_move(
            self.scope,  # type: ignore[attr-defined]
            self.get_object(),  # type: ignore[attr-defined]
            level=data["level"],
            comment=data.get("comment", ""),
        )
        return self._answer(found)

    @extend_schema(request=s.LevelReasonSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        filterset_class=None,
    )
    def send_back(self, request: Request, pk: str) -> Response:
        """Return it to its unit with the reason, at the level read."""
        data = valid(s.LevelReasonSerializer, request.data)
        found = self.return_move(
            self.scope,  # type: ignore[attr-defined]
            self.get_object(),  # type: ignore[attr-defined]
            level=data["level"],
            reason=data["reason"],
        )
        return self._answer(found)


class CommitmentSetViewSet(
    ReviewMoves,
    Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The commitment sets of the units the user may see, each with its items in order."""

    serializer_class = s.CommitmentSetSerializer
    filterset_class = SetFilter
    queryset = CommitmentSet.objects.none()  # for the schema; get_queryset reads the user's
    withdraw_move = staticmethod(sets.set_withdraw)
    approve_move = staticmethod(sets.set_approve)
    return_move = staticmethod(sets.set_return)

    def get_queryset(self) -> QuerySet[CommitmentSet]:
        items = Commitment.objects.order_by("position", "pk")
        return (
            CommitmentSet.objects.filter(self.scope.subtree_q(field="unit__path"))
            .select_related("unit")
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-campaign__starts_on", "unit__path", "-pk")
        )

    def get_object(self) -> CommitmentSet:
        found = self.get_queryset().filter(pk=self.url_pk()).first()
        if found is None:
            raise NotFound()
        return found

    @extend_schema(
        request=s.CommitmentSetCreateSerializer,
        responses={200: s.CommitmentSetSerializer, 201: s.CommitmentSetSerializer},
    )
    def create(self, request: Request) -> Response:
        """The unit's set for the campaign, made as a draft on first use by its staff
        (evaluations.commitment_services.draft_set): 201 when made, 200 when it was there."""
        data = valid(s.CommitmentSetCreateSerializer, request.data)
        unit = units_visible_to(self.scope).filter(pk=data["unit"]).first()
        if unit is None:
            raise refused("unit", _("No such unit."))
        campaign = Campaign.objects.filter(
            pk=data["campaign"], unit__path__in=unit.ancestor_paths
        ).first()
        if campaign is None:
            raise refused("campaign", _("This campaign does not cover the unit."))
        existed = CommitmentSet.objects.filter(unit=unit, campaign=campaign).exists()
        found = sets.draft_set(self.scope, unit, campaign)
        return self._answer(found, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    # --- Items --------------------------------------------------------------------------------

    def _task(self, commitment_set: CommitmentSet, task_id: int | None) -> TargetTask | None:
        if task_id is None:
            return None
        task = TargetTask.objects.filter(pk=task_id, campaign_id=commitment_set.campaign_id).first()
        if task is None:
            raise refused("task", _("The target task must belong to this campaign."))
        return task

    def _item(self, commitment_set: CommitmentSet, item_pk: str) -> Commitment:
        found = pk_of(item_pk)
        item = commitment_set.items.filter(pk=found).first() if found else None
        if item is None:
            raise NotFound()
        item.set = commitment_set
        return item

    @extend_schema(request=s.CommitmentItemSerializer, responses={201: s.CommitmentSetSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def items(self, request: Request, pk: str) -> Response:
        """Add an item to a draft or returned set (evaluations.commitment_services.item_add)."""
        commitment_set = self.get_object()
        data = valid(s.CommitmentItemSerializer, request.data)
        sets.item_add(
            self.scope,
            commitment_set,
            promise=data["promise"],
            measure=data["measure"],
            due_on=data["due_on"],
            task=self._task(commitment_set, data.get("task")),
        )
        return self._answer(commitment_set, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CommitmentItemChangeSerializer,
        responses=s.CommitmentSetSerializer,
        parameters=[OpenApiParameter("item_pk", ID_SCHEMA, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"items/(?P<item_pk>[^/.]+)",
        url_name="item",
        filterset_class=None,
    )
    def item_edit(self, request: Request, pk: str, item_pk: str) -> Response:
        """Change an item of a draft or returned set; fields left out keep their value."""
        commitment_set = self.get_object()
        item = self._item(commitment_set, item_pk)
        data = valid(s.CommitmentItemChangeSerializer, request.data)
        task = self._task(commitment_set, data["task"]) if "task" in data else item.task
        sets.item_edit(
            self.scope,
            item,
            promise=data.get("promise", item.promise),
            measure=data.get("measure", item.measure),
            due_on=data.get("due_on", item.due_on),
            task=task,
        )
        return self._answer(commitment_set)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("item_pk", ID_SCHEMA, OpenApiParameter.PATH)],
    )
    @item_edit.mapping.delete
    def item_delete(self, request: Request, pk: str, item_pk: str) -> Response:
        """Remove an item from a draft or returned set."""
        commitment_set = self.get_object()
        sets.item_delete(self.scope, self._item(commitment_set, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ReorderSerializer, responses=s.CommitmentSetSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reorder(self, request: Request, pk: str) -> Response:
        """Put the items in this order."""
        commitment_set = self.get_object()
        data = valid(s.ReorderSerializer, request.data)
        sets.items_reorder(self.scope, commitment_set, data["ids"])
        return self._answer(commitment_set)

    # --- Review -------------------------------------------------------------------------------

    @extend_schema(request=s.OptionalCommentSerializer, responses=s.CommitmentSetSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request: Request, pk: str) -> Response:
        """Send the set to its reviewers."""
        data = valid(s.OptionalCommentSerializer, request.data)
        found = sets.set_submit(self.scope, self.get_object(), data.get("comment", ""))
        return self._answer(found)


class FulfilmentReportViewSet(
    ReportFileActions,
    ReviewMoves,
    Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The fulfilment reports of the units the user may see."""

    serializer_class = s.FulfilmentReportSerializer
    filterset_class = ReportFilter
    queryset = FulfilmentReport.objects.none()  # for the schema
    withdraw_move = staticmethod(reports.report_withdraw)
    approve_move = staticmethod(reports.report_approve)
    return_move = staticmethod(reports.report_return)
    file_services = reports

    def files_of(self, subject: FulfilmentReport) -> QuerySet[ReportFile]:
        return report_files(subject)

    def get_queryset(self) -> QuerySet[FulfilmentReport]:
        return (
            FulfilmentReport.objects.filter(self.scope.subtree_q(field="commitment__unit__path"))
            .select_related("commitment")
            .prefetch_related(Prefetch("activities", queryset=Activity.objects.only("pk")))
            .order_by("-updated_at", "-pk")
        )

    def get_object(self) -> FulfilmentReport:
        return report_for_user(self.scope, self.url_pk())

    @extend_schema(
        request=s.FulfilmentStartSerializer,
        responses={200: s.FulfilmentReportSerializer, 201: s.FulfilmentReportSerializer},
    )
    def create(self, request: Request) -> Response:
        """The commitment's report, started as an empty draft by the unit's staff
        (evaluations.fulfilment_services.report_start): 201 when made, 200 when it was there."""
        data = valid(s.FulfilmentStartSerializer, request.data)
        try:
            commitment = commitment_for_user(self.scope, data["commitment"])
        except Http404 as error:  # out of scope is no such commitment
            raise refused("commitment", _("No such commitment.")) from error
        existed = FulfilmentReport.objects.filter(commitment=commitment).exists()
        report = reports.report_start(self.scope, commitment)
        return self._answer(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=s.FulfilmentUpdateSerializer, responses=s.FulfilmentReportSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Save the statement and the linked activities of a draft or returned report."""
        report = self.get_object()
        data = valid(s.FulfilmentUpdateSerializer, request.data)
        activities = data.get("activities")
        if activities is None:
            activities = list(report.activities.values_list("pk", flat=True))
        report = reports.report_update(
            self.scope,
            report,
            statement=data.get("statement", report.statement),
            activities=activities,
        )
        return self._answer(report)

    # --- Review -------------------------------------------------------------------------------

    @extend_schema(request=None, responses=s.FulfilmentReportSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request: Request, pk: str) -> Response:
        """Send the report for review (it needs a statement and a file or an activity)."""
        return self._answer(reports.report_submit(self.scope, self.get_object()))
