from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _rebuild_rollups(sender, **kwargs) -> None:
    from activities.rollups import rollups_rebuild

    rollups_rebuild()


def _reroute_submissions(sender, unit=None, **kwargs) -> None:
    from activities.services import submissions_reroute

    submissions_reroute(unit=unit)


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from units.signals import unit_moved

        # The units above a moved unit's activities change: recompute the roll-ups (in the
        # move's transaction; moves are rare, and the figures must agree at once).
        unit_moved.connect(_rebuild_rollups, dispatch_uid="activities.rollups")
        # Who reviews a waiting submission follows the tree: send it to the reviewers now above.
        unit_moved.connect(_reroute_submissions, dispatch_uid="activities.reroute")
