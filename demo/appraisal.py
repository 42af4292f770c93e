"""The public's ratings of the demo city's units (群众评议), a few hundred per campaign, spread
over the campaign's days so far: most units satisfy, a few draw complaints, some have too few
ratings to judge. Written through evaluations.services, so the figures are kept as in use."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from campaigns.models import Campaign
from evaluations.exceptions import AppraisalClosed
from evaluations.models import Rating, Verdict
from evaluations.services import appraisal_link, rating_submit
from units.models import Unit

REMARKS = {
    Verdict.SATISFIED: ["服务热情，办事高效", "志愿服务很及时，感谢！", "党员先锋岗名副其实", ""],
    Verdict.BASICALLY_SATISFIED: ["总体不错，希望周末也能办理", "窗口等候时间有点长", ""],
    Verdict.DISSATISFIED: ["电话一直打不通", "答复不够明确，跑了两趟", ""],
}
# (units in tree order taking part, ratings per unit, share satisfied, share dissatisfied)
PROFILE = [(40, 25, 0.7, 0.05), (8, 12, 0.4, 0.3), (6, 4, 0.6, 0.1)]


def ratings(campaign: Campaign, last_day: date, seed: int = 2010) -> int:
    """Rate the campaign's units from its first day to `last_day`; nothing if already done."""
    if Rating.objects.filter(campaign=campaign).exists():
        return 0
    rng = random.Random(seed)
    units = list(
        Unit.objects.filter(
            path__startswith=campaign.unit.path, is_active=True, depth__gt=2
        ).order_by("path")
    )
    days = max(1, (min(last_day, campaign.ends_on) - campaign.starts_on).days)
    written = 0
    start = 0
    for count, per_unit, satisfied, dissatisfied in PROFILE:
        for unit in units[start : start + count]:
            link = appraisal_link(unit, campaign)
            for n in range(rng.randint(per_unit // 2, per_unit)):
                roll = rng.random()
                verdict = (
                    Verdict.SATISFIED
                    if roll < satisfied
                    else Verdict.DISSATISFIED
                    if roll > 1 - dissatisfied
                    else Verdict.BASICALLY_SATISFIED
                )
                day = campaign.starts_on + timedelta(days=rng.randint(0, days))
                at = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 20))))
                try:
                    rating_submit(
                        link, verdict, rng.choice(REMARKS[verdict]), f"demo-{unit.code}-{n}", at=at
                    )
                except AppraisalClosed:
                    return written
                written += 1
        start += count
    return written
