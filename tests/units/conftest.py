import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The actor fixtures hash a password per user; the production hasher costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
