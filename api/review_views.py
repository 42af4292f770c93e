"""The reviewer's queue: the submissions waiting for the user (activities.selectors.review_queue),
oldest first. Each row carries `review_level`: send it back with approve or return."""

from django.db.models import QuerySet
from rest_framework import generics

from activities.models import Activity
from activities.selectors import review_queue
from api.activity_serializers import ActivitySerializer
from api.base import Scoped
from api.filters import ActivityFilter
from api.pagination import UncountedPages


class ReviewQueue(Scoped, generics.ListAPIView):
    pagination_class = UncountedPages
    serializer_class = ActivitySerializer
    queryset = Activity.objects.none()  # for the schema; get_queryset reads the user's queue
    filterset_class = ActivityFilter

    def get_queryset(self) -> QuerySet[Activity]:
        return review_queue(self.scope).select_related("review_unit").prefetch_related("tasks")
