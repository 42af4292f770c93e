"""Scheme editing (evaluations.scoring_services, the scheme page): the default scheme made on
first visit, every check with its message, the lock, and who may (the organising unit's admins
above; not a leader, not an outsider, not anonymous)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import scoring
from evaluations import scoring_services as services
from evaluations.exceptions import NotAllowed
from evaluations.models import RuleKind, ScoringRule, ScoringScheme
from units.scope import Scope

pytestmark = pytest.mark.django_db


def _values(**changes) -> services.SchemeValues:
    rules = [
        services.RuleValues(kind, weight, without, scoring.default_params(kind))
        for kind, weight, without in scoring.DEFAULT_RULES
    ]
    fields = {
        "peer_grouping": "kind_depth",
        "grading": "thresholds",
        "excellent_from": Decimal(90),
        "good_from": Decimal(75),
        "fair_from": Decimal(60),
        "excellent_share": 20,
        "good_share": 40,
        "fair_share": 30,
        "rules": rules,
    }
    fields.update(changes)
    return services.SchemeValues(**fields)


def _post_data(scheme: ScoringScheme, **changes) -> dict:
    data = {
        "peer_grouping": "kind_depth",
        "grading": "thresholds",
        "excellent_from": "90",
        "good_from": "75",
        "fair_from": "60",
        "excellent_share": "20",
        "good_share": "40",
        "fair_share": "30",
    }
    for rule in scheme.rules.all():
        data[f"weight-{rule.kind}"] = str(rule.weight)
        data[f"without-{rule.kind}"] = rule.without_data
        for name, value in scoring.default_params(rule.kind).items():
            data[f"param-{rule.kind}-{name}"] = value
    data.update(changes)
    return data


def test_the_default_scheme_is_made_once_with_every_rule(campaign):
    scheme = services.scheme_default(campaign=campaign)
    again = services.scheme_default(campaign=campaign)
    assert scheme.pk == again.pk
    rules = list(scheme.rules.all())
    assert [r.kind for r in rules] == [k for k, _w, _p in scoring.DEFAULT_RULES]
    assert sum(r.weight for r in rules if r.kind != RuleKind.ADJUSTMENTS) == 100
    services.scheme_check(_values())  # the default passes its own checks


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"excellent_from": Decimal(70)}, "Thresholds descend"),
        ({"fair_from": Decimal(-1)}, "between 0 and 100"),
        ({"excellent_share": 50, "good_share": 40, "fair_share": 20}, "at most 100%"),
        ({"grading": "lottery"}, "how grades are given"),
    ],
)
def test_scheme_checks_say_what_is_wrong(changes, message):
    with pytest.raises(services.SchemeRefused) as refused:
        services.scheme_check(_values(**changes))
    assert message in str(refused.value)


def test_weights_must_add_up_to_100():
    values = _values()
    values.rules[0] = services.RuleValues(RuleKind.TARGETS, Decimal(45), "excluded", {})
    with pytest.raises(services.SchemeRefused) as refused:
        services.scheme_check(values)
    assert "add up to 105" in str(refused.value)


def test_bad_parameters_are_named():
    values = _values()
    values.rules[0] = services.RuleValues(RuleKind.TARGETS, Decimal(40), "excluded", {"cap": "0"})
    with pytest.raises(services.SchemeRefused) as refused:
        services.scheme_check(values)
    assert "Target completion" in str(refused.value)


def test_an_admin_above_updates_the_scheme(tree, campaign, city_admin):
    scheme = services.scheme_default(campaign=campaign)
    values = _values(grading="shares")
    values.rules[0] = services.RuleValues(RuleKind.TARGETS, Decimal(30), "zero", {"cap": "120"})
    values.rules[1] = services.RuleValues(RuleKind.TIMELINESS, Decimal(20), "full", {})
    services.scheme_update(actor=city_admin, scheme=scheme, values=values)
    scheme.refresh_from_db()
    assert scheme.grading == "shares" and scheme.updated_by == city_admin
    targets = ScoringRule.objects.get(scheme=scheme, kind=RuleKind.TARGETS)
    assert (targets.weight, targets.without_data) == (Decimal(30), "zero")
    assert targets.params["cap"] == "120"
    assert scoring.scheme_spec(campaign).rules[1].weight == Decimal(20)


def test_a_locked_scheme_is_refused(tree, campaign, city_admin):
    scheme = services.scheme_default(campaign=campaign)
    ScoringScheme.objects.filter(pk=scheme.pk).update(locked_at=timezone.now())
    with pytest.raises(services.SchemeRefused) as refused:
        services.scheme_update(actor=city_admin, scheme=scheme, values=_values(grading="shares"))
    assert "locked" in str(refused.value)
    scheme.refresh_from_db()
    assert scheme.grading == "thresholds"


def test_an_admin_below_the_organising_unit_may_not(tree, campaign, admin_user, outsider):
    scheme = services.scheme_default(campaign=campaign)
    for user in (admin_user, outsider):
        assert not services.may_edit_scheme(Scope.of(user), campaign)
        with pytest.raises(NotAllowed):
            services.scheme_update(actor=user, scheme=scheme, values=_values())


def test_the_scheme_page_saves_and_shows_messages(client, tree, campaign, city_admin):
    client.force_login(city_admin)
    url = reverse("evaluations:scoring_scheme", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="rule-targets"' in page.content
    # The policies are sentences: radios (a select cuts them on a phone), one of each per rule.
    assert len(re.findall(rb'type="radio"[^>]*name="without-targets"', page.content)) == 3
    scheme = ScoringScheme.objects.get(campaign=campaign)
    bad = client.post(url, _post_data(scheme, **{"weight-targets": "50"}))
    assert bad.status_code == 400
    assert b"they must add up to 100" in bad.content
    good = client.post(url, _post_data(scheme, grading="shares"))
    assert good.status_code == 302
    scheme.refresh_from_db()
    assert scheme.grading == "shares"


def test_the_scheme_page_is_refused_to_others(client, tree, campaign, admin_user, leader):
    url = reverse("evaluations:scoring_scheme", args=[campaign.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (admin_user, leader):
        client.force_login(user)
        assert client.get(url).status_code == 403
    assert not ScoringScheme.objects.exists()
