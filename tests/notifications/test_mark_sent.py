"""A mail that went out is marked SENT even when the database drops for a moment right after:
the mark is retried (not the send), so the claim never expires into a second mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.db.models.query import QuerySet

from notifications import services
from notifications.models import EmailState, Notification, Rule
from notifications.services import Notice, notify


@pytest.fixture
def pending(staff):
    [pk] = notify(rule=Rule.TARGET_DUE, notices=[Notice(staff, "target:DJ-01", "2010-05-01:3")])
    return Notification.objects.get(pk=pk)


def _sent_mark_fails(monkeypatch, times: int) -> list[int]:
    real = QuerySet.update
    calls: list[int] = []

    def update(self, **kwargs):
        if kwargs.get("email_state") == EmailState.SENT:
            calls.append(1)
            if len(calls) <= times:
                raise OperationalError("server closed the connection unexpectedly")
        return real(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)
    return calls


def test_the_sent_mark_outlives_a_short_database_outage(pending, monkeypatch):
    calls = _sent_mark_fails(monkeypatch, times=2)

    assert services.deliver([pending.pk]) == 1

    pending.refresh_from_db()
    assert pending.email_state == EmailState.SENT
    assert len(calls) == 3
    assert len(mail.outbox) == 1
    assert services.deliver([pending.pk]) == 0  # nothing goes out twice
    assert len(mail.outbox) == 1


def test_a_longer_outage_gives_up_within_the_claim_and_leaves_it_claimed(pending, monkeypatch):
    monkeypatch.setattr(services, "CLAIM_TIMEOUT", timedelta(seconds=1))
    _sent_mark_fails(monkeypatch, times=1000)

    with pytest.raises(OperationalError):
        services.deliver([pending.pk])

    pending.refresh_from_db()
    assert pending.email_state == EmailState.SENDING  # released only when the claim expires
    assert len(mail.outbox) == 1
