from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _move_rollups(sender, unit=None, old_parent=None, old_path=None, **kwargs) -> None:
    from activities.rollups import rollups_rebuild, rollups_unit_moved

    if unit is None or old_path is None:
        rollups_rebuild()  # which unit moved, and from where, is not known
    else:
        rollups_unit_moved(unit=unit, old_parent=old_parent)


def _reroute_submissions(sender, unit=None, **kwargs) -> None:
    from activities.services import submissions_reroute

    submissions_reroute(unit=unit)


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from units.signals import unit_moved

        # The units above a moved unit's activities change: move its figures from the units
        # that were above it to those now above it, in the move's transaction (the figures
        # agree at once; the cost is the tree's depth times the unit's own roll-up rows).
        unit_moved.connect(_move_rollups, dispatch_uid="activities.rollups")
        # Who reviews a waiting submission follows the tree: send it to the reviewers now above.
        unit_moved.connect(_reroute_submissions, dispatch_uid="activities.reroute")
