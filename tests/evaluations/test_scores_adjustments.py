"""Bonus and deduction items (evaluations.adjustment_services and their pages): a bonus claimed
by the unit's staff, a deduction entered by an admin above, both reviewed through
evaluations.review with an event per move; who may (staff, reviewer above, admin above,
outsider, anonymous); only approved items count in the scores."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Action, Status
from evaluations import adjustment_services as services
from evaluations import scoring
from evaluations.exceptions import NotAllowed, TransitionRefused
from evaluations.models import Adjustment, ReportFile, ReviewEvent
from tests.evaluations.conftest import new_client
from tests.factories import MembershipFactory, UserFactory, pdf_bytes
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def bonus(tree, running, staff):
    return services.adjustment_create(
        actor=staff, unit=tree.branch_a1, campaign=running, points=Decimal(3), reason="市级表彰"
    )


def test_staff_claim_a_bonus_and_a_reviewer_above_approves_it(
    tree, running, staff, reviewer, bonus
):
    assert bonus.status == Status.DRAFT
    services.adjustment_submit(actor=staff, item=bonus)
    bonus.refresh_from_db()
    assert bonus.status == Status.SUBMITTED and bonus.review_unit == tree.committee_a
    services.adjustment_approve(actor=reviewer, item=bonus, level=1)
    bonus.refresh_from_db()
    assert bonus.status == Status.APPROVED
    events = list(ReviewEvent.objects.filter(adjustment=bonus).values_list("action", "actor"))
    assert events == [(Action.SUBMIT, staff.pk), (Action.APPROVE, reviewer.pk)]
    assert scoring.adjustment_sums(running, [tree.branch_a1.pk]) == {
        tree.branch_a1.pk: (Decimal(3), 1)
    }


def test_a_returned_bonus_does_not_count(tree, running, staff, reviewer, bonus):
    services.adjustment_submit(actor=staff, item=bonus)
    services.adjustment_return(actor=reviewer, item=bonus, level=1, reason="证明不足")
    bonus.refresh_from_db()
    assert bonus.status == Status.RETURNED and bonus.return_reason == "证明不足"
    assert ReviewEvent.objects.filter(adjustment=bonus, action=Action.RETURN).count() == 1
    assert scoring.adjustment_sums(running, [tree.branch_a1.pk]) == {}


def test_only_staff_claim_a_bonus(tree, running, reviewer, outsider, admin_user):
    for user in (reviewer, outsider, admin_user):
        with pytest.raises(NotAllowed):
            services.adjustment_create(
                actor=user, unit=tree.branch_a1, campaign=running, points=Decimal(1), reason="r"
            )
    assert not Adjustment.objects.exists()


def test_an_admin_above_enters_a_deduction_reviewed_by_someone_else(
    tree, running, staff, admin_user, reviewer
):
    with pytest.raises(NotAllowed):
        services.adjustment_create(
            actor=staff, unit=tree.branch_a1, campaign=running, points=Decimal(-1), reason="r"
        )
    item = services.adjustment_create(
        actor=admin_user, unit=tree.branch_a1, campaign=running, points=Decimal(-2), reason="迟报"
    )
    services.adjustment_submit(actor=admin_user, item=item)
    MembershipFactory(user=admin_user, unit=tree.committee_a, role=Role.REVIEWER)
    with pytest.raises(NotAllowed):  # its author does not review it
        services.adjustment_approve(actor=admin_user, item=item, level=1)
    services.adjustment_approve(actor=reviewer, item=item, level=1)
    item.refresh_from_db()
    assert item.status == Status.APPROVED


def test_zero_points_or_no_reason_are_refused(tree, running, staff):
    for points, reason in ((Decimal(0), "r"), (Decimal(1), "  ")):
        with pytest.raises(services.AdjustmentRefused):
            services.adjustment_create(
                actor=staff, unit=tree.branch_a1, campaign=running, points=points, reason=reason
            )


def test_points_beyond_the_schemes_range_are_refused(tree, running, staff, bonus):
    # The default scheme counts bonus and deduction items up to ± 5 (its ADJUSTMENTS weight).
    for points in (Decimal(99), Decimal("5.01")):
        with pytest.raises(services.AdjustmentRefused, match="from -5 to 5"):
            services.adjustment_create(
                actor=staff, unit=tree.branch_a1, campaign=running, points=points, reason="r"
            )
    with pytest.raises(services.AdjustmentRefused):
        services.adjustment_update(actor=staff, item=bonus, points=Decimal(6), reason="r")
    bonus.refresh_from_db()
    assert bonus.points == 3 and Adjustment.objects.count() == 1
    services.adjustment_create(
        actor=staff, unit=tree.branch_a1, campaign=running, points=Decimal(5), reason="r"
    )


def test_the_page_refuses_points_beyond_the_range_beside_what_was_typed(tree, running, staff):
    url = reverse("evaluations:unit_adjustments", args=[running.pk, tree.branch_a1.pk])
    for language, said in (("en", "from -5 to 5"), ("zh-hans", "-5 至 5")):
        client = new_client(language)
        client.force_login(staff)
        response = client.post(url, {"points": "99", "reason": "获市级表彰"})
        assert response.status_code == 400
        assert said in response.context["form"].errors["points"][0]
        assert b'value="99"' in response.content and "获市级表彰" in response.text
    assert not Adjustment.objects.exists()


def test_staff_delete_a_draft_never_submitted(
    client, tree, running, staff, outsider, bonus, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("表彰文件.pdf", pdf_bytes(), content_type="application/pdf")
    stored = services.adjustment_file_add(actor=staff, item=bonus, upload=upload)
    assert stored.file.storage.exists(stored.file.name)
    url = reverse("evaluations:adjustment_delete", args=[bonus.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    client.force_login(staff)
    page = client.get(reverse("evaluations:adjustment", args=[bonus.pk]))
    assert b'data-testid="delete"' in page.content
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("evaluations:unit_adjustments", args=[running.pk, bonus.unit_id])
    assert not Adjustment.objects.filter(pk=bonus.pk).exists()
    assert not ReportFile.objects.exists() and not stored.file.storage.exists(stored.file.name)


def test_an_item_once_submitted_is_not_deleted(client, tree, running, staff, reviewer, bonus):
    services.adjustment_submit(actor=staff, item=bonus)
    with pytest.raises(TransitionRefused):
        services.adjustment_delete(actor=staff, item=bonus)
    services.adjustment_withdraw(actor=staff, item=bonus)  # a draft again, with its history
    with pytest.raises(TransitionRefused):
        services.adjustment_delete(actor=staff, item=bonus)
    with pytest.raises(NotAllowed):
        services.adjustment_delete(actor=reviewer, item=bonus)
    client.force_login(staff)
    url = reverse("evaluations:adjustment_delete", args=[bonus.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 302  # back to the item, with the refusal
    assert Adjustment.objects.filter(pk=bonus.pk).exists()


def test_the_unit_page_adds_a_draft(client, tree, running, staff):
    client.force_login(staff)
    url = reverse("evaluations:unit_adjustments", args=[running.pk, tree.branch_a1.pk])
    response = client.post(url, {"points": "2", "reason": "获市级表彰"})
    item = Adjustment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "evaluations:adjustment", args=[item.pk]
    )
    assert (item.points, item.status, item.created_by) == (Decimal(2), Status.DRAFT, staff)
    page = client.get(response.url)
    assert page.status_code == 200 and b'data-testid="submit"' in page.content


def test_pages_are_scoped(client, tree, running, staff, outsider, bonus):
    item_url = reverse("evaluations:adjustment", args=[bonus.pk])
    unit_url = reverse("evaluations:unit_adjustments", args=[running.pk, tree.branch_a1.pk])
    assert client.get(item_url).status_code == 302  # anonymous: to the login page
    assert client.post(reverse("evaluations:adjustment_submit", args=[bonus.pk])).status_code == 302
    client.force_login(outsider)
    assert client.get(item_url).status_code == 404
    assert client.get(unit_url).status_code == 404
    assert client.post(reverse("evaluations:adjustment_submit", args=[bonus.pk])).status_code == 404
    bonus.refresh_from_db()
    assert bonus.status == Status.DRAFT


def test_a_viewer_who_may_not_act_is_refused(client, tree, running, leader, bonus):
    client.force_login(leader)
    response = client.post(reverse("evaluations:adjustment_submit", args=[bonus.pk]))
    assert response.status_code == 403
    bonus.refresh_from_db()
    assert bonus.status == Status.DRAFT
    assert not ReviewEvent.objects.filter(adjustment=bonus).exists()


def test_the_queue_lists_items_waiting_for_the_reviewer(
    client, tree, running, staff, reviewer, bonus
):
    services.adjustment_submit(actor=staff, item=bonus)
    client.force_login(reviewer)
    page = client.get(reverse("evaluations:adjustment_queue"))
    assert page.status_code == 200 and page.content.count(b'data-testid="queue-row"') == 1
    client.force_login(UserFactory())
    assert client.get(reverse("evaluations:adjustment_queue")).status_code == 403


def test_a_reviewer_approves_on_the_page_and_a_stale_level_is_refused(
    client, tree, running, staff, reviewer, bonus
):
    services.adjustment_submit(actor=staff, item=bonus)
    client.force_login(reviewer)
    page = client.get(reverse("evaluations:adjustment", args=[bonus.pk]))
    assert b'data-testid="approve"' in page.content
    url = reverse("evaluations:adjustment_approve", args=[bonus.pk])
    client.post(url, {"level": "2"})
    bonus.refresh_from_db()
    assert bonus.status == Status.SUBMITTED
    client.post(url, {"level": "1", "comment": "属实"})
    bonus.refresh_from_db()
    assert bonus.status == Status.APPROVED
    assert ReviewEvent.objects.get(adjustment=bonus, action=Action.APPROVE).comment == "属实"


def test_evidence_is_checked_by_content(client, tree, running, staff, bonus):
    client.force_login(staff)
    url = reverse("evaluations:adjustment_upload", args=[bonus.pk])
    good = SimpleUploadedFile("表彰文件.pdf", pdf_bytes(), content_type="application/pdf")
    fake = SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"files": [good, fake]})
    assert response.status_code == 302
    stored = ReportFile.objects.filter(adjustment=bonus)
    assert [f.original_name for f in stored] == ["表彰文件.pdf"]
    page = client.get(reverse("evaluations:adjustment", args=[bonus.pk]))
    assert "伪装.pdf" in page.content.decode()  # named in the refusal
    file_url = reverse("evaluations:report_file", args=[ReportFile.objects.get().pk])
    served = client.get(file_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"%PDF")
    client.force_login(UserFactory())
    assert client.get(file_url).status_code == 404
