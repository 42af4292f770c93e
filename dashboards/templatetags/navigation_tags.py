"""The navigation bar of every page (base.html): one Jinja2 fragment
(templates/jinja2/partials/navbar.html). As Django template markup it cost close to a
millisecond a page, more than some pages' own content."""

from django import template
from django.conf import settings
from django.template.backends.utils import csrf_input
from django.utils import translation
from django.utils.safestring import SafeString

from common.jinja2 import render_fragment
from dashboards.navigation import navigation

register = template.Library()

NAVIGATION_KEYS = ("nav_section", "brand_name", "nav_urls", "nav_roles", "nav_is_admin")


@register.simple_tag(takes_context=True)
def navbar(context) -> SafeString:
    """The bar from the page's context (dashboards.navigation's context processor). A page
    rendered without a request, so without the context processors, gets a signed-out bar from
    the navigation read here, and no CSRF field (as {% csrf_token %} writes none)."""
    request = context.get("request")
    unread = context.get("unread_notifications", 0)  # a function (the context processor's)
    if "nav_urls" in context:
        nav = {key: context[key] for key in NAVIGATION_KEYS}
    else:
        nav = navigation(request)
    return render_fragment(
        "partials/navbar.html",
        user=context.get("user"),
        unread_notifications=unread() if callable(unread) else unread,
        csrf_input=csrf_input(request) if request is not None else "",
        next_path=request.get_full_path() if request is not None else "",
        languages=[(code, translation.gettext(name)) for code, name in settings.LANGUAGES],
        language_code=translation.get_language(),
        **nav,
    )
