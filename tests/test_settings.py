"""Start-up refuses a bad environment with a readable message; production settings pass
`check --deploy`. Each case starts a fresh Python, as a deployment would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3r-9sdf8-7Gq2xP0vL5mN1bC4zH6yT8wQ3eR7uI9oA2sD5fJ-x8Vb_Lq0",
    "ALLOWED_HOSTS": "cx.example.gov.cn",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setup(**env: str) -> subprocess.CompletedProcess:
    return _run(
        ["-c", "import django; django.setup()"], DJANGO_SETTINGS_MODULE="chuangxian.settings", **env
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/chuangxian"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/"),
        ("DEBUG", "maybe"),
        ("SESSION_COOKIE_AGE", "two hours"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_URL", "pigeon://loft"),
    ],
)
def test_it_refuses_a_bad_value_with_a_readable_message(name, value):
    result = _setup(**{name: value})

    assert result.returncode != 0
    assert f"Environment variable {name}={value!r} is not valid" in result.stderr


def test_it_refuses_production_without_a_secret_key():
    result = _setup(DEBUG="0", ALLOWED_HOSTS="cx.example.gov.cn")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


@pytest.mark.parametrize("token", ["change-me-to-32-random-characters", "short"])
def test_it_refuses_a_guessable_metrics_token(token):
    result = _setup(METRICS_TOKEN=token)

    assert result.returncode != 0
    assert "METRICS_TOKEN must be at least 32 random characters" in result.stderr
    assert _setup(METRICS_TOKEN="9f" * 16).returncode == 0


def test_it_starts_with_the_embedded_defaults():
    result = _setup()

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_check_deploy():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
