"""Frozen assessment results (考核结果快照) through the API: a campaign's snapshots, one snapshot
with its rows and the objections the user may read, taking and publishing a snapshot (admins of
the organising unit), a unit's objection and an admin's answer. Who reads what is
evaluations.snapshot_selectors' (out of reach: 404); who may act, evaluations.snapshot_services'
(403 not_allowed; a move the rules refuse, 422 evaluation_refused)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import snapshot_serializers as s
from api.base import Scoped
from api.errors import refused, valid
from api.fields import ID_SCHEMA
from api.uploads import refuse_oversized
from evaluations import snapshot_selectors as selectors
from evaluations import snapshot_services as services
from evaluations.models import ScoreObjection, Snapshot
from evaluations.snapshot_views import notice_url
from units.selectors import units_visible_to

CAMPAIGN = OpenApiParameter("campaign_pk", ID_SCHEMA, OpenApiParameter.PATH)


class CampaignSnapshots(Scoped, generics.ListAPIView):
    """The campaign's snapshots the user may read, newest first (a draft only for those who see
    the organising unit)."""

    serializer_class = s.SnapshotListSerializer
    filter_backends: list = []

    def get_queryset(self) -> list[Snapshot]:
        campaign = selectors.campaign_for_user(self.scope, self.url_pk("campaign_pk"))
        return selectors.snapshots_of(self.scope, campaign)

    @extend_schema(parameters=[CAMPAIGN], operation_id="campaigns_snapshots_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        parameters=[CAMPAIGN],
        request=None,
        responses={201: s.SnapshotSerializer},
        operation_id="campaigns_snapshots_take",
    )
    def post(self, request: Request, campaign_pk: str) -> Response:
        """Freeze every unit's result now as the campaign's next version (an admin of the
        organising unit; evaluations.snapshot_services.snapshot_take)."""
        campaign = selectors.campaign_for_user(self.scope, self.url_pk("campaign_pk"))
        taken = services.snapshot_take(self.scope, campaign)
        return snapshot_answer(self.scope, taken.pk, status.HTTP_201_CREATED)


def snapshot_answer(scope, pk: int, code: int = status.HTTP_200_OK) -> Response:
    found = selectors.snapshot_for_user(scope, pk)
    state = selectors.snapshot_state(scope, found)
    found.final = state.final  # type: ignore[attr-defined]
    found.open = state.window_open  # type: ignore[attr-defined]
    found.columns = selectors.rule_columns(found)  # type: ignore[attr-defined]
    found.visible_objections = state.objections  # type: ignore[attr-defined]
    found.objecting_units = [unit.pk for unit in state.objecting_units]  # type: ignore[attr-defined]
    found.may_administer = state.may_administer  # type: ignore[attr-defined]
    found.notice_url = notice_url(found) if found.is_published else ""  # type: ignore[attr-defined]
    return Response(s.SnapshotSerializer(found).data, status=code)


class SnapshotViewSet(Scoped, viewsets.GenericViewSet):
    serializer_class = s.SnapshotSerializer
    queryset = Snapshot.objects.none()  # for the schema; the selectors read the user's
    filter_backends: list = []

    def get_object(self) -> Snapshot:
        return selectors.snapshot_for_user(self.scope, self.url_pk())

    def retrieve(self, request: Request, pk: str) -> Response:
        """One snapshot: final or not, its rule columns, the objections you may read and the
        units you may object for."""
        return snapshot_answer(self.scope, self.url_pk())

    @extend_schema(responses=s.SnapshotRowSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=s.SnapshotRowSerializer)
    def rows(self, request: Request, pk: str) -> Response:
        """The ranking as frozen: by peer group and rank, each row with its points by rule in
        the order of the snapshot's columns."""
        found = self.get_object()
        columns = selectors.rule_columns(found)
        page = self.paginate_queryset(selectors.rows_of(found))
        rows = list(page or [])
        for row in rows:
            row.points = selectors.points_by_rule(row, columns)  # type: ignore[attr-defined]
        return self.get_paginated_response(s.SnapshotRowSerializer(rows, many=True).data)

    @extend_schema(request=s.PublishSerializer, responses=s.SnapshotSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish it for objections (公示) for `window_days` working days from today."""
        found = self.get_object()
        data = valid(s.PublishSerializer, request.data)
        services.snapshot_publish(self.scope, found, window_days=data["window_days"])
        return snapshot_answer(self.scope, found.pk)

    @extend_schema(
        request={
            "application/json": s.ObjectionFileSerializer,
            "multipart/form-data": s.ObjectionUploadSerializer,
        },
        responses={201: s.ObjectionDetailSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def objections(self, request: Request, pk: str) -> Response:
        """File a unit's objection to its result while the notice period runs (its staff or
        admins), with evidence files when sent as multipart/form-data."""
        found = self.get_object()
        refuse_oversized(request._request, "files")
        multipart = request.content_type.startswith("multipart/")
        data = valid(
            s.ObjectionUploadSerializer if multipart else s.ObjectionFileSerializer, request.data
        )
        unit = units_visible_to(self.scope).filter(pk=data["unit"]).first()
        if unit is None:
            raise refused("unit", _("No such unit."))
        filed = services.objection_file(
            self.scope, found, unit, reasons=data["reasons"], files=data.get("files", [])
        )
        return objection_answer(self.scope, filed.pk, status.HTTP_201_CREATED)


def objection_answer(scope, pk: int, code: int = status.HTTP_200_OK) -> Response:
    found = selectors.objection_for_user(scope, pk)
    return Response(s.ObjectionDetailSerializer(found).data, status=code)


class ScoreObjectionViewSet(Scoped, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A unit's objection to its result, for its unit's people, those above it and the admins of
    the organising unit."""

    serializer_class = s.ObjectionDetailSerializer
    queryset = ScoreObjection.objects.none()  # for the schema
    filter_backends: list = []

    def retrieve(self, request: Request, pk: str) -> Response:
        return objection_answer(self.scope, self.url_pk())

    @extend_schema(request=s.AnswerSerializer, responses=s.ObjectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        """Answer it (an admin of the organising unit): rejected with the reason, or upheld —
        a corrected version is taken from the records as they are now."""
        found = selectors.objection_for_user(self.scope, self.url_pk())
        data = valid(s.AnswerSerializer, request.data)
        answered = services.objection_answer(
            self.scope, found, upheld=data["outcome"] == "upheld", answer=data["answer"]
        )
        return objection_answer(self.scope, answered.pk)
