import datetime
import ipaddress
import secrets
import time
import zlib

import pytest
from django.test import Client
from django.utils import timezone

from evaluations.services import appraisal_link
from tests.factories import CampaignFactory


def _turns_in(key: str) -> int:
    """Seconds until this limit key's minute turns over: the limits count in fixed windows, and
    django-ratelimit turns a key's minute at the second crc32(key) % 60."""
    return (zlib.crc32(key.encode()) % 60 - int(time.time()) % 60) % 60


def new_address() -> str:
    """A client address no other test uses: the per-address limits count in the shared cache
    (Redis under CI, where the test processes run side by side), so each test is a client of
    its own instead of everyone being 127.0.0.1. An address whose minute turns within the next
    30 s is passed over, so that a burst a test counts is never split across two windows."""
    while True:
        address = "10." + ".".join(str(secrets.randbelow(256)) for _ in range(3))
        if _turns_in(address) > 30:
            return address


def new_ipv6_prefix() -> str:
    """A /64 of its own (the limits' key for an IPv6 client), chosen like new_address."""
    while True:
        prefix = "2001:db8:" + ":".join(f"{secrets.randbelow(65536):x}" for _ in range(2))
        if _turns_in(str(ipaddress.ip_network(f"{prefix}::/64"))) > 30:
            return prefix


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


# The leader comments’ fixtures (follow_up, reported).
from tests.evaluations.comment_fixtures import follow_up, reported  # noqa: E402, F401
