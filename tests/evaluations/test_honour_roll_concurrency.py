"""Two commendations at once: of one round, one wins and the other is refused; of two rounds in
the same year, certificate numbers never collide (the year's numbering is taken one after the
other). Needs PostgreSQL, like test_standing_concurrency."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from evaluations import honour_roll_services as services
from evaluations.exceptions import EvaluationError
from evaluations.models import Honour
from tests.evaluations.honour_roll_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_roll_fixtures import (
    ApplicationFactory,
    HonourRoundFactory,
    publish_in_past,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("needs_postgresql")]


def _at_once(rounds, actor) -> list[Exception]:
    barrier = threading.Barrier(len(rounds))
    errors: list[Exception] = []

    def commend(honour_round) -> None:
        try:
            barrier.wait()
            services.round_commend(
                actor=actor,
                honour_round=honour_round,
                document_number="阜党发〔2010〕7号",
                decided_on=timezone.localdate(),
            )
        except Exception as error:  # the test reports whatever went wrong
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commend, args=(each,)) for each in rounds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_one_round_commended_twice_at_once_is_commended_once(city_admin, honour_round, shortlist):
    publish_in_past(honour_round, days_ago=20)
    errors = _at_once([honour_round, honour_round], city_admin)
    assert len(errors) == 1 and isinstance(errors[0], EvaluationError)
    assert Honour.objects.count() == 2


def test_two_rounds_commended_at_once_number_their_certificates_apart(
    city_admin, campaign, honour_round, shortlist, pioneer, tree
):
    other = HonourRoundFactory(campaign=campaign, created_by=city_admin)
    for _n in range(3):
        ApplicationFactory(round=other, category=pioneer, unit=tree.union_a2)
    for each in (honour_round, other):
        publish_in_past(each, days_ago=20)
    assert _at_once([honour_round, other], city_admin) == []
    year = timezone.localdate().year
    numbers = sorted(Honour.objects.values_list("number", flat=True))
    assert numbers == [f"{year}-{n:04d}" for n in range(1, 6)]
