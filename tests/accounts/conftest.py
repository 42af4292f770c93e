import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="wang_fang", name="王芳", email="wang.fang@example.gov.cn")


@pytest.fixture
def form_client() -> Client:
    """A client that, like a browser, must bring the CSRF token the form hands out."""
    return Client(enforce_csrf_checks=True)
