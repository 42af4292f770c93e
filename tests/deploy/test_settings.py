"""Settings added for the deployment refuse values that cannot work, with a readable message."""

from tests.test_settings import _run, _setup


def test_an_unknown_log_format_stops_start_up():
    result = _setup(LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "Environment variable LOG_FORMAT='xml' is not valid" in result.stderr


def test_a_claim_shorter_than_a_send_stops_start_up():
    result = _setup(NOTIFICATION_CLAIM_SECONDS="20", EMAIL_TIMEOUT="30")

    assert result.returncode != 0
    assert "NOTIFICATION_CLAIM_SECONDS must be greater than EMAIL_TIMEOUT" in result.stderr


def test_behind_pgbouncer_server_side_cursors_can_be_switched_off():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    url = "postgres://postgres@127.0.0.1:6432/chuangxian"
    env = {"DJANGO_SETTINGS_MODULE": "chuangxian.settings", "DATABASE_URL": url}

    off = _run(["-c", script], DISABLE_SERVER_SIDE_CURSORS="1", **env)
    default = _run(["-c", script], **env)

    assert off.stdout.strip() == "True", off.stderr
    assert default.stdout.strip() == "False", default.stderr
