"""The activity's admin page links an evidence file through the scoped download view, its name
escaped."""

import pytest
from django.urls import reverse

from activities.models import Evidence
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_links_evidence_through_the_scoped_view_with_its_name_escaped(client, draft):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    item = Evidence.objects.create(
        activity=draft,
        campaign=draft.campaign,
        file="x.jpg",
        original_name='<b>"签到表"</b>.jpg',
        content_type="image/jpeg",
        size=1,
        uploaded_by=superuser,
    )
    client.force_login(superuser)

    page = client.get(reverse("admin:activities_activity_change", args=[draft.pk])).content.decode()

    link = reverse("activities:evidence", args=[item.pk])
    assert f'<a href="{link}">&lt;b&gt;&quot;签到表&quot;&lt;/b&gt;.jpg</a>' in page
