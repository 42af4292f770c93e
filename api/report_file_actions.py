"""The evidence files of a record that carries them (a fulfilment report, an honour application):
`files/` lists them (GET) and attaches one (POST, multipart; its type judged by its content, as on
the page), `files/<id>/` removes one while the record may still change. The viewset names where
its files are (`files_of`) and the services that write them (`file_services`: `file_add` and
`file_delete`, the pages' own)."""

from types import ModuleType
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.activity_serializers import EvidenceUploadSerializer
from api.errors import valid
from api.fields import ID_SCHEMA, pk_of
from api.report_file_serializers import ReportFileSerializer
from api.uploads import MultipartActions, refuse_oversized
from evaluations.models import ReportFile


class ReportFileActions(MultipartActions):
    file_services: ModuleType
    multipart_actions = frozenset({"file_upload"})

    def files_of(self, subject: Any) -> QuerySet[ReportFile]:
        raise NotImplementedError

    @extend_schema(responses=ReportFileSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        serializer_class=ReportFileSerializer,
        filterset_class=None,
    )
    def files(self, request: Request, pk: str) -> Response:
        """Its evidence files, oldest first."""
        page = self.paginate_queryset(self.files_of(self.get_object()))  # type: ignore[attr-defined]
        return self.get_paginated_response(  # type: ignore[attr-defined]
            ReportFileSerializer(page, many=True).data
        )

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: ReportFileSerializer},
    )
    @files.mapping.post
    def file_upload(self, request: Request, pk: str) -> Response:
        """Attach a photo or document while it is a draft (or returned, or withdrawn): its type
        is judged by its content, as on the page."""
        subject = self.get_object()  # type: ignore[attr-defined]
        refuse_oversized(request._request, "file")
        data = valid(EvidenceUploadSerializer, request.data)
        item = self.file_services.file_add(self.scope, subject, data["file"])  # type: ignore[attr-defined]
        return Response(ReportFileSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("file_pk", ID_SCHEMA, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"files/(?P<file_pk>[^/.]+)",
        url_name="file-delete",
        filterset_class=None,
    )
    def file_delete(self, request: Request, pk: str, file_pk: str) -> Response:
        """Remove one of its files while it is a draft (or returned, or withdrawn)."""
        subject = self.get_object()  # type: ignore[attr-defined]
        found = pk_of(file_pk)
        item = self.files_of(subject).filter(pk=found).first() if found else None
        if item is None:
            raise NotFound()
        self.file_services.file_delete(self.scope, item)  # type: ignore[attr-defined]
        return Response(status=status.HTTP_204_NO_CONTENT)
