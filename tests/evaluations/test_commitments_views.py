"""Who may do what on a unit's commitments page, its item forms, the set's review, the queue and
the printable board: staff edit and submit; reviewers approve or return with a reason; leaders
and admins above read; an outsider gets a 404 and an anonymous visitor the login page."""

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Status
from evaluations import commitment_services as services
from evaluations.models import CommitmentSet
from tests.conftest import _member
from tests.evaluations.commitment_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.conftest import new_client
from tests.factories import UnitFactory
from units.models import Role

pytestmark = pytest.mark.django_db

READERS = ["staff", "reviewer", "leader", "admin_user", "city_admin"]


def as_user(user) -> Client:
    client = new_client()
    if user is not None:
        client.force_login(user)
    return client


def page(commitment_set) -> str:
    return reverse(
        "evaluations:commitments", args=[commitment_set.unit_id, commitment_set.campaign_id]
    )


def fresh(commitment_set) -> CommitmentSet:
    return CommitmentSet.objects.get(pk=commitment_set.pk)


@pytest.mark.parametrize("who", READERS)
def test_everyone_on_or_above_the_unit_reads_the_page_and_the_board(request, who, submitted_set):
    client = as_user(request.getfixturevalue(who))
    response = client.get(page(submitted_set))
    assert response.status_code == 200
    assert "每月开展一次主题党日" in response.content.decode()
    printable = reverse(
        "evaluations:board_print", args=[submitted_set.unit_id, submitted_set.campaign_id]
    )
    board = client.get(printable)
    assert board.status_code == 200 and b"data:image/svg+xml" in board.content


def test_outsider_404_anonymous_login_everywhere(outsider, draft_set):
    item = draft_set.items.first()
    unit, campaign = draft_set.unit_id, draft_set.campaign_id
    gets = [
        page(draft_set),
        reverse("evaluations:unit_commitments", args=[unit]),
        reverse("evaluations:commitment_add", args=[unit, campaign]),
        reverse("evaluations:commitment_edit", args=[item.pk]),
        reverse("evaluations:commitment_delete", args=[item.pk]),
        reverse("evaluations:board_print", args=[unit, campaign]),
    ]
    posts = [
        reverse("evaluations:commitment_move", args=[item.pk]),
        reverse("evaluations:set_submit", args=[draft_set.pk]),
        reverse("evaluations:set_withdraw", args=[draft_set.pk]),
        reverse("evaluations:set_approve", args=[draft_set.pk]),
        reverse("evaluations:set_return", args=[draft_set.pk]),
    ]
    for address in gets:
        assert as_user(outsider).get(address).status_code == 404, address
        anonymous = as_user(None).get(address)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for address in posts:
        assert as_user(outsider).post(address, {"level": 1, "reason": "x"}).status_code == 404
        assert as_user(None).post(address, {"level": 1}).status_code == 302
    queue = reverse("evaluations:commitment_queue")
    assert as_user(None).get(queue).status_code == 302
    assert fresh(draft_set).status == Status.DRAFT and draft_set.items.count() == 2


def test_staff_add_edit_delete_and_submit_through_the_pages(staff, tree, running, due):
    client = as_user(staff)
    add = reverse("evaluations:commitment_add", args=[tree.branch_a1.pk, running.pk])
    assert client.get(add).status_code == 200
    response = client.post(add, {"promise": "<b>办实事</b>", "measure": "10 件", "due_on": due})
    assert response.status_code == 302
    commitment_set = CommitmentSet.objects.get(unit=tree.branch_a1, campaign=running)
    item = commitment_set.items.get()
    bad = client.post(
        reverse("evaluations:commitment_edit", args=[item.pk]),
        {"promise": "x", "measure": "y", "due_on": "2001-01-01"},
    )
    assert bad.status_code == 400 and "within the campaign" in bad.content.decode()
    client.post(
        reverse("evaluations:commitment_edit", args=[item.pk]),
        {"promise": "办实事", "measure": "12 件", "due_on": due},
    )
    assert commitment_set.items.get().measure == "12 件"
    shown = client.get(page(commitment_set)).content.decode()
    assert "<b>办实事" not in shown
    client.post(reverse("evaluations:set_submit", args=[commitment_set.pk]))
    assert fresh(commitment_set).status == Status.SUBMITTED
    client.post(reverse("evaluations:set_withdraw", args=[commitment_set.pk]))
    assert fresh(commitment_set).status == Status.DRAFT
    client.post(reverse("evaluations:commitment_delete", args=[item.pk]))
    assert not commitment_set.items.exists()


def test_staff_delete_the_only_item_of_a_new_draft_from_its_page(staff, tree, running, due):
    client = as_user(staff)
    add = reverse("evaluations:commitment_add", args=[tree.branch_a1.pk, running.pk])
    client.post(add, {"promise": "办实事", "measure": "10 件", "due_on": due})
    commitment_set = CommitmentSet.objects.get(unit=tree.branch_a1, campaign=running)
    item = commitment_set.items.get()
    delete = reverse("evaluations:commitment_delete", args=[item.pk])
    assert delete.encode() in client.get(page(commitment_set)).content  # the button is there
    assert client.get(delete).status_code == 200  # the confirmation
    response = client.post(delete)
    assert response.status_code == 302 and response.url == page(commitment_set)
    assert not commitment_set.items.exists() and fresh(commitment_set).status == Status.DRAFT
    assert "The commitment was deleted." in client.get(response.url).content.decode()


@pytest.mark.parametrize("who", ["reviewer", "leader", "admin_user", "city_admin"])
def test_only_staff_change_items(request, who, draft_set, due):
    client = as_user(request.getfixturevalue(who))
    item = draft_set.items.first()
    add = reverse("evaluations:commitment_add", args=[draft_set.unit_id, draft_set.campaign_id])
    data = {"promise": "x", "measure": "y", "due_on": due}
    assert client.post(add, data).status_code == 403
    assert (
        client.post(reverse("evaluations:commitment_edit", args=[item.pk]), data).status_code == 403
    )
    assert client.post(reverse("evaluations:commitment_delete", args=[item.pk])).status_code == 403
    assert client.post(reverse("evaluations:commitment_move", args=[item.pk])).status_code == 403
    assert client.post(reverse("evaluations:set_submit", args=[draft_set.pk])).status_code == 403
    assert draft_set.items.count() == 2 and fresh(draft_set).status == Status.DRAFT


@pytest.mark.parametrize("who", ["staff", "leader", "admin_user", "city_admin"])
def test_only_reviewers_approve_or_return(request, who, submitted_set):
    client = as_user(request.getfixturevalue(who))
    approve = reverse("evaluations:set_approve", args=[submitted_set.pk])
    send_back = reverse("evaluations:set_return", args=[submitted_set.pk])
    assert client.post(approve, {"level": 1}).status_code == 403
    assert client.post(send_back, {"level": 1, "reason": "不行"}).status_code == 403
    assert "review-box" not in client.get(page(submitted_set)).content.decode()
    assert fresh(submitted_set).status == Status.SUBMITTED


def test_reviewer_returns_with_reason_shown_to_staff_then_approves(reviewer, staff, submitted_set):
    client = as_user(reviewer)
    assert 'data-testid="review-box"' in client.get(page(submitted_set)).content.decode()
    send_back = reverse("evaluations:set_return", args=[submitted_set.pk])
    client.post(send_back, {"level": 1, "reason": ""})
    assert fresh(submitted_set).status == Status.SUBMITTED  # a reason is required
    client.post(send_back, {"level": 1, "reason": "<script>措施不具体</script>"})
    assert fresh(submitted_set).status == Status.RETURNED
    shown = as_user(staff).get(page(submitted_set)).content.decode()
    assert "&lt;script&gt;措施不具体" in shown and 'data-testid="return-reason"' in shown
    services.set_submit(staff, submitted_set)
    client.post(reverse("evaluations:set_approve", args=[submitted_set.pk]), {"level": 1})
    assert fresh(submitted_set).status == Status.APPROVED


def test_a_stale_level_is_refused_with_a_message(reviewer, submitted_set):
    response = as_user(reviewer).post(
        reverse("evaluations:set_approve", args=[submitted_set.pk]), {"level": 2}, follow=True
    )
    assert response.status_code == 200
    assert fresh(submitted_set).status == Status.SUBMITTED


def test_the_queue_lists_waiting_sets_for_reviewers_only(reviewer, staff, outsider, submitted_set):
    queue = reverse("evaluations:commitment_queue")
    shown = as_user(reviewer).get(queue)
    assert shown.status_code == 200 and "机关第一党支部" in shown.content.decode()
    assert as_user(staff).get(queue).status_code == 403
    assert "机关第一党支部" not in as_user(outsider).get(queue).content.decode()


def test_both_review_queues_are_tabs_of_the_menus_review_entry(reviewer):
    activities, commitments = reverse("activities:queue"), reverse("evaluations:commitment_queue")
    for url in (activities, commitments):
        page = as_user(reviewer).get(url).content.decode()
        tabs = page[page.index('data-testid="review-tabs"') :]
        assert activities in tabs and commitments in tabs
        # The menu's "Review" entry is the current one on both.
        assert f'active" aria-current="page" href="{activities}"' in page


def test_the_queue_costs_constant_queries(
    reviewer, tree, running, due, django_assert_max_num_queries
):
    client = as_user(reviewer)
    queue = reverse("evaluations:commitment_queue")

    def add_sets(n):
        for index in range(n):
            unit = UnitFactory(parent=tree.committee_a, code=f"Q{CommitmentSet.objects.count()}")
            unit.refresh_from_db()
            own = _member(unit, Role.STAFF, f"staff_{unit.code}_{index}")
            commitment_set = services.draft_set(own, unit, running)
            services.item_add(own, commitment_set, promise="x", measure="y", due_on=due)
            services.set_submit(own, commitment_set)

    add_sets(1)
    client.get(queue)
    with django_assert_max_num_queries(12) as small:
        assert client.get(queue).status_code == 200
    add_sets(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(queue)
    assert response.content.decode().count('data-testid="queue-row"') == 7
