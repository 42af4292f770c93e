"""The base layout: Chinese by default, English on request, CSP with no inline script or style,
friendly error pages, navigation that follows the user's roles."""

import re

import pytest
from django.test import Client
from django.urls import reverse

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def _assert_csp_clean(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert not EVENT_HANDLER.search(html), EVENT_HANDLER.search(html)


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default():
    response = Client().get(reverse("accounts:login"))

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_the_login_page_follows_an_english_browser(client):
    response = client.get(reverse("accounts:login"), headers={"accept-language": "en"})

    assert '<html lang="en">' in response.content.decode()
    assert "Log in" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_pages_send_a_strict_csp(client):
    for url in (reverse("accounts:login"), reverse("accounts:password_reset")):
        _assert_csp_clean(client.get(url))


def test_signed_in_pages_send_a_strict_csp(client, tree, city_admin):
    client.force_login(city_admin)
    urls = [
        reverse("home"),
        reverse("units:tree"),
        reverse("units:tree") + "?q=党支部",
        reverse("units:detail", args=[tree.committee_a.pk]),
        reverse("units:edit", args=[tree.committee_a.pk]),
        reverse("units:member_add", args=[tree.committee_a.pk]),
        reverse("units:import"),
        reverse("accounts:profile"),
        reverse("accounts:password_change"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_csp_clean(response)


def test_an_unknown_page_gets_the_friendly_404(client, staff):
    client.force_login(staff)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404" in response.content.decode()
    assert reverse("home") in response.content.decode()


def test_the_500_page_renders_without_a_request_context(rf):
    from chuangxian.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "500" in response.content.decode()


def test_the_400_page_draws_a_signed_out_bar(rf):
    """Django's own 400 handler renders 400.html for a request that may have no user."""
    from django.conf import settings
    from django.views.defaults import bad_request

    response = bad_request(rf.get("/"), exception=None)

    html = response.content.decode()
    assert response.status_code == 400
    assert f'class="navbar-brand-text">{settings.SITE_NAME}<' in html
    assert 'data-testid="language-switch"' in html
    assert 'name="csrfmiddlewaretoken"' in html  # the language switch posts
    assert 'data-testid="user-menu"' not in html


def test_a_page_rendered_without_a_request_still_has_its_bar():
    """No request, no context processors: the bar reads the navigation itself, and writes no
    CSRF field (as {% csrf_token %} writes none)."""
    from django.conf import settings
    from django.template import loader

    html = loader.get_template("404.html").render()

    assert f'class="navbar-brand-text">{settings.SITE_NAME}<' in html
    assert f'action="{reverse("accounts:set_language")}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_navigation_offers_import_to_admins_only(client, tree, staff, city_admin):
    client.force_login(staff)
    assert reverse("units:import") not in client.get(reverse("home")).content.decode()

    client.force_login(city_admin)
    assert reverse("units:import") in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_every_app_page_asks_an_anonymous_user_to_log_in(client, tree):
    for url in (reverse("home"), reverse("units:tree"), reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_pages_name_an_icon_and_favicon_ico_leads_to_it(client, staff):
    client.force_login(staff)

    page = client.get(reverse("home")).content.decode()
    response = client.get("/favicon.ico")

    assert re.search(r'<link rel="icon" href="[^"]*favicon[^"]*\.svg"', page)
    assert response.status_code == 301
    assert "favicon" in response["Location"]


def test_the_menu_marks_the_current_section_only(client, tree, city_admin):
    client.force_login(city_admin)

    for url, entry in (
        (reverse("campaigns:list"), reverse("campaigns:list")),
        (reverse("units:detail", args=[tree.committee_a.pk]), reverse("units:tree")),
        (reverse("units:import"), reverse("units:import")),
        (reverse("home"), reverse("home")),
    ):
        html = client.get(url).content.decode()
        current = re.findall(r'<a class="nav-link active" aria-current="page" href="([^"]+)"', html)
        assert current == [entry], url
    assert "aria-current" not in client.get(reverse("accounts:profile")).content.decode()


def test_the_tree_keeps_links_out_of_its_toggles(client, tree, city_admin):
    client.force_login(city_admin)

    html = client.get(reverse("units:tree")).content.decode()

    summaries = re.findall(r"<summary\b.*?</summary>", html, re.DOTALL)
    assert summaries
    assert not any("<a " in summary for summary in summaries)


def test_chinese_pages_use_full_width_colons_and_english_ones_ascii(client, staff):
    client.force_login(staff)

    chinese = client.get(reverse("accounts:profile"), headers={"accept-language": "zh-hans"})
    english = client.get(reverse("accounts:profile"))

    assert "用户名：<strong>" in chinese.content.decode()
    assert "User name: <strong>" in english.content.decode()
