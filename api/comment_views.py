"""Leader comments (领导点评) and their follow-ups (整改) through the API: the same reads
(evaluations.comment_selectors, units.scope) and writes (evaluations.comment_services) as the
pages. Who may comment, answer or decide is the services' rule (may_comment, may_answer,
may_decide): a refusal is a 403; a follow-up no longer in a state that allows the move is a 409."""

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from activities.models import Activity
from api import evaluation_serializers as s
from api.activity_serializers import ReasonSerializer
from api.base import Scoped
from api.errors import refused, valid
from api.filters import IdFilter, StrictFilterSet
from api.report_file_serializers import ReportFileSerializer
from api.uploads import refuse_oversized
from campaigns.models import Campaign, TargetTask
from evaluations import comment_services as services
from evaluations.comment_selectors import follow_up_for
from evaluations.models import FollowUp, FollowUpStatus, LeaderComment
from units.selectors import units_visible_to


class CommentFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id", help_text="The unit commented on.")
    campaign = IdFilter(field_name="campaign_id", help_text="The campaign's id.")

    class Meta:
        model = LeaderComment
        fields = ("unit", "campaign")


class FollowUpFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id", help_text="The unit's id.")
    campaign = IdFilter(field_name="campaign_id", help_text="The campaign's id.")
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)

    class Meta:
        model = FollowUp
        fields = ("unit", "campaign", "status")


class CommentViewSet(
    Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Leaders' comments on the units the user may see, newest first."""

    serializer_class = s.LeaderCommentSerializer
    filterset_class = CommentFilter
    queryset = LeaderComment.objects.none()  # for the schema

    def get_queryset(self) -> QuerySet[LeaderComment]:
        return (
            LeaderComment.objects.filter(self.scope.subtree_q(field="unit__path"))
            .select_related("author", "follow_up")
            .order_by("-created_at", "-pk")
        )

    def get_object(self) -> LeaderComment:
        found = self.get_queryset().filter(pk=self.url_pk()).first()
        if found is None:
            raise NotFound()
        return found

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.LeaderCommentSerializer})
    def create(self, request: Request) -> Response:
        """Comment on a unit you lead or one below it, with a follow-up when `follow_up_due` is
        given (evaluations.comment_services.comment_write)."""
        data = valid(s.CommentCreateSerializer, request.data)
        unit = units_visible_to(self.scope).filter(pk=data["unit"]).first()
        if unit is None:
            raise refused("unit", _("No such unit."))
        campaign = (
            Campaign.objects.filter(pk=data["campaign"], unit__path__in=unit.ancestor_paths)
            .select_related("unit")
            .first()
        )
        if campaign is None:
            raise refused("campaign", _("This campaign does not cover the unit."))
        task = activity = None
        if data.get("task") is not None:
            task = TargetTask.objects.filter(pk=data["task"], campaign=campaign).first()
            if task is None:
                raise refused("task", _("The task is not one of the campaign's."))
        if data.get("activity") is not None:
            activity = Activity.objects.filter(
                pk=data["activity"], unit=unit, campaign=campaign
            ).first()
            if activity is None:
                raise refused(
                    "activity", _("The activity is not one of the unit's in this campaign.")
                )
        comment = services.comment_write(
            self.scope,
            unit,
            campaign,
            data["text"],
            grade=data.get("grade"),
            task=task,
            activity=activity,
            follow_up_due=data.get("follow_up_due"),
        )
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(s.LeaderCommentSerializer(fresh).data, status=status.HTTP_201_CREATED)


class FollowUpViewSet(
    Scoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The follow-ups of the units the user may see, soonest due first."""

    serializer_class = s.FollowUpSerializer
    filterset_class = FollowUpFilter
    queryset = FollowUp.objects.none()  # for the schema

    def get_queryset(self) -> QuerySet[FollowUp]:
        return (
            FollowUp.objects.filter(self.scope.subtree_q(field="unit__path"))
            .prefetch_related(Prefetch("activities", queryset=Activity.objects.only("pk")))
            .order_by("due_on", "pk")
        )

    def get_object(self) -> FollowUp:
        return follow_up_for(self.scope, self.url_pk())

    def _answer(self, follow_up: FollowUp) -> Response:
        fresh = self.get_queryset().filter(pk=follow_up.pk).first() or follow_up
        return Response(s.FollowUpSerializer(fresh).data)

    @extend_schema(request=None, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def acknowledge(self, request: Request, pk: str) -> Response:
        """The unit's staff have read it."""
        return self._answer(services.follow_up_acknowledge(self.scope, self.get_object()))

    @extend_schema(
        request={
            "application/json": s.FollowUpReportSerializer,
            "multipart/form-data": s.FollowUpReportUploadSerializer,
        },
        responses=s.FollowUpSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="report",
        filterset_class=None,
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def report_done(self, request: Request, pk: str) -> Response:
        """The unit's staff say what was done, with the unit's approved activities of the
        campaign and, sent as multipart/form-data, evidence files (checked by their content,
        as the page checks them)."""
        follow_up = self.get_object()
        refuse_oversized(request._request, "files")
        multipart = request.content_type.startswith("multipart/")
        data = valid(
            s.FollowUpReportUploadSerializer if multipart else s.FollowUpReportSerializer,
            request.data,
        )
        ids = set(data.get("activities") or [])
        activities = list(
            Activity.objects.filter(
                pk__in=ids, unit_id=follow_up.unit_id, campaign_id=follow_up.campaign_id
            )
        )
        if len(activities) != len(ids):
            raise refused("activities", _("Not an activity of the unit in this campaign."))
        found = services.follow_up_report(
            self.scope, follow_up, data["text"], activities, data.get("files", [])
        )
        return self._answer(found)

    @extend_schema(responses=ReportFileSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        serializer_class=ReportFileSerializer,
        filterset_class=None,
    )
    def files(self, request: Request, pk: str) -> Response:
        """The evidence files sent with the follow-up's reports, oldest first."""
        follow_up = self.get_object()
        page = self.paginate_queryset(follow_up.files.order_by("created_at", "pk"))
        return self.get_paginated_response(ReportFileSerializer(page, many=True).data)

    @extend_schema(request=None, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request: Request, pk: str) -> Response:
        """A leader over the unit accepts what was done."""
        return self._answer(services.follow_up_close(self.scope, self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=s.FollowUpSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="send-back",
        url_name="send-back",
        filterset_class=None,
    )
    def send_back(self, request: Request, pk: str) -> Response:
        """A leader over the unit sends the report back, with the reason."""
        data = valid(ReasonSerializer, request.data)
        return self._answer(
            services.follow_up_send_back(self.scope, self.get_object(), data["reason"])
        )
