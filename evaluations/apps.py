from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _reroute_submissions(sender, unit=None, **kwargs) -> None:
    from evaluations.review import reroute

    reroute(unit=unit)


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from units.signals import unit_moved

        # Commitment sets and fulfilment reports waiting for review follow the tree like
        # activities: to the reviewers now above their unit.
        unit_moved.connect(_reroute_submissions, dispatch_uid="evaluations.reroute")
