"""An evidence file of a fulfilment report, a follow-up's report, a score objection or an honour
application (evaluations.models.ReportFile) as the API shows it."""

from django.urls import reverse
from rest_framework import serializers

from evaluations.models import ReportFile


class ReportFileSerializer(serializers.ModelSerializer):
    """An evidence file; `url` serves its bytes."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ("id", "original_name", "content_type", "size", "created_at", "url")
        read_only_fields = fields

    def get_url(self, item: ReportFile) -> str:
        return reverse("api:report-file-file", args=[item.pk])
