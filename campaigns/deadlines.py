"""When a submission is due for review, and whether it is late: the one rule for time.

Every place that asks — the review queue's badge and its "overdue" filter, the workbench's and
the dashboards' overdue counts, the reminder and the escalation (notifications.rules), the
verdict on a reviewer's decision (activities.services) — asks here, and nothing else computes a
deadline.

The precision is the whole local day in the campaign's time zone (Campaign.tz). A wait that
began on local day D, at whatever hour, has the campaign's `review_deadline_days` N days after
it: D+1 … D+N. It is due at the local midnight that ends day D+N:

- days waited: today − D, `today` the local date in the campaign's zone;
- "due soon": from the start of day D+N−DUE_SOON_DAYS until it is due (DUE_SOON_DAYS+1 days);
- "overdue": from the midnight ending D+N on (more than N days waited);
- escalated to the reviewers above: from the midnight ending D+2N on (more than 2N days);
- a decision is on time when it is made before the submission is due (on day D+N at latest).

So on day D+N the queue says "due soon", an approval is on time and no reminder is due; at the
midnight the badge, the filter, the counts and the verdict turn together, and the reminder job's
next run (notifications.rules.review_overdue, twice a day) sends the reminder, once.

Each rule exists twice only in form, never in substance: on whole days waited (a row on a page,
a group of rows counted by day) and as a cut-off moment for SQL (`waiting_since` before it), the
one derived from the other below. `today`/`on` is the local date in the campaign's zone. Every
campaign is in the site's zone (Campaign.tz, settings.TIME_ZONE), so it is
`timezone.localdate()`, and the roll-up of waits by the day they began (activities.rollups)
is kept in that zone too. The SQL forms over many campaigns group them by deadline and zone."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from campaigns.models import Campaign

DUE_SOON_DAYS = 2  # a submission this close to its review deadline is flagged "due soon"

OVERDUE, DUE_SOON, OK = "overdue", "due_soon", "ok"


# --- Days ----------------------------------------------------------------------------------------


def today(campaign: Campaign, now: datetime | None = None) -> date:
    """The local date in the campaign's zone, now or at `now`."""
    return timezone.localdate(now or timezone.now(), campaign.tz)


def began_on(since: datetime, campaign: Campaign) -> date:
    """The local day a wait that began at `since` began on (day 0)."""
    return timezone.localdate(since, campaign.tz)


def days_waited(since: datetime, campaign: Campaign, on: date) -> int:
    """Whole local days waited by the local date `on`: 0 on the day the wait began."""
    return (on - began_on(since, campaign)).days


def last_working_day(first: date, working_days: int) -> date:
    """The last day of a public notice period (公示) of `working_days` working days (Monday to
    Friday) that opens on `first`: `first` counts when it is a working day. Objections are
    accepted until the end of that local day."""
    day, counted = first, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted >= max(working_days, 1):
                return day
        day += timedelta(days=1)


def wait_state(days: int, deadline_days: int) -> str:
    """How urgent a wait of `days` whole days is against a deadline of `deadline_days`: OVERDUE,
    DUE_SOON or OK. The comparison every other function here follows."""
    if days > deadline_days:
        return OVERDUE
    if days >= deadline_days - DUE_SOON_DAYS:
        return DUE_SOON
    return OK


def is_overdue(days: int, deadline_days: int) -> bool:
    return wait_state(days, deadline_days) == OVERDUE


def is_escalated(days: int, deadline_days: int) -> bool:
    """Past twice the deadline: the reviewers one level up are told."""
    return days > 2 * deadline_days


def state(since: datetime, campaign: Campaign, on: date) -> str:
    """wait_state of a wait that began at `since`, on the local date `on`."""
    return wait_state(days_waited(since, campaign, on), campaign.review_deadline_days)


def escalates(since: datetime, campaign: Campaign, on: date) -> bool:
    return is_escalated(days_waited(since, campaign, on), campaign.review_deadline_days)


# --- Moments -------------------------------------------------------------------------------------


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The local midnight that begins `day` in `zone`."""
    return datetime.combine(day, time.min, tzinfo=zone)


def due_on(since: datetime, campaign: Campaign) -> date:
    """The last local day on which a wait that began at `since` is on time (D+N)."""
    return began_on(since, campaign) + timedelta(days=campaign.review_deadline_days)


def due_at(since: datetime, campaign: Campaign) -> datetime:
    """The moment a wait that began at `since` is due, and overdue from: the local midnight
    ending due_on."""
    return _midnight(due_on(since, campaign) + timedelta(days=1), campaign.tz)


def escalate_at(since: datetime, campaign: Campaign) -> datetime:
    """The moment a wait that began at `since` is escalated from: the midnight ending D+2N."""
    day = began_on(since, campaign) + timedelta(days=2 * campaign.review_deadline_days + 1)
    return _midnight(day, campaign.tz)


def decided_on_time(since: datetime | None, campaign: Campaign, decided: datetime) -> bool:
    """Was a decision at `decided` on a wait that began at `since` made before it was due? A
    decision without a wait (none recorded) is on time."""
    return since is None or decided < due_at(since, campaign)


# --- Cut-offs and SQL forms ---------------------------------------------------------------------


def _cut_off(deadline_days: int, zone: tzinfo, on: date) -> datetime:
    """A wait begun before this moment has waited more than `deadline_days` whole days on `on`:
    the midnight beginning day `on` − `deadline_days`."""
    return _midnight(on - timedelta(days=deadline_days), zone)


def overdue_since(deadline_days: int, on: date) -> date:
    """The first local day whose waits are not yet overdue on `on`: a wait that began before it
    is (the roll-up of waits by day, activities.progress.overdue_count, counts so)."""
    return on - timedelta(days=deadline_days)


def overdue_before(campaign: Campaign, on: date) -> datetime:
    """The moment before which a wait of the campaign began for it to be overdue on `on`."""
    return _cut_off(campaign.review_deadline_days, campaign.tz, on)


Campaigns = Iterable[Campaign] | QuerySet[Campaign] | None


def _groups(campaigns: Campaigns) -> dict[tuple[int, tzinfo], list[int]]:
    """{(deadline days, zone): [campaign ids]} of `campaigns` (None: all), so that a form over
    many campaigns is a handful of conditions, not one per campaign."""
    if campaigns is None:
        campaigns = Campaign.objects.all()
    if isinstance(campaigns, QuerySet):
        campaigns = campaigns.only("pk", "review_deadline_days").order_by()
    groups: dict[tuple[int, tzinfo], list[int]] = {}
    for campaign in campaigns:
        groups.setdefault((campaign.review_deadline_days, campaign.tz), []).append(campaign.pk)
    return groups


def _waited_more_than(groups: dict, on: date, field: str, times: int = 1, less: int = 0) -> Q:
    """Rows whose wait, begun at `field`, is longer on `on` than `times` × the deadline − `less`
    whole days."""
    query = Q(pk__in=[])
    for (days, zone), ids in groups.items():
        cut = _cut_off(times * days - less, zone, on)
        query |= Q(campaign_id__in=ids, **{f"{field}__lt": cut})
    return query


def overdue_q(on: date, campaigns: Campaigns = None, field: str = "waiting_since") -> Q:
    """Rows (with a `campaign` and `field`, the moment their wait began) of `campaigns` (None:
    all) overdue on the local date `on`, as `state` says OVERDUE."""
    return _waited_more_than(_groups(campaigns), on, field)


def due_soon_q(on: date, campaigns: Campaigns = None, field: str = "waiting_since") -> Q:
    """Rows due soon on `on`, as `state` says DUE_SOON: waiting at least N − DUE_SOON_DAYS whole
    days, and not overdue."""
    groups = _groups(campaigns)
    soon = _waited_more_than(groups, on, field, less=DUE_SOON_DAYS + 1)
    return soon & ~_waited_more_than(groups, on, field)


def escalation_q(on: date, campaigns: Campaigns = None, field: str = "waiting_since") -> Q:
    """Rows past twice their deadline on `on`, as `escalates`."""
    return _waited_more_than(_groups(campaigns), on, field, times=2)
