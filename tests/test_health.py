import pytest
from celery import Celery

from chuangxian import health


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch):
    # A real Celery app whose broker is a port where nothing listens: a refused connection. Not
    # made the current app: shared tasks sent later in this process would go to it.
    unreachable = Celery("unreachable", broker="redis://127.0.0.1:1/0", set_as_current=False)
    monkeypatch.setattr(health, "celery_app", unreachable)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_healthz_needs_no_login_and_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_ping_is_the_cheapest_public_page(client):
    response = client.get("/ping")

    assert response.status_code == 200
    assert response.content == b"ok"
