"""Issue 10, "Also": `<script>"'` and `=cmd|` in every text field a user can write — units,
pairs, users' names, campaigns, phases, tasks, activities, review comments, evidence names —
and then every page, export and e-mail that shows them: the rows drawn by Jinja2
(templates/jinja2/, the template tags, the widgets) and the Django templates stay escaped, and no
spreadsheet cell becomes a formula.

Fields are filled by walking the models' text fields, so a text field added later is covered
too (codes get a formula-like value of their own, as they must stay unique)."""

import csv
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from activities import services
from activities.models import Activity, ActivityEvent, CoOrganiser, Evidence
from campaigns.models import Campaign, Phase, Target, TargetTask
from common.spreadsheets import FORMULA_STARTS
from tests.activities.test_upload_safety import _png
from tests.factories import MembershipFactory, UserFactory
from units.models import Pair, Role, Unit

HOSTILE = "<script>alert(\"cx\")</script>\"'=cmd|' /C calc'!A0"
RAW = "<script>alert("
ESCAPED = "&lt;script&gt;alert("
# Never overwritten: identifiers, paths, addresses and what the app itself decides.
SKIP = {"path", "username", "password", "email", "content_type", "file", "thumbnail"}


def _fill(instance: models.Model) -> None:
    """Write HOSTILE (or, for a code, a formula) into each free-text field of `instance`."""
    changes = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if field.choices or field.name in SKIP or isinstance(field, models.EmailField):
            continue
        if field.name == "code":
            value = f"=cmd|{instance.pk}"
        elif field.name == "original_name":
            value = HOSTILE + ".png"
        else:
            value = HOSTILE
        if field.max_length:
            value = value[: field.max_length]
        changes[field.attname] = value
    type(instance).objects.filter(pk=instance.pk).update(**changes)


@pytest.fixture
def scene(
    settings,
    tmp_path,
    tree,
    staff,
    reviewer,
    leader,
    admin_user,
    task,
    targets,
    draft,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    union_staff = UserFactory(username="staff_a2")
    MembershipFactory(user=union_staff, unit=tree.union_a2, role=Role.STAFF)
    Pair.objects.create(first=tree.branch_a1, second=tree.branch_b1, note="note")
    Phase.objects.create(
        campaign=task.campaign, name="组织实施", starts_on="2010-06-01", deadline="2010-12-31"
    )
    CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
    services.evidence_add(
        actor=staff,
        activity=draft,
        upload=SimpleUploadedFile("a.png", _png((40, 30), "RGB"), "image/png"),
    )
    returned = services.activity_create(
        actor=staff,
        unit=tree.branch_a1,
        campaign=task.campaign,
        data={"title": "t", "starts_on": "2010-06-02"},
        tasks=[task],
    )
    for model in (Unit, User, Campaign, Phase, TargetTask, Activity, Evidence, Pair):
        for instance in model.objects.all():
            _fill(instance)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_submit(actor=staff, activity=draft)
        services.activity_submit(actor=staff, activity=returned)
        services.activity_return(actor=reviewer, activity=returned, level=1, reason=HOSTILE)
    ActivityEvent.objects.update(comment=HOSTILE)
    draft.refresh_from_db()
    return {
        "tree": tree,
        "draft": draft,
        "returned": returned,
        "staff": staff,
        "reviewer": reviewer,
        "leader": leader,
        "admin": admin_user,
        "task": task,
        "target": Target.objects.get(unit=tree.branch_a1, task=task),
    }


def _pages(scene) -> list[tuple[str, str]]:
    tree, draft, task = scene["tree"], scene["draft"], scene["task"]
    campaign = task.campaign_id
    return [
        ("staff", reverse("home")),
        ("staff", reverse("activities:list")),
        ("staff", reverse("activities:detail", args=[draft.pk])),
        ("staff", reverse("activities:detail", args=[scene["returned"].pk])),
        ("staff", reverse("activities:edit", args=[scene["returned"].pk])),
        ("staff", reverse("notifications:inbox")),
        ("staff", reverse("accounts:profile")),
        ("reviewer", reverse("activities:queue")),
        ("reviewer", reverse("activities:queue") + "?status=returned"),
        ("reviewer", reverse("activities:detail", args=[draft.pk])),
        ("reviewer", reverse("notifications:inbox")),
        ("leader", reverse("home")),
        ("leader", reverse("dashboards:unit", args=[tree.committee_a.pk])),
        ("leader", reverse("dashboards:screen", args=[tree.committee_a.pk])),
        ("leader", reverse("dashboards:activities")),
        ("admin", reverse("units:tree")),
        ("admin", reverse("units:detail", args=[tree.committee_a.pk])),
        ("admin", reverse("units:detail", args=[tree.branch_a1.pk])),
        ("admin", reverse("units:children", args=[tree.committee_a.pk])),
        ("admin", reverse("units:edit", args=[tree.branch_a1.pk])),
        ("admin", reverse("campaigns:list")),
        ("admin", reverse("campaigns:detail", args=[campaign])),
        ("admin", reverse("campaigns:unit_targets", args=[tree.branch_a1.pk])),
        ("admin", reverse("campaigns:target_history", args=[scene["target"].pk])),
    ]


def test_every_page_escapes_what_users_wrote(client, scene):
    shown = []
    for who, url in _pages(scene):
        client.force_login(scene[who])
        # The tree's children are an htmx fragment.
        headers = {"HX-Request": "true"} if url.endswith("/children/") else {}
        response = client.get(url, headers=headers)
        body = response.content.decode()
        assert response.status_code == 200, (who, url, response.status_code)
        assert RAW not in body, (who, url)
        assert not re.search(r"<[^>]*\son\w+=\"?[^>]*cmd\|", body), (who, url)
        if ESCAPED in body:
            shown.append(url)
    # The hostile text did reach the pages that list or show it (the test can fail).
    for url in (
        reverse("activities:list"),
        reverse("activities:detail", args=[scene["draft"].pk]),
        reverse("activities:queue"),
        reverse("dashboards:activities"),
        reverse("units:detail", args=[scene["tree"].committee_a.pk]),
        reverse("notifications:inbox"),
    ):
        assert url in shown, url


def test_the_big_screen_data_is_json(client, scene):
    client.force_login(scene["leader"])

    response = client.get(reverse("dashboards:screen_data", args=[scene["tree"].committee_a.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


def _no_formula(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_every_export_writes_text_as_text(client, scene):
    tree, task = scene["tree"], scene["task"]
    client.force_login(scene["leader"])
    csv_data = b"".join(client.get(reverse("dashboards:activities_csv")).streaming_content)
    fields = [f for row in csv.reader(io.StringIO(csv_data.decode("utf-8-sig"))) for f in row]
    assert "'=cmd|" + str(tree.branch_a1.pk) in fields
    assert not [f for f in fields if f.startswith(FORMULA_STARTS)]

    for url, who in (
        (reverse("dashboards:activities_xlsx"), "leader"),
        (reverse("dashboards:progress_export", args=[tree.committee_a.pk]), "leader"),
        (reverse("campaigns:targets_export", args=[task.campaign_id]), "admin"),
    ):
        client.force_login(scene[who])
        response = client.get(url)
        assert response.status_code == 200, url
        data = (
            b"".join(response.streaming_content)
            if hasattr(response, "streaming_content")
            else response.content
        )
        _no_formula(data)


def test_every_email_escapes_what_users_wrote(scene):
    assert mail.outbox, "the submission and the return should have e-mailed someone"
    for message in mail.outbox:
        assert "\n" not in message.subject
        html = [body for body, kind in message.alternatives if kind == "text/html"]
        assert html, message.subject
        assert RAW not in html[0]
    bodies = " ".join(html for m in mail.outbox for html, _kind in m.alternatives)
    assert ESCAPED in bodies  # the title and the reason were there, escaped
