"""Two reviewers of one level recommending at once cannot pass its quota: the round's row lock
puts one after the other, and the second finds the quota used.

Needs PostgreSQL (SQLite lets one writer in at a time); `.ci/run` sets CHUANGXIAN_REQUIRE_POSTGRES
so that there the test fails instead of skipping."""

import threading

import pytest
from django.db import connections

from evaluations import honour_services as services
from evaluations.models import Application, ApplicationStatus, Recommendation
from tests.conftest import _member
from tests.evaluations.honour_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_fixtures import apply
from units.models import Role, UnitKind

pytestmark = pytest.mark.usefixtures("needs_postgresql")


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_stay_within_the_quota(
    honour_round, city_admin, union_staff, reviewer, city_reviewer, tree, pioneer
):
    services.quota_set(
        city_admin,
        honour_round,
        category=pioneer,
        unit_kind=UnitKind.PARTY_WORKING_COMMITTEE,
        count=1,
    )
    second_reviewer = _member(tree.committee_a, Role.REVIEWER, "reviewer_a_2")
    made = [apply(union_staff, honour_round, tree.union_a2, pioneer, n) for n in ("一班", "二班")]
    for application in made:
        services.application_submit(union_staff, application)
    barrier = threading.Barrier(2)
    refused: list[Exception] = []
    errors: list[Exception] = []

    def recommend(who, pk: int) -> None:
        try:
            barrier.wait()
            services.application_recommend(who, Application.objects.get(pk=pk), level=1)
        except services.QuotaExceeded as error:
            refused.append(error)
        except Exception as error:  # the test reports whatever else went wrong
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=recommend, args=(who, application.pk))
        for who, application in zip((reviewer, second_reviewer), made, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(refused) == 1
    assert Recommendation.objects.filter(action="recommend").count() == 1
    levels = sorted(Application.objects.values_list("level", flat=True))
    assert levels == [1, 2]
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.WAITING}
