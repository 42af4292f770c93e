"""The scheme editing form: the scheme's own fields, then per rule its weight, what a unit with
nothing to measure gets, and its parameters (evaluations.scoring.PARAMS). Field names carry the
rule's kind: `weight-targets`, `without-targets`, `param-targets-cap`. The checks of a whole
scheme are scoring_services.scheme_check's (one place); this form checks only the shapes."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from evaluations import scoring
from evaluations.models import (
    GradingMethod,
    PeerGrouping,
    RuleKind,
    ScoringRule,
    ScoringScheme,
    WithoutData,
)
from evaluations.scoring_services import RuleValues, SchemeValues

SCHEME_FIELDS = (
    "peer_grouping",
    "grading",
    "excellent_from",
    "good_from",
    "fair_from",
    "excellent_share",
    "good_share",
    "fair_share",
)


class SchemeForm(forms.Form):
    peer_grouping = forms.ChoiceField(label=_("peer groups"), choices=PeerGrouping.choices)
    grading = forms.ChoiceField(label=_("grading"), choices=GradingMethod.choices)
    excellent_from = forms.DecimalField(
        label=_("excellent from (points)"), max_digits=5, decimal_places=2
    )
    good_from = forms.DecimalField(label=_("good from (points)"), max_digits=5, decimal_places=2)
    fair_from = forms.DecimalField(label=_("fair from (points)"), max_digits=5, decimal_places=2)
    excellent_share = forms.IntegerField(label=_("excellent share (%)"), min_value=0)
    good_share = forms.IntegerField(label=_("good share (%)"), min_value=0)
    fair_share = forms.IntegerField(label=_("fair share (%)"), min_value=0)

    def __init__(self, *args, scheme: ScoringScheme, rules: list[ScoringRule], **kwargs):
        initial = {name: getattr(scheme, name) for name in SCHEME_FIELDS}
        self.rules = rules
        for rule in rules:
            initial[f"weight-{rule.kind}"] = rule.weight
            initial[f"without-{rule.kind}"] = rule.without_data
            params = {**scoring.default_params(rule.kind), **(rule.params or {})}
            for param in scoring.PARAMS[rule.kind]:
                initial[f"param-{rule.kind}-{param.name}"] = params.get(param.name)
        super().__init__(*args, initial=initial, **kwargs)
        for name in SCHEME_FIELDS:
            self.fields[name].label = capfirst(self.fields[name].label)
        for rule in rules:
            self.fields[f"weight-{rule.kind}"] = forms.DecimalField(
                label=_("Weight"), max_digits=5, decimal_places=2, min_value=Decimal(0)
            )
            # Radios, not a select: the choices are sentences, and a select cuts them on a phone.
            self.fields[f"without-{rule.kind}"] = forms.ChoiceField(
                label=_("A unit with nothing to measure"),
                choices=WithoutData.choices,
                widget=forms.RadioSelect,
            )
            for param in scoring.PARAMS[rule.kind]:
                self.fields[f"param-{rule.kind}-{param.name}"] = forms.DecimalField(
                    label=param.label, max_digits=9, decimal_places=2, required=False
                )

    def rows(self) -> list[dict]:
        """Per rule: its label and its bound fields, for the template's table."""
        return [
            {
                "kind": rule.kind,
                "label": RuleKind(rule.kind).label,
                "weight": self[f"weight-{rule.kind}"],
                "without": self[f"without-{rule.kind}"],
                "params": [
                    self[f"param-{rule.kind}-{param.name}"] for param in scoring.PARAMS[rule.kind]
                ],
            }
            for rule in self.rules
        ]

    def values(self) -> SchemeValues:
        data = self.cleaned_data
        rules = [
            RuleValues(
                kind=rule.kind,
                weight=data[f"weight-{rule.kind}"],
                without_data=data[f"without-{rule.kind}"],
                params={
                    param.name: data[f"param-{rule.kind}-{param.name}"]
                    for param in scoring.PARAMS[rule.kind]
                    if data.get(f"param-{rule.kind}-{param.name}") is not None
                },
            )
            for rule in self.rules
        ]
        return SchemeValues(**{name: data[name] for name in SCHEME_FIELDS}, rules=rules)
