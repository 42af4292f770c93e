"""Factories and helpers for the fulfilment (践诺) tests: approved commitment sets and their items
made directly (the sets' own services are tested elsewhere), files to upload."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from activities.models import Status
from evaluations.models import Commitment, CommitmentSet
from tests.evaluations.conftest import new_client
from tests.factories import ActivityFactory, UserFactory


class CommitmentSetFactory(factory.django.DjangoModelFactory):
    """An approved (published) set: pass `status=` for another state."""

    class Meta:
        model = CommitmentSet

    status = Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    unit = factory.LazyAttribute(lambda c: c.set.unit)
    campaign = factory.LazyAttribute(lambda c: c.set.campaign)
    promise = factory.Sequence(lambda n: f"为群众办实事第{n}件")
    measure = "完成并公示"
    due_on = datetime.date(2010, 10, 1)


def approved_activity(unit, campaign, **fields):
    return ActivityFactory(unit=unit, campaign=campaign, status=Status.APPROVED, **fields)


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def exe_as_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="image/jpeg"
    )


def as_user(user) -> Client:
    client = new_client()
    if user is not None:
        client.force_login(user)
    return client
