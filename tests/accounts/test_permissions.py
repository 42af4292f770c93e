"""Every page of the app sends an anonymous visitor to the login page.

The URLs are read from the URLconf, so a page added later is covered without editing this file;
only the pages listed in PUBLIC may be reached without signing in.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

PUBLIC = {
    "healthz",
    "ping",
    "favicon",  # a redirect to the static icon
    "metrics",  # answers 404 to anyone without the token or a superuser: tests/test_observability
    "set_language",  # Django's own, under /i18n/
    "accounts:login",
    "accounts:logout",
    "accounts:set_language",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # The public's pages under /public/: anonymous by design, throttled (tests/evaluations).
    "public:appraise",
    "public:appraise_thanks",
    "public:board",
    "public:notice",  # assessment results' 公示 (tests/evaluations/test_snapshots_views.py)
    "public:honours",
    "public:honour_notice",
    "public:honour_objection",
    "public:honour",
    "public:honour_certificate",
}
# The Django admin has its own login page and its own tests; the JSON API answers an anonymous
# caller 401 with a JSON error, not a redirect (tests/api).
SKIPPED_NAMESPACES = {"admin", "api"}


def _named_urls(patterns=None, namespace: str = "", converters: dict | None = None):
    """(name, kwargs) for every named URL, with a made-up value for each path parameter."""
    converters = converters or {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        found = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_urls(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = {
                key: 1 if isinstance(converter, IntConverter) else "x"
                for key, converter in found.items()
            }
            yield f"{namespace}{entry.name}", kwargs


def test_the_url_walk_finds_the_app_pages():
    names = {name for name, _ in _named_urls()}

    assert {"home", "accounts:profile", "units:tree", "units:member_add"} <= names


def test_every_app_page_redirects_an_anonymous_visitor_to_login(client, db):
    login = reverse("accounts:login")
    checked = []
    for name, kwargs in _named_urls():
        if name in PUBLIC:
            continue
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        assert response.status_code == 302, f"{name} ({url}) answered {response.status_code}"
        assert response.url.startswith(f"{login}?next="), f"{name} ({url}) → {response.url}"
        checked.append(name)

    assert len(checked) >= 10
