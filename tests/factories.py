import datetime
import io
from decimal import Decimal

import factory
from pypdf import PdfWriter
from pypdf.generic import NameObject

from accounts.models import User
from activities.models import Activity
from campaigns.models import Campaign, Metric, Target, TargetTask
from units.models import KIND_LINES, Line, Membership, Role, Unit, UnitKind

PASSWORD = "Correct-Horse-2010"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class UnitFactory(factory.django.DjangoModelFactory):
    """A unit in the tree: pass `parent=` for a child, none for a root."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"测试组织{n}")
    kind = UnitKind.PARTY_COMMITTEE
    line = factory.LazyAttribute(lambda u: KIND_LINES.get(u.kind, "party"))

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        unit = model_class(**kwargs)
        if parent is None:
            return Unit.objects.add_root(instance=unit)
        return Unit.objects.add_child(parent, instance=unit)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.STAFF


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign run by `unit` (pass the tree's root for one that covers everything)."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"{2010 + n} 年党群共建创先争优")
    unit = factory.SubFactory(UnitFactory)
    starts_on = datetime.date(2010, 5, 1)
    ends_on = datetime.date(2010, 12, 31)
    review_deadline_days = 7
    review_levels = 1


class TargetTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetTask

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    line = Line.PARTY
    title = factory.Sequence(lambda n: f"目标任务{n}")
    metric = Metric.ACTIVITIES


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    unit = factory.SubFactory(UnitFactory)
    task = factory.SubFactory(TargetTaskFactory)
    value = Decimal(4)
    due_on = datetime.date(2010, 12, 31)


class ActivityFactory(factory.django.DjangoModelFactory):
    """A draft of `unit`; pass `tasks=[…]` to tag it. For other states, use the services."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"主题党日活动{n}")
    starts_on = datetime.date(2010, 6, 1)
    place = "党员活动室"
    participants_party_members = 10
    participants = 10

    @factory.post_generation
    def tasks(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tasks.set(extracted)


def pdf_bytes(active: dict | None = None, attachment: bool = False) -> bytes:
    """A one-page PDF written by pypdf; `active` goes into the catalogue (e.g. an OpenAction)."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    for key, value in (active or {}).items():
        writer.root_object[NameObject(key)] = value
    if attachment:
        writer.add_attachment("run.exe", b"MZ\x90\x00")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
