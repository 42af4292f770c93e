"""Helpers that drive the account pages the way a browser does."""

import re

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def csrf_token(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


def log_in_through_form(client: Client, username: str, password: str = PASSWORD, **extra):
    """POST the login form as a browser would, so django-axes sees a real request."""
    url = reverse("accounts:login")
    data = {"username": username, "password": password, **extra}
    data["csrfmiddlewaretoken"] = csrf_token(client, url)
    return client.post(url, data)


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "no <html lang> attribute"
    return match.group(1)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
