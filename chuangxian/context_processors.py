from django.conf import settings
from django.http import HttpRequest

from units.models import Role


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: the roles the user holds anywhere, computed once."""
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = set(user.memberships.filter(unit__is_active=True).values_list("role", flat=True))
        if user.is_superuser:
            roles |= {Role.ADMIN, Role.LEADER, Role.REVIEWER}
    return {
        "brand_name": settings.SITE_NAME,
        "nav_roles": roles,
        "nav_is_admin": Role.ADMIN in roles,
    }
