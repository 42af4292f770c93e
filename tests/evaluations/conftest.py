import datetime
import secrets

import pytest
from django.test import Client
from django.utils import timezone

from evaluations.services import appraisal_link
from tests.factories import CampaignFactory


def new_address() -> str:
    """A client address no other test uses: the per-address limits count in the shared cache
    (Redis under CI, where the test processes run side by side), so each test is a client of
    its own instead of everyone being 127.0.0.1."""
    return "10." + ".".join(str(secrets.randbelow(256)) for _ in range(3))


def new_client(language: str = "en") -> Client:
    return Client(REMOTE_ADDR=new_address(), headers={"accept-language": language})


@pytest.fixture
def client() -> Client:
    return new_client()


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


# --- Fulfilment (践诺): an approved set of branch_a1 with one item ------------------------------


@pytest.fixture
def commitment(tree, campaign):
    from tests.evaluations.fulfilment_setup import CommitmentFactory, CommitmentSetFactory

    return CommitmentFactory(set=CommitmentSetFactory(unit=tree.branch_a1, campaign=campaign))
