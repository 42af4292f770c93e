"""Every change to a target or a task, every save of a campaign and every move of a unit give
Campaign.targets_version a new random value in its own transaction: the key of the sums of targets,
of the active tasks and of the catalogues that activities.progress keeps (target_sums,
active_tasks, catalogues). (A target's unit and task, and a task's campaign, do not change after
creation: the admin shows them read-only. Bulk writes that skip signals — the bench set's — are
made on campaigns created for them.)"""

import secrets

from django.db.models.signals import post_delete, post_save

from campaigns.models import Campaign, Target, TargetTask
from units.signals import unit_moved


def _new_version() -> int:
    return secrets.randbits(62)


def _target_changed(sender, instance: Target, **kwargs) -> None:
    Campaign.objects.filter(tasks=instance.task_id).update(targets_version=_new_version())


def _task_changed(sender, instance: TargetTask, **kwargs) -> None:
    Campaign.objects.filter(pk=instance.campaign_id).update(targets_version=_new_version())


def _campaign_saved(sender, instance: Campaign, **kwargs) -> None:
    # A full save writes back the version it read, which a target's change may have renewed
    # since: renew it again.
    Campaign.objects.filter(pk=instance.pk).update(targets_version=_new_version())


def _unit_moved(sender, **kwargs) -> None:
    # The subtrees change shape: every sum of targets may change.
    Campaign.objects.update(targets_version=_new_version())


def connect() -> None:
    post_save.connect(_target_changed, sender=Target, dispatch_uid="campaigns.target_saved")
    post_delete.connect(_target_changed, sender=Target, dispatch_uid="campaigns.target_deleted")
    post_save.connect(_task_changed, sender=TargetTask, dispatch_uid="campaigns.task_saved")
    post_delete.connect(_task_changed, sender=TargetTask, dispatch_uid="campaigns.task_deleted")
    post_save.connect(_campaign_saved, sender=Campaign, dispatch_uid="campaigns.campaign_saved")
    unit_moved.connect(_unit_moved, dispatch_uid="campaigns.unit_moved")
