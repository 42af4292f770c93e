"""Every change to a target, and every move of a unit, gives Campaign.targets_version a new random
value in its own transaction: the key of the sums of targets that activities.progress.target_sums
keeps."""

import secrets

from django.db.models.signals import post_delete, post_save

from campaigns.models import Campaign, Target
from units.signals import unit_moved


def _new_version() -> int:
    return secrets.randbits(62)


def _target_changed(sender, instance: Target, **kwargs) -> None:
    Campaign.objects.filter(tasks=instance.task_id).update(targets_version=_new_version())


def _unit_moved(sender, **kwargs) -> None:
    # The subtrees change shape: every sum of targets may change.
    Campaign.objects.update(targets_version=_new_version())


def connect() -> None:
    post_save.connect(_target_changed, sender=Target, dispatch_uid="campaigns.target_saved")
    post_delete.connect(_target_changed, sender=Target, dispatch_uid="campaigns.target_deleted")
    unit_moved.connect(_unit_moved, dispatch_uid="campaigns.unit_moved")
