"""Who may do what with leader comments and follow-ups, through the pages: every action for staff,
reviewer, leader, admin (of the subtree and of the city), an outsider (every role on a sibling
subtree, a leader there included) and an anonymous visitor. Out of scope is a 404; a move the
user may not make is a 403 and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evaluations import comment_services
from evaluations.models import FollowUp, FollowUpStatus, LeaderComment, ReportFile
from tests.evaluations.comment_fixtures import days
from tests.factories import pdf_bytes
from units.models import Membership, Role

pytestmark = pytest.mark.django_db

MEMBERS = ["staff", "reviewer", "leader", "admin_user", "city_admin"]


def as_user(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def _comment_data(campaign) -> dict:
    return {"campaign": campaign.pk, "subject": "unit", "text": "很好", "grade": "4"}


@pytest.mark.parametrize("who", MEMBERS)
def test_members_see_the_units_comments_and_follow_ups(request, who, tree, follow_up):
    client = as_user(request.getfixturevalue(who))
    page = client.get(reverse("evaluations:unit_comments", args=[tree.branch_a1.pk]))
    assert page.status_code == 200 and "台账不完整" in page.content.decode()
    assert client.get(reverse("evaluations:follow_up", args=[follow_up.pk])).status_code == 200
    assert client.get(reverse("evaluations:leader_comments")).status_code == 200


def test_an_outsider_gets_404_and_anonymous_the_login(tree, outsider, follow_up, campaign):
    urls = [
        ("get", reverse("evaluations:unit_comments", args=[tree.branch_a1.pk]), {}),
        ("post", reverse("evaluations:unit_comments", args=[tree.branch_a1.pk]), {}),
        ("get", reverse("evaluations:follow_up", args=[follow_up.pk]), {}),
    ] + [
        ("post", reverse(f"evaluations:follow_up_{move}", args=[follow_up.pk]), {"text": "x"})
        for move in ("acknowledge", "report", "close", "send_back")
    ]
    for method, url, data in urls:
        assert getattr(as_user(outsider), method)(url, data).status_code == 404, url
        anonymous = getattr(as_user(None), method)(url, data)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert as_user(None).get(reverse("evaluations:leader_comments")).status_code == 302
    assert LeaderComment.objects.count() == 1
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN


def test_a_leader_of_a_sibling_subtree_cannot_comment(tree, outsider, campaign):
    """The outsider leads committee_b: branch_a1 is not in their subtree (404), branch_b1 is."""
    url = reverse("evaluations:unit_comments", args=[tree.branch_a1.pk])
    assert as_user(outsider).post(url, _comment_data(campaign)).status_code == 404
    mine = reverse("evaluations:unit_comments", args=[tree.committee_b.pk])
    assert as_user(outsider).post(mine, _comment_data(campaign)).status_code == 302


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("staff", False),
        ("reviewer", False),
        ("leader", True),
        ("admin_user", False),
        ("city_admin", False),
        ("superuser", True),
    ],
)
def test_who_may_comment(request, who, allowed, tree, campaign, django_user_model):
    if who == "superuser":
        user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    else:
        user = request.getfixturevalue(who)
    url = reverse("evaluations:unit_comments", args=[tree.branch_a1.pk])
    page = as_user(user).get(url).content.decode()
    assert ('data-testid="comment-form"' in page) is allowed
    response = as_user(user).post(url, _comment_data(campaign))
    assert response.status_code == (302 if allowed else 403)
    assert LeaderComment.objects.filter(author=user).exists() is allowed


@pytest.mark.parametrize(
    "who, allowed",
    [("staff", True), ("reviewer", False), ("leader", False), ("admin_user", False)],
)
def test_who_may_acknowledge_and_report(request, who, allowed, follow_up):
    client = as_user(request.getfixturevalue(who))
    acknowledge = client.post(reverse("evaluations:follow_up_acknowledge", args=[follow_up.pk]))
    assert acknowledge.status_code == (302 if allowed else 403)
    report = client.post(
        reverse("evaluations:follow_up_report", args=[follow_up.pk]), {"text": "已整改"}
    )
    assert report.status_code == (302 if allowed else 403)
    expected = FollowUpStatus.REPORTED if allowed else FollowUpStatus.OPEN
    assert FollowUp.objects.get(pk=follow_up.pk).status == expected


@pytest.mark.parametrize(
    "who, allowed",
    [("staff", False), ("reviewer", False), ("leader", True), ("admin_user", False)],
)
def test_who_may_send_back_and_close(request, who, allowed, reported, staff):
    client = as_user(request.getfixturevalue(who))
    back = client.post(
        reverse("evaluations:follow_up_send_back", args=[reported.pk]), {"reason": "不够"}
    )
    assert back.status_code == (302 if allowed else 403)
    if allowed:
        assert FollowUp.objects.get(pk=reported.pk).status == FollowUpStatus.SENT_BACK
        comment_services.follow_up_report(staff, reported, "再次")
    close = client.post(reverse("evaluations:follow_up_close", args=[reported.pk]))
    assert close.status_code == (302 if allowed else 403)
    expected = FollowUpStatus.CLOSED if allowed else FollowUpStatus.REPORTED
    assert FollowUp.objects.get(pk=reported.pk).status == expected


def test_bad_input_is_a_400_with_the_reason_and_nothing_saved(
    tree, leader, staff, campaign, follow_up
):
    url = reverse("evaluations:unit_comments", args=[tree.branch_a1.pk])
    empty = as_user(leader).post(url, {**_comment_data(campaign), "text": " "})
    assert empty.status_code == 400 and "Write the comment." in empty.content.decode()
    past = as_user(leader).post(
        url, {**_comment_data(campaign), "require_follow_up": "on", "due_on": days(-3)}
    )
    assert past.status_code == 400 and "cannot be due in the past" in past.content.decode()
    no_due = as_user(leader).post(url, {**_comment_data(campaign), "require_follow_up": "on"})
    assert no_due.status_code == 400
    assert LeaderComment.objects.count() == 1
    report = as_user(staff).post(reverse("evaluations:follow_up_report", args=[follow_up.pk]), {})
    assert report.status_code == 400 and "Say what was done." in report.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN


def test_follow_up_files_download_through_the_scoped_view(follow_up, staff, leader, outsider):
    upload = SimpleUploadedFile("整改台账.pdf", pdf_bytes(), "application/pdf")
    comment_services.follow_up_report(staff, follow_up, "见附件", files=[upload])
    item = ReportFile.objects.get(follow_up=follow_up)
    url = reverse("evaluations:report_file", args=[item.pk])
    page = as_user(leader).get(reverse("evaluations:follow_up", args=[follow_up.pk]))
    assert url in page.content.decode()
    download = as_user(leader).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert as_user(outsider).get(url).status_code == 404


def test_a_report_whose_file_is_too_large_is_not_sent(settings, follow_up, staff):
    settings.EVIDENCE_MAX_BYTES = 1000
    big = SimpleUploadedFile("整改台账.pdf", pdf_bytes() + b"%" * 2000, "application/pdf")
    answer = as_user(staff).post(
        reverse("evaluations:follow_up_report", args=[follow_up.pk]),
        {"text": "见附件", "files": [big]},
    )
    assert answer.status_code == 400
    assert "整改台账.pdf" in answer.content.decode()  # named in the refusal
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN
    assert not ReportFile.objects.exists()


def test_an_author_who_is_no_longer_a_leader_there_cannot_close(reported, leader):
    Membership.objects.filter(user=leader, role=Role.LEADER).update(role=Role.REVIEWER)
    close = as_user(leader).post(reverse("evaluations:follow_up_close", args=[reported.pk]))
    assert close.status_code == 403
    assert FollowUp.objects.get(pk=reported.pk).status == FollowUpStatus.REPORTED
