"""The kept roll-ups behind the standing figures (evaluations.standing_selectors): each row holds a
unit's WHOLE SUBTREE (the unit and every unit below it), keyed by the unit's id, so a dashboard
reads one row per unit shown instead of every record below it. They are recomputed from the
records in the transaction of every change (evaluations.standing_rollups)."""

from django.db import models

from campaigns.models import Campaign
from units.models import Unit


class StandingKind(models.TextChoices):
    """Each kind twice: by due day, and by due month (`due_on` the month's first day). A page
    reads the months other than the current one by month and the current month by day: a few
    dozen rows a unit instead of one per day of the campaign."""

    COMMITMENT = "commitment"
    FOLLOW_UP = "follow_up"
    COMMITMENT_MONTH = "commitment_month"
    FOLLOW_UP_MONTH = "follow_up_month"


# The monthly kind of each daily one.
MONTHLY = {
    StandingKind.COMMITMENT: StandingKind.COMMITMENT_MONTH,
    StandingKind.FOLLOW_UP: StandingKind.FOLLOW_UP_MONTH,
}


class StandingRollup(models.Model):
    """Commitment items of approved sets (or follow-ups) of a subtree in a campaign due on one
    local day (or in one month): how many, how many done (fulfilled / closed), how many done on
    time."""

    # Read by unit: the unique index (unit first, covering the counts) serves, no index of its own.
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=StandingKind.choices)
    due_on = models.DateField()
    items = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    done_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "kind", "due_on"],
                include=["items", "done", "done_on_time"],
                name="standing_rollup_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.campaign_id} · {self.kind} · {self.due_on}"


class AppraisalRollup(models.Model):
    """The ratings of a subtree in a campaign, by verdict: the sum of its units' AppraisalTally
    rows over every month."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign"], name="appraisal_rollup_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.campaign_id}"
