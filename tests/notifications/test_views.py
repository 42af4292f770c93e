"""The inbox: only one's own notifications, newest first, unread marked; opening one marks it read
and goes to its subject; the unread count in the navigation costs one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import NotificationEmail
from notifications.models import Notification, Rule
from notifications.services import Notice, notify
from tests.notifications import write
from tests.test_base_ui import _assert_csp_clean

INBOX = reverse("notifications:inbox")


def _rows(user, count: int) -> None:
    notify(
        rule=Rule.RETURNED,
        notices=[
            Notice(user, f"activity:{n}", "1", f"/activities/{n}/", {"activity_title": f"活动{n}"})
            for n in range(count)
        ],
    )


def test_the_inbox_lists_my_notifications_newest_first_with_unread_marked(client, staff, outsider):
    first = write(staff, subject="activity:1", context={"activity_title": "第一个"})
    second = write(staff, subject="activity:2", context={"activity_title": "第二个"})
    write(outsider, subject="activity:3", context={"activity_title": "别人的"})
    Notification.objects.filter(pk=first.pk).update(read_at=second.created_at)
    client.force_login(staff)

    response = client.get(INBOX)

    assert response.status_code == 200
    _assert_csp_clean(response)
    page = response.content.decode()
    assert page.index("第二个") < page.index("第一个")
    assert "别人的" not in page
    assert page.count('data-unread="1"') == 1
    assert f'href="{reverse("notifications:open", args=[second.pk])}"' in page


def test_the_inbox_is_paginated(client, staff):
    _rows(staff, 30)
    client.force_login(staff)

    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()

    assert first.count('data-testid="notification-row"') == 25
    assert second.count('data-testid="notification-row"') == 5
    assert "Page 1 of 2" in first


def test_the_inbox_takes_the_same_queries_for_few_and_many(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    _rows(staff, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INBOX).status_code == 200
    _rows(staff, 60)  # more than a page
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(INBOX).status_code == 200


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_opening_a_notification_marks_it_read_and_goes_to_its_subject(client, staff):
    notification = write(staff, link="/activities/12/")
    client.force_login(staff)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/activities/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    read_at = notification.read_at
    client.get(reverse("notifications:open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == read_at


def test_someone_elses_notification_is_not_found(client, staff, outsider):
    theirs = write(outsider, link="/activities/12/")
    client.force_login(staff)

    response = client.get(reverse("notifications:open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", ""])
def test_a_link_off_the_site_or_missing_leads_back_to_the_inbox(client, staff, link):
    notification = write(staff, link=link)
    client.force_login(staff)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_mark_all_read_marks_only_mine(client, staff, outsider):
    _rows(staff, 3)
    theirs = write(outsider)
    client.force_login(staff)

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"), follow=True)

    assert response.status_code == 200
    assert "All notifications are marked read." in response.content.decode()
    assert not staff.notifications.filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_navigation_shows_the_unread_count(client, staff):
    _rows(staff, 3)
    client.force_login(staff)

    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="inbox-link"' in page
    assert 'data-testid="unread-count">3<' in page

    client.post(reverse("notifications:mark_all_read"))
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="inbox-link"' in page
    assert 'data-testid="unread-count"' not in page


def test_the_unread_count_costs_one_query_and_none_when_signed_out(client, staff):
    _rows(staff, 3)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    counting = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counting) == 1

    client.logout()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("accounts:login")).content.decode()
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert 'data-testid="inbox-link"' not in page


def test_the_profile_sets_how_notifications_are_emailed(client, staff):
    client.force_login(staff)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="notification_email"' in page
    assert staff.notification_email == NotificationEmail.IMMEDIATE

    response = client.post(
        reverse("accounts:profile"),
        {
            "name": staff.name,
            "email": staff.email,
            "phone": "",
            "language": "en",
            "notification_email": NotificationEmail.DIGEST,
        },
    )

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.notification_email == NotificationEmail.DIGEST
    assert write(staff).email_state == "in_digest"
