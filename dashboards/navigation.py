from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from units.models import Role
from units.scope import Scope

NAV_URLS = (
    "home",
    "dashboards:home",
    "dashboards:activities",
    "activities:list",
    "activities:queue",
    "campaigns:list",
    "units:tree",
    "units:import",
    "admin:index",
    "notifications:inbox",
    "accounts:profile",
    "accounts:password_change",
    "accounts:logout",
    "accounts:set_language",
)


@cache
def _nav_urls(prefix: str) -> dict[str, str]:
    """The navigation's links, reversed once per process (and script prefix), not per page:
    "dashboards:home" is nav_urls.dashboards_home in a template."""
    return {name.replace(":", "_"): reverse(name) for name in NAV_URLS}


# The menu entry each page belongs to, by URL namespace (and by name where one namespace feeds
# two entries): the entry is highlighted and marked aria-current.
SECTIONS_BY_NAME = {
    "home": "home",
    "activities:queue": "review",
    "activities:bulk_approve": "review",
    "dashboards:activities": "search",
    "units:import": "import",
    "evaluations:commitment_queue": "review",  # the second tab of the review queues
    # Honours (评选表彰), every page of evaluations.honour_views: under the Campaigns entry (the
    # campaigns page links to them), so that the menu still fits at 1440 px in English.
    **{
        f"evaluations:{name}": "campaigns"
        for name in (
            "honours",
            "honour_round_create",
            "honour_round",
            "honour_round_edit",
            "honour_apply",
            "honour_mine",
            "honour_queue",
            "honour_application",
            "honour_application_edit",
        )
    },
}
SECTIONS_BY_NAMESPACE = {
    "activities": "activities",
    "dashboards": "dashboard",
    "campaigns": "campaigns",
    "units": "units",
}


def nav_section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    found = SECTIONS_BY_NAME.get(match.view_name)
    return found or SECTIONS_BY_NAMESPACE.get(match.namespace.split(":", 1)[0], "")


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: the roles the user holds anywhere, computed once."""
    roles = Scope.of(getattr(request, "user", None)).roles_held
    return {
        "nav_section": nav_section(request),
        "brand_name": settings.SITE_NAME,
        "nav_urls": _nav_urls(get_script_prefix()),
        "nav_roles": roles,
        "nav_is_admin": Role.ADMIN in roles,
    }
