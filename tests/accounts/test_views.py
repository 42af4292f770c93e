"""The account pages: log in and out, change and reset the password, profile, language.

Logins go through the real form (with its CSRF token) so django-axes sees every attempt; pages that
only need a signed-in user use `force_login`.
"""

import html
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import csrf_token, html_lang, log_in_through_form, signed_in_user_id
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Tianshan-Snow-2024"


# --- Log in ----------------------------------------------------------------------------------


def test_it_logs_in_through_the_form_with_axes_on(form_client, user):
    assert settings.AXES_ENABLED

    response = log_in_through_form(form_client, "wang_fang")

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user_id(form_client) == str(user.pk)
    home = form_client.get(reverse("home"))
    assert home.status_code == 200
    assert "王芳" in home.content.decode()
    user.refresh_from_db()
    assert user.last_login is not None
    assert not AccessAttempt.objects.exists()


def test_it_follows_next_after_login(form_client, user):
    response = log_in_through_form(form_client, "wang_fang", next=reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_it_ignores_a_next_on_another_site(form_client, user):
    response = log_in_through_form(form_client, "wang_fang", next="https://evil.example/")

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_refuses_a_wrong_password_with_an_error(form_client, user):
    response = log_in_through_form(form_client, "wang_fang", "not-the-password")

    assert response.status_code == 200
    assert signed_in_user_id(form_client) is None
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert html.escape(errors[0]) in response.content.decode()
    # django-axes counted the attempt.
    assert AccessAttempt.objects.get(username="wang_fang").failures_since_start == 1


def test_it_refuses_an_inactive_user(form_client, db):
    UserFactory(username="left_the_job", is_active=False)

    response = log_in_through_form(form_client, "left_the_job")

    assert response.status_code == 200
    assert signed_in_user_id(form_client) is None


def test_it_sends_a_signed_in_user_from_login_to_home(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:login"))

    assert response.status_code == 302
    assert response.url == reverse("home")


# --- Log out -------------------------------------------------------------------------------


def test_logout_refuses_get(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(user.pk)


def test_logout_by_post_ends_the_session(form_client, user):
    log_in_through_form(form_client, "wang_fang")
    token = csrf_token(form_client, reverse("accounts:profile"))

    response = form_client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert signed_in_user_id(form_client) is None
    assert form_client.get(reverse("home")).status_code == 302


def test_logout_without_the_csrf_token_is_refused(form_client, user):
    log_in_through_form(form_client, "wang_fang")

    response = form_client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    assert signed_in_user_id(form_client) == str(user.pk)


# --- Change the password -------------------------------------------------------------------


def test_it_changes_the_password_and_keeps_the_user_signed_in(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_it_refuses_a_password_change_with_the_wrong_old_password(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not-the-password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_it_refuses_a_weak_new_password(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- Reset a forgotten password ------------------------------------------------------------


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mails_a_link_that_sets_a_new_password(client, form_client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "wang_fang" in message.body
    assert message.alternatives and message.alternatives[0].mimetype == "text/html"

    # The link trades its token for a session-bound "set-password" address.
    link = _reset_link(message)
    response = client.get(link)
    assert response.status_code == 302
    set_password_url = response.url
    form_page = client.get(set_password_url)
    assert form_page.context["validlink"]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link works once; then the new password logs in and the old one does not.
    assert client.get(link, follow=True).context["validlink"] is False
    assert log_in_through_form(form_client, "wang_fang", PASSWORD).status_code == 200
    assert log_in_through_form(form_client, "wang_fang", NEW_PASSWORD).status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.gov.cn"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


# --- Profile and language ------------------------------------------------------------------


def _save_profile(client, **fields):
    data = {"name": "王芳", "email": "wang.fang@example.gov.cn", "phone": "", "language": ""}
    data.update(fields)
    return client.post(reverse("accounts:profile"), data)


def test_profile_saves_name_email_phone_and_language(client, user):
    client.force_login(user)

    response = _save_profile(
        client, name="王芳芳", email="ff@example.gov.cn", phone="0994-3222222", language="en"
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    user.refresh_from_db()
    assert (user.name, user.email, user.phone, user.language) == (
        "王芳芳",
        "ff@example.gov.cn",
        "0994-3222222",
        "en",
    )
    page = client.get(reverse("accounts:profile"))
    assert "Your profile has been saved." in page.content.decode()


def test_pages_follow_the_language_saved_on_the_profile(user):
    client = Client()  # no Accept-Language: the default, then the profile, decide
    client.force_login(user)
    # Django's own catalogue translates the password form: a sure sign of the active language.
    page = client.get(reverse("accounts:password_change"))
    assert html_lang(page) == "zh-hans"
    assert "旧密码" in page.content.decode()

    _save_profile(client, language="en")
    page = client.get(reverse("accounts:password_change"))
    assert html_lang(page) == "en"
    assert "Old password" in page.content.decode()

    _save_profile(client, language="zh-hans")
    page = client.get(reverse("accounts:password_change"))
    assert html_lang(page) == "zh-hans"
    assert "旧密码" in page.content.decode()


def test_the_profile_language_wins_over_the_browser_and_the_cookie(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get(reverse("home"), headers={"accept-language": "zh-CN,zh;q=0.9"})

    assert html_lang(page) == "en"


@pytest.mark.parametrize(
    ("accept_language", "expected"), [("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh-hans")]
)
def test_an_empty_profile_language_follows_the_browser(client, user, accept_language, expected):
    client.force_login(user)

    page = client.get(reverse("home"), headers={"accept-language": accept_language})

    assert html_lang(page) == expected


def test_profile_refuses_an_invalid_email(client, user):
    client.force_login(user)

    response = _save_profile(client, name="改了名字", email="not-an-address")

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    user.refresh_from_db()
    assert (user.name, user.email) == ("王芳", "wang.fang@example.gov.cn")


def test_profile_refuses_an_unknown_language(client, user):
    client.force_login(user)

    response = _save_profile(client, language="fr")

    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    user.refresh_from_db()
    assert user.language == ""


def test_set_language_saves_the_choice_on_a_signed_in_user(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": reverse("accounts:profile")}
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert html_lang(client.get(reverse("accounts:profile"))) == "en"


def test_set_language_only_sets_the_cookie_for_an_anonymous_visitor(client, user):
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": reverse("accounts:login")}
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert html_lang(client.get(reverse("accounts:login"))) == "en"
    assert not User.objects.exclude(language="").exists()


def test_set_language_ignores_an_unknown_language(client, user):
    client.force_login(user)

    client.post(reverse("accounts:set_language"), {"language": "fr", "next": "/"})

    user.refresh_from_db()
    assert user.language == ""


def test_set_language_refuses_get(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:set_language"), {"language": "en"})

    assert response.status_code == 405
    user.refresh_from_db()
    assert user.language == ""
