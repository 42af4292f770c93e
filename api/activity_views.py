"""Activities through the API: the same reads (activities.selectors) and the same writes
(activities.services) as the pages; nothing here decides who may do what. A refusal of a service
becomes an error answer in api.errors."""

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from activities import evidence_views, services
from activities.models import Activity, Evidence
from activities.selectors import activities_visible_to, activity_for_user, coorganiser_choices
from api import activity_serializers as s
from api.base import Scoped
from api.errors import refused, valid
from api.fields import ID_SCHEMA, pk_of
from api.filters import ActivityFilter
from api.pagination import UncountedPages
from api.uploads import MultipartActions, refuse_oversized
from campaigns.models import TargetTask
from campaigns.selectors import active_campaigns_for
from units.selectors import units_visible_to

LISTED = ("unit", "campaign", "review_unit")


class AnyMediaType(JSONRenderer):
    """A file answers whatever the client accepts (`Accept: image/*`); an error is still JSON."""

    media_type = "*/*"


class ActivityViewSet(
    MultipartActions,
    Scoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Activities the user may see (activities.selectors.activities_visible_to)."""

    multipart_actions = frozenset({"evidence_upload"})

    pagination_class = UncountedPages
    serializer_class = s.ActivitySerializer
    filterset_class = ActivityFilter
    filter_backends = [
        *viewsets.GenericViewSet.filter_backends,
        filters.OrderingFilter,
    ]
    ordering_fields = ("starts_on", "created_at", "updated_at", "title", "status", "id")
    ordering = ("-starts_on", "-id")

    def get_queryset(self) -> QuerySet[Activity]:
        visible = activities_visible_to(self.scope)
        return visible.select_related(*LISTED).prefetch_related("tasks")

    def get_object(self) -> Activity:
        return activity_for_user(self.scope, self.url_pk())

    def _answer(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=activity.pk).first() or activity
        return Response(s.ActivitySerializer(fresh).data, status=code)

    def _draft_refs(self, data: dict, unit, campaign) -> dict:
        """The tasks and co-organisers named by id; which of them the activity may name is the
        services' rule."""
        refs: dict = {}
        if "tasks" in data:
            ids = set(data["tasks"])
            tasks = list(TargetTask.objects.filter(pk__in=ids, campaign=campaign))
            if len(tasks) != len(ids):
                raise refused("tasks", _("Not a task of this campaign."))
            refs["tasks"] = tasks
        if "coorganisers" in data:
            ids = set(data["coorganisers"])
            units = list(coorganiser_choices(unit).filter(pk__in=ids))
            if len(units) != len(ids):
                raise refused("coorganisers", _("Not a unit that may co-organise it."))
            refs["coorganisers"] = units
        return refs

    @extend_schema(request=s.ActivityCreateSerializer, responses={201: s.ActivitySerializer})
    def create(self, request: Request) -> Response:
        """A new draft of a unit the user is staff of (activities.services.activity_create)."""
        given = s.ActivityCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        unit = units_visible_to(self.scope).filter(pk=data["unit"]).first()
        if unit is None:
            raise refused("unit", _("No such unit."))
        open_campaigns = active_campaigns_for(unit).order_by("-starts_on", "-pk")
        campaign = (
            open_campaigns.filter(pk=data["campaign"]).first()
            if "campaign" in data
            else open_campaigns.first()
        )
        if campaign is None:
            raise refused("campaign", _("No open campaign covers this unit."))
        activity = services.activity_create(
            actor=self.scope,
            unit=unit,
            campaign=campaign,
            data={name: data[name] for name in services.DRAFT_FIELDS if name in data},
            **self._draft_refs(data, unit, campaign),
        )
        return self._answer(activity, status.HTTP_201_CREATED)

    @extend_schema(request=s.ActivityDraftSerializer, responses=s.ActivitySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a draft or a returned activity (activities.services.activity_update)."""
        activity = self.get_object()
        given = s.ActivityDraftSerializer(activity, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        activity = services.activity_update(
            actor=self.scope,
            activity=activity,
            data={name: data[name] for name in services.DRAFT_FIELDS if name in data},
            **self._draft_refs(data, activity.unit, activity.campaign),
        )
        return self._answer(activity)

    # --- Transitions -------------------------------------------------------------------------

    @extend_schema(request=s.CommentSerializer, responses=s.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Send the draft (or the returned activity) for review."""
        data = valid(s.CommentSerializer, self.request.data)
        activity = services.activity_submit(
            actor=self.scope, activity=self.get_object(), comment=data.get("comment", "")
        )
        return self._answer(activity)

    @extend_schema(request=None, responses=s.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Take the submission back before any reviewer has acted on it."""
        activity = services.activity_withdraw(actor=self.scope, activity=self.get_object())
        return self._answer(activity)

    @extend_schema(request=s.LevelSerializer, responses=s.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve at the level read (final, or passed on to the next level)."""
        data = valid(s.LevelSerializer, self.request.data)
        activity = services.activity_approve(
            actor=self.scope,
            activity=self.get_object(),
            level=data["level"],
            comment=data.get("comment", ""),
        )
        return self._answer(activity)

    @extend_schema(request=s.ReturnSerializer, responses=s.ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str) -> Response:
        """Return it to its unit, with the reason, at the level read."""
        data = valid(s.ReturnSerializer, self.request.data)
        activity = services.activity_return(
            actor=self.scope, activity=self.get_object(), level=data["level"], reason=data["reason"]
        )
        return self._answer(activity)

    @extend_schema(request=s.ReasonSerializer, responses=s.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """Unlock an approved activity: it goes back to its unit as returned."""
        data = valid(s.ReasonSerializer, self.request.data)
        activity = services.activity_reopen(
            actor=self.scope, activity=self.get_object(), reason=data["reason"]
        )
        return self._answer(activity)

    # --- Evidence ----------------------------------------------------------------------------

    @extend_schema(responses=s.EvidenceSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        serializer_class=s.EvidenceSerializer,
        filterset_class=None,
        ordering_fields=None,
        url_path="evidence",
    )
    def evidence(self, request: Request, pk: str) -> Response:
        """The activity's evidence files, oldest first."""
        activity = self.get_object()
        page = self.paginate_queryset(activity.evidence.order_by("created_at", "pk"))
        return self.get_paginated_response(s.EvidenceSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.EvidenceSerializer},
    )
    @evidence.mapping.post
    def evidence_upload(self, request: Request, pk: str) -> Response:
        """Attach a photo or document; its type is judged by its content
        (activities.services.evidence_add)."""
        activity = self.get_object()
        refuse_oversized(request._request, "file")
        data = valid(s.EvidenceUploadSerializer, self.request.data)
        item = services.evidence_add(actor=self.scope, activity=activity, upload=data["file"])
        return Response(s.EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("evidence_pk", ID_SCHEMA, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"evidence/(?P<evidence_pk>[^/.]+)",
        url_name="evidence-delete",
    )
    def evidence_delete(self, request: Request, pk: str, evidence_pk: str) -> Response:
        """Remove one evidence file from a draft or returned activity."""
        activity = self.get_object()
        found = pk_of(evidence_pk)
        item = Evidence.objects.filter(activity=activity, pk=found).first() if found else None
        if item is None:
            raise NotFound()
        services.evidence_delete(actor=self.scope, evidence=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={(200, "*/*"): OpenApiTypes.BINARY},  # the type its content was judged
        parameters=[OpenApiParameter("evidence_pk", ID_SCHEMA, OpenApiParameter.PATH)],
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"evidence/(?P<evidence_pk>[^/.]+)/file",
        url_name="evidence-file",
        renderer_classes=[JSONRenderer, AnyMediaType],
        filterset_class=None,
        ordering_fields=None,
        pagination_class=None,
    )
    def evidence_file(self, request: Request, pk: str, evidence_pk: str) -> FileResponse:
        """One evidence file's bytes, for a token as for a session: served as the page serves it
        (activities.evidence_views), its type as judged by its content on upload."""
        activity = self.get_object()
        found = pk_of(evidence_pk)
        item = Evidence.objects.filter(activity=activity, pk=found).first() if found else None
        if item is None:
            raise NotFound()
        # The page's own view: REST framework has put the token's user on the request.
        return evidence_views.evidence_download(request._request, item.pk)
