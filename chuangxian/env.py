"""A small typed layer over the environment: every setting read here fails loudly on a bad value.

Each reader takes the variable's name and a default that lets a fresh checkout run; a value that
cannot be understood stops start-up with ImproperlyConfigured naming the variable and the value.
"""

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}={value!r} is not valid: {expected}.")


def env_str(name: str, default: str = "") -> str:
    return _raw(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name, "1" if default else "0").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _refuse(name, value, "expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name, str(default))
    try:
        number = int(value)
    except ValueError:
        raise _refuse(name, value, "expected a whole number") from None
    if number < minimum:
        raise _refuse(name, value, f"expected a number of at least {minimum}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in _raw(name, default).split(",") if item.strip()]


_DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def env_database(name: str, default: str) -> dict:
    """Parse DATABASE_URL: PostgreSQL (through psycopg2) or SQLite."""
    value = _raw(name, default)
    scheme = urlsplit(value).scheme
    if scheme not in _DATABASE_SCHEMES:
        raise _refuse(
            name,
            value,
            "expected postgres://user:password@host:port/name or sqlite:////absolute/path.sqlite3",
        )
    try:
        config = environ.Env.db_url_config(value)
    except Exception as error:  # the parser raises several kinds on malformed URLs
        raise _refuse(name, value, str(error)) from None
    if not config.get("NAME"):
        raise _refuse(name, value, "the URL names no database")
    return config


_EMAIL_SCHEMES = {
    "smtp",
    "smtps",
    "smtp+tls",
    "smtp+ssl",
    "consolemail",
    "filemail",
    "memorymail",
    "dummymail",
}


def env_email(name: str, default: str) -> dict:
    """Parse EMAIL_URL, e.g. smtp+tls://user:password@mail.example.gov.cn:587."""
    value = _raw(name, default)
    if urlsplit(value).scheme not in _EMAIL_SCHEMES:
        raise _refuse(
            name, value, f"expected a URL with one of the schemes {sorted(_EMAIL_SCHEMES)}"
        )
    return environ.Env.email_url_config(value)


def env_redis_url(name: str) -> str:
    value = _raw(name, "")
    if value and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
        raise _refuse(name, value, "expected redis://host:port/db")
    return value
