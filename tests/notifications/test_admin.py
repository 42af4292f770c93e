"""Notifications in the admin are read-only, deletion included: a row is the exactly-once claim."""

import pytest
from django.urls import reverse

from notifications.models import Notification, Rule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_notification_is_not_deleted_in_the_admin(client, staff):
    notification = Notification.objects.create(
        recipient=staff, rule=Rule.RETURNED, subject="activity:1", period="1"
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:notifications_notification_delete", args=[notification.pk]),
        {"post": "yes"},
    )

    assert response.status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()
    page = client.get(reverse("admin:notifications_notification_changelist"))
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
