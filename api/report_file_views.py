"""Evidence files of fulfilment reports, follow-up reports, score objections and honour
applications (evaluations.models.ReportFile) through the API: a file's facts and its bytes, for a
token as for a session, served by the page's own view (evaluations.report_file_views) to those
who may see its unit (evaluations.fulfilment_selectors.file_for_user); else 404."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.activity_views import AnyMediaType
from api.base import Scoped
from api.report_file_serializers import ReportFileSerializer
from evaluations import report_file_views
from evaluations.fulfilment_selectors import file_for_user
from evaluations.models import ReportFile


class ReportFileViewSet(Scoped, viewsets.GenericViewSet):
    serializer_class = ReportFileSerializer
    queryset = ReportFile.objects.none()  # for the schema
    filter_backends: list = []

    def retrieve(self, request: Request, pk: str) -> Response:
        """A file's name, type (as judged by its content) and size."""
        return Response(ReportFileSerializer(file_for_user(self.scope, self.url_pk())).data)

    @extend_schema(request=None, responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, AnyMediaType],
        pagination_class=None,
    )
    def file(self, request: Request, pk: str) -> FileResponse:
        """The file's bytes, as an attachment of the type judged on upload."""
        return report_file_views.served(file_for_user(self.scope, self.url_pk()))
