import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from evaluations.services import appraisal_link
from tests.factories import CampaignFactory


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The public pages' per-address limits count in the cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def running(tree):
    """A campaign of the city running today."""
    today = timezone.localdate()
    return CampaignFactory(
        unit=tree.city,
        name="党群共建创先争优（进行中）",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=60),
    )


@pytest.fixture
def link(tree, running):
    return appraisal_link(tree.branch_a1, running)
