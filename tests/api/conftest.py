"""The API's tests: clients that authenticate with a token, as a program would."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities import services
from activities.models import Activity
from tests.evaluations.conftest import new_address


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    """The request limits count in the cache: each test starts with none used, in a cache of
    its process (the tests' workers would otherwise clear one another's Redis), and high rates
    unless it sets its own."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    }
    settings.API_USER_RATE = "10000/hour"
    settings.API_ANON_RATE = "10000/hour"
    cache.clear()
    yield
    cache.clear()


def client_for(user=None, language: str = "en") -> APIClient:
    client = APIClient(headers={"accept-language": language})
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """`api(user)`: a client authenticated as `user` by a token (`api()`: anonymous)."""
    return client_for


@pytest.fixture
def anonymous(api):
    """An anonymous client from an address of its own (the public endpoints limit by address)."""
    client = api()
    client.defaults["REMOTE_ADDR"] = new_address()
    return client


@pytest.fixture
def submitted(draft, staff) -> Activity:
    return services.activity_submit(actor=staff, activity=draft)


@pytest.fixture
def approved(submitted, reviewer) -> Activity:
    return services.activity_approve(actor=reviewer, activity=submitted, level=1)


# The evaluations' fixtures the API's tests share with the pages' tests: a running campaign of the
# city, branch_a1's draft and submitted commitment sets, its appraisal link, a leader's comment
# with its follow-up.
from tests.evaluations.comment_fixtures import follow_up, reported  # noqa: E402, F401
from tests.evaluations.commitment_fixtures import (  # noqa: E402, F401
    draft_set,
    due,
    running,
    submitted_set,
)
from tests.evaluations.conftest import link  # noqa: E402, F401
