import pytest
from django.core.management import call_command

from accounts.models import User
from chuangxian.demo import DEMO_PASSWORD, DEMO_UNITS, DEMO_USERS
from units.models import Line, Membership, Pair, Role, Unit


@pytest.fixture
def seeded(db):
    call_command("seed_demo")


def test_it_builds_the_city_with_every_line(seeded):
    assert Unit.objects.count() == len(DEMO_UNITS)
    assert set(Unit.objects.values_list("line", flat=True)) == set(Line.values)
    city = Unit.objects.get(code="FK")
    assert Unit.objects.get_parent(city).code == "CJZ"
    assert Pair.objects.count() == 3


def test_it_is_idempotent(seeded):
    counts = (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Pair.objects.count(),
    )

    call_command("seed_demo")

    assert (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Pair.objects.count(),
    ) == counts


def test_it_has_every_role_at_more_than_one_level(seeded):
    for role in Role.values:
        depths = set(Membership.objects.filter(role=role).values_list("unit__depth", flat=True))
        assert len(depths) >= 2, role


def test_every_demo_login_works(seeded, client):
    for username, _name, _roles in DEMO_USERS:
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.post("/accounts/logout/")
