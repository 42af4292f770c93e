"""Writes to campaigns, phases, the task catalogue and targets. The caller has checked that the
actor may act (campaigns.selectors); these keep the data's own rules."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.exceptions import CampaignError
from campaigns.models import Campaign, Phase, Target, TargetTask
from units.models import Unit


def _save(instance, fields: dict, *, create: bool):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    if create:
        instance.save()
    else:
        instance.save(
            update_fields=list(fields) + (["updated_at"] if hasattr(instance, "updated_at") else [])
        )
    return instance


@transaction.atomic
def campaign_create(*, unit: Unit, fields: dict) -> Campaign:
    return _save(Campaign(unit=unit), fields, create=True)


@transaction.atomic
def campaign_update(*, campaign: Campaign, fields: dict) -> Campaign:
    return _save(campaign, fields, create=False)


@transaction.atomic
def phase_create(*, campaign: Campaign, fields: dict) -> Phase:
    return _save(Phase(campaign=campaign), fields, create=True)


@transaction.atomic
def phase_update(*, phase: Phase, fields: dict) -> Phase:
    return _save(phase, fields, create=False)


@transaction.atomic
def phase_delete(*, phase: Phase) -> None:
    phase.delete()


@transaction.atomic
def task_create(*, campaign: Campaign, fields: dict) -> TargetTask:
    if TargetTask.objects.filter(campaign=campaign, code=fields.get("code")).exists():
        raise CampaignError(_("This campaign already has a task with that code."))
    return _save(TargetTask(campaign=campaign), fields, create=True)


def task_fixed_fields(task: TargetTask) -> dict[str, str]:
    """The fields of a saved task that can no longer change, each with the reason: task_update
    refuses to change them, and the admin shows them read-only."""
    fixed = {"campaign": str(_("A task stays in its campaign."))}
    if task.targets.exists():
        fixed["metric"] = str(_("Targets are set for this task: its metric can no longer change."))
    if task.activities.exists():
        # The dashboards' roll-ups file each approved activity under its tasks' lines.
        fixed["line"] = str(_("Activities count toward this task: its line can no longer change."))
    return fixed


@transaction.atomic
def task_update(*, task: TargetTask, fields: dict) -> TargetTask:
    code = fields.get("code", task.code)
    if TargetTask.objects.filter(campaign=task.campaign_id, code=code).exclude(pk=task.pk).exists():
        raise CampaignError(_("This campaign already has a task with that code."))
    for name, reason in task_fixed_fields(task).items():
        if name in fields and fields[name] != getattr(task, name):
            raise CampaignError(reason)
    return _save(task, fields, create=False)


def _check_target(unit: Unit, task: TargetTask) -> None:
    if not unit.path.startswith(task.campaign.unit.path):
        raise CampaignError(
            _("%(unit)s is outside the campaign “%(campaign)s”.")
            % {"unit": unit.name, "campaign": task.campaign.name}
        )
    if not unit.is_active:
        raise CampaignError(_("%(unit)s is inactive.") % {"unit": unit.name})


@transaction.atomic
def target_set(*, unit: Unit, task: TargetTask, value: Decimal, due_on: date) -> Target:
    """Set one unit's target for a task, by hand: a later bulk assignment leaves it alone."""
    _check_target(unit, task)
    target = Target.objects.select_for_update().filter(unit=unit, task=task).first()
    if target is None:
        target = Target(unit=unit, task=task)
    target.value, target.due_on, target.is_override = value, due_on, True
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_delete(*, target: Target) -> None:
    if target.task.activities.filter(unit=target.unit).exists():
        raise CampaignError(_("Activities count toward this target: it cannot be removed."))
    target.delete()


@dataclass(frozen=True)
class BulkAssignment:
    created: int
    updated: int
    kept: int


@transaction.atomic
def targets_assign(
    *,
    task: TargetTask,
    root: Unit,
    kinds: list[str],
    value: Decimal,
    due_on: date,
    replace_overrides: bool = False,
) -> BulkAssignment:
    """Give every active unit of `kinds` in `root`'s subtree this target. Targets set for a unit
    by hand are kept unless `replace_overrides`. Saved one by one so the history sees each."""
    _check_target(root, task)
    units = Unit.objects.filter(path__startswith=root.path, kind__in=kinds, is_active=True)
    existing = {
        t.unit_id: t for t in Target.objects.select_for_update().filter(task=task, unit__in=units)
    }
    created = updated = kept = 0
    for unit in units:
        target = existing.get(unit.pk)
        if target is not None and target.is_override and not replace_overrides:
            kept += 1
            continue
        if target is None:
            target = Target(unit=unit, task=task)
            created += 1
        else:
            updated += 1
        target.value, target.due_on, target.is_override = value, due_on, False
        target.full_clean()
        target.save()
    return BulkAssignment(created, updated, kept)
