"""Which campaign is which, for any page (the start page's workbench among them):
`{% load campaign_tags %}{% campaigns_now %}` lists the campaigns the user sees, running first,
each with where it stands (Campaign.season)."""

from django import template

from campaigns.models import Season
from campaigns.selectors import campaigns_visible_to

register = template.Library()

_ORDER = {Season.RUNNING: 0, Season.UPCOMING: 1, Season.FINISHED: 2}


@register.inclusion_tag("campaigns/partials/campaigns_now.html", takes_context=True)
def campaigns_now(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"campaigns": []}
    campaigns = list(
        campaigns_visible_to(user)
        .filter(is_active=True)
        .select_related("unit")
        .order_by("-starts_on", "name")[:6]
    )
    campaigns.sort(key=lambda c: _ORDER[c.season()])
    return {"campaigns": campaigns}
