"""Writes of a campaign's scoring scheme (考核方案): the default scheme made on first visit, and its
editing by the admins of the campaign's organising unit (Role.ADMIN on `campaign.unit` or above:
Scope.can_manage; a superuser). Refused once the scheme is locked (a snapshot exists).

What a valid scheme is, one place (`scheme_check`): the weights of the rules other than
ADJUSTMENTS add up to 100; each weight 0..100; every rule's parameters as
evaluations.scoring.clean_params says; thresholds 0..100 and descending (excellent > good >
fair); shares adding up to at most 100."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import Campaign
from evaluations import scoring
from evaluations.draft_score_triggers import scheme_saved_after_commit
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import (
    GradingMethod,
    PeerGrouping,
    RuleKind,
    ScoringRule,
    ScoringScheme,
    WithoutData,
)
from units.scope import Scope

Who = User | Scope


class SchemeRefused(EvaluationError):
    """The scheme is locked, or the values given break its rules (the messages say which)."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def may_edit_scheme(who: Who, campaign: Campaign) -> bool:
    """An admin of the campaign's organising unit or above it (a superuser too)."""
    return Scope.of(who).can_manage(campaign.unit)


def scheme_default(*, campaign: Campaign) -> ScoringScheme:
    """The campaign's scheme, made with every rule (evaluations.scoring.DEFAULT_RULES) on first
    use. Safe when two first visits race: the loser reads the winner's."""
    found = ScoringScheme.objects.filter(campaign=campaign).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            scheme = ScoringScheme(campaign=campaign)
            scheme.full_clean()
            scheme.save()
            for position, (kind, weight, without_data) in enumerate(scoring.DEFAULT_RULES):
                rule = ScoringRule(
                    scheme=scheme,
                    kind=kind,
                    weight=weight,
                    without_data=without_data,
                    params=scoring.default_params(kind),
                    position=position,
                )
                rule.full_clean()
                rule.save()
            return scheme
    except IntegrityError:
        return ScoringScheme.objects.get(campaign=campaign)


@dataclass(frozen=True)
class RuleValues:
    kind: str
    weight: Decimal
    without_data: str
    params: dict


@dataclass(frozen=True)
class SchemeValues:
    peer_grouping: str
    grading: str
    excellent_from: Decimal
    good_from: Decimal
    fair_from: Decimal
    excellent_share: int
    good_share: int
    fair_share: int
    rules: list[RuleValues]


def scheme_check(values: SchemeValues) -> list[RuleValues]:
    """The rules with their parameters cleaned, or SchemeRefused with every message."""
    errors: list[str] = []
    if values.peer_grouping not in PeerGrouping.values:
        errors.append(_("Choose how peer groups are formed."))
    if values.grading not in GradingMethod.values:
        errors.append(_("Choose how grades are given."))
    kinds = [r.kind for r in values.rules]
    if sorted(kinds) != sorted(RuleKind.values):
        errors.append(_("Every rule appears once."))
    cleaned = []
    for rule in values.rules:
        label = RuleKind(rule.kind).label if rule.kind in RuleKind.values else rule.kind
        if not Decimal(0) <= rule.weight <= Decimal(100):
            errors.append(_("%(rule)s: a weight from 0 to 100.") % {"rule": label})
        if rule.without_data not in WithoutData.values:
            errors.append(
                _("%(rule)s: choose what a unit with nothing to measure gets.") % {"rule": label}
            )
        try:
            params = (
                scoring.clean_params(rule.kind, rule.params) if rule.kind in RuleKind.values else {}
            )
        except ValidationError as error:
            errors += [f"{label}: {message}" for message in error.messages]
            params = {}
        cleaned.append(RuleValues(rule.kind, rule.weight, rule.without_data, params))
    weights = sum((r.weight for r in values.rules if r.kind != RuleKind.ADJUSTMENTS), Decimal(0))
    if weights != 100:
        errors.append(
            _(
                "The weights of the rules other than bonus and deduction items add up to %(sum)s:"
                " they must add up to 100."
            )
            % {"sum": f"{weights.normalize():f}"}
        )
    thresholds = (values.excellent_from, values.good_from, values.fair_from)
    if any(not Decimal(0) <= t <= Decimal(100) for t in thresholds):
        errors.append(_("Thresholds lie between 0 and 100 points."))
    if not values.excellent_from > values.good_from > values.fair_from:
        errors.append(_("Thresholds descend: excellent above good above fair."))
    shares = (values.excellent_share, values.good_share, values.fair_share)
    if any(s < 0 for s in shares) or sum(shares) > 100:
        errors.append(_("The shares of excellent, good and fair add up to at most 100%."))
    if errors:
        raise SchemeRefused(errors)
    return cleaned


@transaction.atomic
def scheme_update(*, actor: Who, scheme: ScoringScheme, values: SchemeValues) -> ScoringScheme:
    """Save new values into the scheme and its rules, all checked first (scheme_check)."""
    scope = Scope.of(actor)
    current = (
        ScoringScheme.objects.select_for_update(of=("self",))
        .select_related("campaign__unit")
        .get(pk=scheme.pk)
    )
    if not may_edit_scheme(scope, current.campaign):
        raise NotAllowed(_("Only an admin of the campaign's organising unit may edit its scheme."))
    if current.is_locked:
        raise SchemeRefused(
            [_("The scheme is locked: a snapshot of the campaign's scores has been taken.")]
        )
    rules = scheme_check(values)
    for name in (
        "peer_grouping",
        "grading",
        "excellent_from",
        "good_from",
        "fair_from",
        "excellent_share",
        "good_share",
        "fair_share",
    ):
        setattr(current, name, getattr(values, name))
    current.updated_by = scope.user
    current.full_clean()
    current.save()
    existing = {r.kind: r for r in current.rules.all()}
    for position, values_of_rule in enumerate(rules):
        rule = existing.get(values_of_rule.kind) or ScoringRule(
            scheme=current, kind=values_of_rule.kind
        )
        rule.weight = values_of_rule.weight
        rule.without_data = values_of_rule.without_data
        rule.params = values_of_rule.params
        rule.position = position
        rule.full_clean()
        rule.save()
    # The kept draft scores follow the new scheme at once, after the commit.
    scheme_saved_after_commit(current.campaign_id)
    return current
