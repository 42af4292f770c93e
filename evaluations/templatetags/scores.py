"""Template helpers of the draft scores: the most a rule can give a unit once its measured rules
are scaled up (evaluations.scoring.most_points, the one place of that rule)."""

from decimal import Decimal

from django import template

from evaluations import scoring

register = template.Library()


@register.filter
def most_points(rule: scoring.RulePoints, scale: Decimal) -> Decimal:
    return scoring.most_points(rule, scale)
