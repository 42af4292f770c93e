"""One log line per request with its id, the id carried into Celery tasks, JSON logs, and the
metrics endpoint that only a superuser or the scraper's token may read."""

import json
import logging
from types import SimpleNamespace

import pytest

from chuangxian import requestid
from chuangxian.logs import JsonFormatter, RequestIdFilter
from notifications.models import EmailState, Notification, Rule
from tests.factories import UserFactory


@pytest.mark.django_db
def test_each_request_logs_one_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="chuangxian.request"):
        response = client.get("/ping")

    request_id = response["X-Request-ID"]
    lines = [r for r in caplog.records if r.name == "chuangxian.request"]
    assert len(lines) == 1
    assert lines[0].status == 200
    assert lines[0].path == "/ping"
    assert RequestIdFilter().filter(lines[0]) and lines[0].request_id == request_id
    assert len(request_id) == 32


@pytest.mark.django_db
def test_a_path_cannot_forge_a_log_line_or_a_terminal_escape(client, caplog):
    with caplog.at_level(logging.INFO, logger="chuangxian.request"):
        client.get("/nope%0a2026-12-04 WARNING django.security forged%1b[2J")

    (line,) = [r for r in caplog.records if r.name == "chuangxian.request"]
    text = line.getMessage()
    assert "\n" not in text and "\x1b" not in text  # no real newline or escape character
    assert "\\n" in text and "\\x1b" in text  # they are written escaped
    assert line.path == "/nope\\n2026-12-04 WARNING django.security forged\\x1b[2J"


@pytest.mark.django_db
def test_a_password_reset_link_is_logged_without_its_token(client, caplog):
    with caplog.at_level(logging.INFO, logger="chuangxian.request"):
        client.get("/accounts/password/reset/MQ/set-password-secret-token/")

    (line,) = [r for r in caplog.records if r.name == "chuangxian.request"]
    assert "secret-token" not in line.getMessage() and "secret-token" not in line.path
    assert "<uidb64>" in line.path


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(client):
    kept = client.get("/ping", headers={"x-request-id": "nginx0123456789abcdef"})
    replaced = client.get("/ping", headers={"x-request-id": "bad id\nwith newline"})

    assert kept["X-Request-ID"] == "nginx0123456789abcdef"
    assert replaced["X-Request-ID"] != "bad id\nwith newline"
    assert len(replaced["X-Request-ID"]) == 32


def test_the_request_id_travels_into_the_tasks_it_causes_and_their_log_lines(caplog):
    token = requestid.current.set("req-abcdef123")
    headers: dict = {}
    try:
        requestid._id_into_task_headers(headers=headers)
    finally:
        requestid.current.reset(token)
    assert headers["request_id"] == "req-abcdef123"
    assert requestid.current.get() == "-"

    # The worker: the task's request carries the header; its log lines carry the id.
    task = SimpleNamespace(request=SimpleNamespace(request_id=headers["request_id"]))
    requestid._id_from_task_headers(task_id="t1", task=task)
    record = logging.LogRecord("notifications.tasks", logging.INFO, "", 0, "sent", (), None)
    RequestIdFilter().filter(record)
    requestid._id_forgotten(task_id="t1")

    assert record.request_id == "req-abcdef123"
    assert requestid.current.get() == "-"


def test_a_task_sent_by_no_request_is_named_after_itself():
    requestid._id_from_task_headers(task_id="t2", task=SimpleNamespace(request=SimpleNamespace()))
    try:
        assert requestid.current.get() == "task-t2"
    finally:
        requestid._id_forgotten(task_id="t2")


def test_json_lines_carry_the_id_and_the_extra_fields():
    token = requestid.current.set("abc12345")
    try:
        record = logging.LogRecord("chuangxian.request", logging.INFO, "", 0, "GET /", (), None)
        record.status = 200
        RequestIdFilter().filter(record)
        entry = json.loads(JsonFormatter().format(record))
    finally:
        requestid.current.reset(token)

    assert entry["message"] == "GET /"
    assert entry["request_id"] == "abc12345"
    assert entry["status"] == 200
    assert entry["level"] == "INFO"


@pytest.mark.django_db
def test_metrics_are_refused_to_anyone_but_a_superuser_or_the_scraper(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-123"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_and_reminders(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-123"
    user = UserFactory()
    for n, state in enumerate([EmailState.SENT, EmailState.SENT, EmailState.PENDING]):
        Notification.objects.create(
            recipient=user, rule=Rule.RETURNED, subject=f"a:{n}", period="1", email_state=state
        )
    Notification.objects.create(
        recipient=user,
        rule=Rule.RETURNED,
        subject="a:9",
        period="1",
        email_state=EmailState.PENDING,
        email_attempts=99,
    )
    client.get("/ping")

    response = client.get("/metrics", headers={"authorization": "Bearer scrape-secret-123"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "django_http_requests_total_by_method_total" in body
    assert "django_http_requests_latency_seconds_by_view_method" in body
    assert 'chuangxian_reminders{state="sent"} 2.0' in body
    assert 'chuangxian_reminders{state="waiting"} 1.0' in body
    assert 'chuangxian_reminders{state="failed"} 1.0' in body
    if settings.REDIS_URL:  # the embedded file-system broker has no queue to measure
        assert 'chuangxian_celery_queue_length{queue="celery"}' in body


@pytest.mark.django_db
def test_a_superuser_may_read_the_metrics(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/metrics").status_code == 200
