"""The user's own notifications: everything starts from `request.user.notifications`, so someone
else's is a 404. Marking read goes through notifications.services.mark_read."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api import read_serializers as s
from api.base import Scoped
from api.filters import NotificationFilter
from notifications import services
from notifications.models import Notification


class NotificationViewSet(
    Scoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset reads the user's own
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        return self.request.user.notifications.order_by("-created_at", "-pk")

    def get_object(self) -> Notification:
        found = self.get_queryset().filter(pk=self.url_pk()).first()
        if found is None:
            raise NotFound()
        return found

    @extend_schema(
        request=None, responses=s.MarkedSerializer, operation_id="notifications_mark_read"
    )
    @action(detail=True, methods=["post"], url_path="read", filterset_class=None)
    def mark_read(self, request: Request, pk: str) -> Response:
        """Mark this notification read."""
        notification = self.get_object()
        marked = services.mark_read(user=request.user, ids=[notification.pk])
        return Response({"marked": marked})

    @extend_schema(
        request=s.MarkReadSerializer,
        responses=s.MarkedSerializer,
        operation_id="notifications_mark_all_read",
    )
    @action(detail=False, methods=["post"], url_path="read", filterset_class=None)
    def mark_all_read(self, request: Request) -> Response:
        """Mark the given notifications read, or all of them."""
        given = s.MarkReadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ids = given.validated_data.get("ids")
        marked = services.mark_read(user=request.user, ids=ids)
        return Response({"marked": marked})
