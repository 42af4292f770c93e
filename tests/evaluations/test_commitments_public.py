"""The public commitment board: anonymous, only approved sets' items with their standing, all text
escaped, no staff names or evidence; an unknown id is a 404; a burst from one address is a 429."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from evaluations import commitment_services as services
from evaluations.models import Commitment
from tests.evaluations.commitment_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.conftest import new_address, new_client

pytestmark = pytest.mark.django_db


def board_url(unit) -> str:
    return reverse("public:board", args=[services.board_for(unit).public_id])


@pytest.fixture
def approved_set(staff, reviewer, tree, running, due):
    commitment_set = services.draft_set(staff, tree.branch_a1, running)
    services.item_add(
        staff,
        commitment_set,
        promise="<script>alert(1)</script>办实事",
        measure="<i>10</i> 件",
        due_on=due,
    )
    services.item_add(staff, commitment_set, promise="走访群众", measure="30 户", due_on=due)
    services.set_submit(staff, commitment_set)
    return services.set_approve(reviewer, commitment_set, 1)


def test_anonymous_see_approved_items_escaped_with_standing(approved_set, tree, staff):
    response = new_client("zh-hans").get(board_url(tree.branch_a1))
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;办实事" in page
    assert "<script>" not in page and "<i>10</i>" not in page
    assert page.count('data-testid="board-item"') == 2
    assert "即将到期" in page
    assert tree.branch_a1.name in page and approved_set.campaign.name in page
    assert staff.username not in page and (not staff.last_name or staff.last_name not in page)


def test_only_approved_sets_are_shown(submitted_set, tree, staff):
    page = new_client().get(board_url(tree.branch_a1)).content.decode()
    assert "每月开展一次主题党日" not in page and 'data-testid="board-empty"' in page


def test_standing_fulfilled_overdue(approved_set, tree):
    first, second = approved_set.items.order_by("position")
    Commitment.objects.filter(pk=first.pk).update(fulfilled_at=timezone.now())
    Commitment.objects.filter(pk=second.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = new_client().get(board_url(tree.branch_a1)).content.decode()
    assert "Fulfilled on" in page and "Overdue" in page


def test_an_item_never_fulfilled_in_a_finished_campaign_is_not_kept(approved_set, tree):
    _first, second = approved_set.items.order_by("position")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Commitment.objects.filter(pk=second.pk).update(due_on=yesterday - datetime.timedelta(days=1))
    Campaign.objects.filter(pk=approved_set.campaign_id).update(ends_on=yesterday)
    page = new_client("zh-hans").get(board_url(tree.branch_a1)).content.decode()
    assert "未践诺" in page and "已超期" not in page


def test_an_unknown_id_is_a_404():
    assert new_client().get(reverse("public:board", args=["no-such-board"])).status_code == 404


def test_a_burst_from_one_address_is_a_429_in_chinese(settings, approved_set, tree):
    settings.PUBLIC_PAGE_RATE = "3/m"
    address = new_address()
    url = board_url(tree.branch_a1)
    codes = []
    for _n in range(5):
        from django.test import Client

        client = Client(REMOTE_ADDR=address, headers={"accept-language": "zh-hans"})
        codes.append(client.get(url).status_code)
    assert codes == [200, 200, 200, 429, 429]
    refused = Client(REMOTE_ADDR=address, headers={"accept-language": "zh-hans"}).get(url)
    assert refused["Retry-After"] == "60" and "请稍后再试" in refused.content.decode()


def test_the_printed_board_points_to_the_public_board(settings, approved_set, tree, staff):
    settings.SITE_URL = "https://cx.example.cn"
    client = new_client()
    client.force_login(staff)
    page = client.get(
        reverse("evaluations:board_print", args=[tree.branch_a1.pk, approved_set.campaign_id])
    ).content.decode()
    assert "https://cx.example.cn" + board_url(tree.branch_a1) in page
    assert "data:image/svg+xml" in page and page.count("<tr>") == 3
