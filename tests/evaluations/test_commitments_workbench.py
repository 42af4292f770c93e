"""The workbench's commitment entries: staff see the running campaigns whose set is not started,
a draft or returned; reviewers see how many sets wait for them and the oldest; both cost a
constant number of queries."""

import pytest
from django.urls import reverse

from evaluations import commitment_selectors as selectors
from evaluations import commitment_services as services
from tests.conftest import _member
from tests.evaluations.commitment_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.conftest import new_client
from tests.factories import UnitFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def home(user) -> str:
    client = new_client("en")
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_staff_see_sets_to_draft_until_submitted(staff, reviewer, tree, running, due):
    rows = selectors.to_draft(staff)
    assert [(r.unit, r.campaign, r.commitment_set) for r in rows] == [
        (tree.branch_a1, running, None)
    ]
    assert 'data-testid="commitments-to-draft"' in home(staff)
    commitment_set = services.draft_set(staff, tree.branch_a1, running)
    services.item_add(staff, commitment_set, promise="x", measure="y", due_on=due)
    assert selectors.to_draft(staff)[0].commitment_set == commitment_set
    services.set_submit(staff, commitment_set)
    assert selectors.to_draft(staff) == []
    services.set_return(reviewer, commitment_set, 1, "请具体")
    page = home(staff)
    assert "请具体" in page and 'data-testid="commitments-to-draft"' in page


def test_reviewers_see_the_count_and_the_oldest(reviewer, submitted_set, outsider):
    summary = selectors.queue_summary(reviewer)
    assert summary.count == 1 and summary.rows[0].item == submitted_set
    page = home(reviewer)
    assert 'data-testid="commitment-review-count">1<' in page
    assert selectors.queue_summary(outsider).count == 0


def test_the_entries_cost_constant_queries(
    reviewer, tree, running, due, django_assert_num_queries, django_assert_max_num_queries
):
    def add(n):
        for index in range(n):
            unit = UnitFactory(parent=tree.committee_a, code=f"W{index}{n}")
            unit.refresh_from_db()
            own = _member(unit, Role.STAFF, f"w_staff_{index}_{n}")
            commitment_set = services.draft_set(own, unit, running)
            services.item_add(own, commitment_set, promise="x", measure="y", due_on=due)
            services.set_submit(own, commitment_set)

    add(1)
    selectors.queue_summary(reviewer)
    with django_assert_max_num_queries(8) as few:
        selectors.queue_summary(reviewer)
    add(8)
    with django_assert_num_queries(len(few.captured_queries)):
        assert selectors.queue_summary(reviewer).count == 9
