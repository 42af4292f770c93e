"""Import and export of targets as .xlsx: upload → preview (every bad row with its reason) →
confirm (all or nothing); the export opens in Excel and doubles as the template.

The tree (tests/conftest.py): CITY → A (A1, A2) and B (B1); `admin_user` administers A's subtree;
`campaign` is run by the city and `task` (DJ-01) is in its catalogue.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from campaigns import importing, services
from campaigns.exceptions import CampaignError
from campaigns.importing import ImportRejected
from campaigns.models import Target
from tests.factories import CampaignFactory, TargetFactory, TargetTaskFactory
from units.services import unit_deactivate

HEADER = ["单位代码", "任务代码", "指标值", "截止日期"]
DUE = datetime.date(2010, 11, 30)


def xlsx_file(rows: list[list], name: str = "targets.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, campaign, file: SimpleUploadedFile):
    return client.post(reverse("campaigns:targets_import", args=[campaign.pk]), {"file": file})


def confirm(client, campaign, preview):
    assert preview.status_code == 200
    assert preview.context["token"], preview.context["plan"].errors
    return client.post(
        reverse("campaigns:targets_import_confirm", args=[campaign.pk]),
        {"token": preview.context["token"]},
        follow=True,
    )


def reported(response) -> dict[tuple[int, str], str]:
    """(row, column) → the reason, for every problem the preview reports."""
    return {(e.row, e.column): e.message for e in response.context["plan"].errors}


def state() -> list:
    return sorted(
        Target.objects.values_list("unit__code", "task__code", "value", "due_on", "is_override")
    )


def test_the_upload_page_renders(client, admin_user, campaign):
    client.force_login(admin_user)

    response = client.get(reverse("campaigns:targets_import", args=[campaign.pk]))

    assert response.status_code == 200
    assert reverse("campaigns:targets_export", args=[campaign.pk]) in response.content.decode()


def test_a_good_file_is_previewed_then_imported(client, tree, admin_user, task):
    TargetFactory(unit=tree.branch_a1, task=task, value=Decimal(4))
    client.force_login(admin_user)
    rows = [
        HEADER,
        ["A1", "DJ-01", 6, DUE],  # a date cell and a number cell, as Excel stores them
        ["A2", "DJ-01", "2.5", "2010/10/31"],  # text, as people type them
        ["A", "DJ-01", "10", "2010年12月31日"],
    ]

    preview = upload(client, task.campaign, xlsx_file(rows))

    plan = preview.context["plan"]
    assert not plan.errors
    assert [(t.row, t.unit_code, t.action) for t in plan.targets] == [
        (2, "A1", "update"),
        (3, "A2", "create"),
        (4, "A", "create"),
    ]
    assert 'data-testid="import-plan"' in preview.content.decode()
    assert Target.objects.count() == 1  # nothing written yet

    response = confirm(client, task.campaign, preview)

    assert "Imported 3 targets: 2 created, 1 updated." in [
        str(m) for m in response.context["messages"]
    ]
    assert state() == [
        ("A", "DJ-01", Decimal(10), datetime.date(2010, 12, 31), True),
        ("A1", "DJ-01", Decimal(6), DUE, True),
        ("A2", "DJ-01", Decimal("2.5"), datetime.date(2010, 10, 31), True),
    ]


def test_imported_values_are_kept_by_a_later_bulk_assignment(client, tree, admin_user, task):
    client.force_login(admin_user)
    confirm(
        client,
        task.campaign,
        upload(client, task.campaign, xlsx_file([HEADER, ["A1", "DJ-01", 6, DUE]])),
    )

    result = services.targets_assign(
        task=task, root=tree.committee_a, kinds=[tree.branch_a1.kind], value=Decimal(2), due_on=DUE
    )

    assert result.kept == 1
    assert Target.objects.get(unit=tree.branch_a1).value == Decimal(6)


def test_bad_rows_are_each_reported_with_the_column_and_the_reason(client, tree, city_admin):
    own = CampaignFactory(unit=tree.committee_a)
    TargetTaskFactory(campaign=own, code="A-01")
    TargetTaskFactory(campaign=own, code="OFF", is_active=False)
    TargetTaskFactory(campaign=CampaignFactory(unit=tree.city), code="CITY-01")
    client.force_login(city_admin)
    rows = [
        HEADER,
        ["A1", "A-01", 3, DUE],  # good
        ["ZZ", "A-01", 3, DUE],  # unknown unit
        ["B1", "A-01", 3, DUE],  # outside the campaign
        ["A2", "CITY-01", 3, DUE],  # a task of another campaign
        ["A2", "OFF", 3, DUE],  # an inactive task
        ["A2", "A-01", "三个", DUE],  # not a number
        ["A", "A-01", -2, DUE],  # negative
        ["A", "A-01", "1.234", DUE],  # too many decimals (and a duplicate of row 8)
        ["A2", "A-01", 3, "下个月"],  # not a date (and a duplicate of row 7)
        ["", "", "", ""],  # blank lines are skipped
        ["", "A-01", "", "2010-13-01"],  # several problems on one row
        ["A1", "A-01", 4, DUE],  # duplicate of row 2
    ]

    response = upload(client, own, xlsx_file(rows))

    assert response.status_code == 200
    assert response.context["token"] == ""
    problems = reported(response)
    assert set(problems) == {
        (3, "unit_code"),
        (4, "unit_code"),
        (5, "task_code"),
        (6, "task_code"),
        (7, "value"),
        (8, "value"),
        (9, "value"),
        (9, ""),
        (10, "due_on"),
        (10, ""),
        (12, "unit_code"),
        (12, "value"),
        (12, "due_on"),
        (13, ""),
    }
    assert problems[(3, "unit_code")] == "No unit has the code “ZZ”."
    assert problems[(4, "unit_code")] == "The unit “B1” is outside this campaign."
    assert problems[(5, "task_code")] == "This campaign has no task with the code “CITY-01”."
    assert problems[(6, "task_code")] == "The task “OFF” is inactive."
    assert problems[(7, "value")] == "“三个” is not a number."
    assert problems[(8, "value")] == "The target value must be 0 or more."
    assert "2 decimal places" in problems[(9, "value")]
    assert "is not a date" in problems[(10, "due_on")]
    assert problems[(13, "")] == "The same unit and task are already at row 2."
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "Target value" in html  # the column is named on the report
    assert [t.row for t in response.context["plan"].targets] == [2]
    assert not Target.objects.exists()


def test_a_unit_outside_the_admins_scope_is_refused(client, tree, admin_user, task):
    client.force_login(admin_user)
    rows = [HEADER, ["A1", "DJ-01", 3, DUE], ["B1", "DJ-01", 3, DUE], ["CITY", "DJ-01", 3, DUE]]

    response = upload(client, task.campaign, xlsx_file(rows))

    assert reported(response) == {
        (3, "unit_code"): "The unit “B1” is outside the units you administer.",
        (4, "unit_code"): "The unit “CITY” is outside the units you administer.",
    }
    assert response.context["token"] == ""
    assert not Target.objects.exists()


def test_confirm_applies_all_rows_or_none(client, tree, admin_user, task):
    client.force_login(admin_user)
    rows = [HEADER, ["A1", "DJ-01", 3, DUE], ["A2", "DJ-01", 5, DUE]]
    preview = upload(client, task.campaign, xlsx_file(rows))
    unit_deactivate(unit=tree.union_a2)  # the tree changes between preview and confirm

    response = client.post(
        reverse("campaigns:targets_import_confirm", args=[task.campaign.pk]),
        {"token": preview.context["token"]},
    )

    assert response.status_code == 409
    assert reported(response) == {(3, "unit_code"): "The unit “A2” is inactive."}
    assert not Target.objects.exists()


def test_a_refusal_by_the_service_midway_rolls_back_the_rows_before_it(
    monkeypatch, tree, admin_user, task
):
    rows = [
        {"row": 2, "unit_code": "A1", "task_code": "DJ-01", "value": "3", "due_on": "2010-11-30"},
        {"row": 3, "unit_code": "A2", "task_code": "DJ-01", "value": "3", "due_on": "2010-11-30"},
    ]

    def refuse_the_union(*, unit, **kwargs):
        if unit.code == "A2":
            raise CampaignError("refused")
        return services.target_set(unit=unit, **kwargs)

    monkeypatch.setattr(importing, "target_set", refuse_the_union)

    with pytest.raises(ImportRejected) as refused:
        importing.targets_import(user=admin_user, campaign=task.campaign, rows=rows)

    assert [(e.row, e.message) for e in refused.value.plan.errors] == [(3, "refused")]
    assert not Target.objects.exists()


def test_a_preview_is_imported_once(client, admin_user, task):
    client.force_login(admin_user)
    preview = upload(client, task.campaign, xlsx_file([HEADER, ["A1", "DJ-01", 3, DUE]]))
    confirm(client, task.campaign, preview)
    Target.objects.all().delete()

    again = confirm(client, task.campaign, preview)

    assert "This preview has expired or was imported already." in [
        str(m) for m in again.context["messages"]
    ]
    assert not Target.objects.exists()


def test_a_preview_cannot_be_confirmed_for_another_campaign(client, tree, city_admin, task):
    other = CampaignFactory(unit=tree.city)
    TargetTaskFactory(campaign=other, code="DJ-01")
    client.force_login(city_admin)
    preview = upload(client, task.campaign, xlsx_file([HEADER, ["A1", "DJ-01", 3, DUE]]))

    response = client.post(
        reverse("campaigns:targets_import_confirm", args=[other.pk]),
        {"token": preview.context["token"]},
    )

    assert response.status_code == 302
    assert not Target.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(client, admin_user, task):
    client.force_login(admin_user)

    response = upload(client, task.campaign, SimpleUploadedFile("targets.xlsx", b"MZ\x90\x00"))

    assert response.status_code == 400
    assert "not an Excel workbook" in str(response.context["form"].errors["file"])


def test_a_file_without_the_columns_is_refused(client, admin_user, task):
    client.force_login(admin_user)

    response = upload(client, task.campaign, xlsx_file([["代码", "名称"], ["A1", "x"]]))

    assert response.status_code == 400
    assert "lacks the columns" in str(response.context["form"].errors["file"])


# --- Export ----------------------------------------------------------------------------------


def _export(client, campaign):
    response = client.get(reverse("campaigns:targets_export", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content)).active


def test_the_export_holds_the_targets_of_the_admins_units(client, admin_user, task, targets):
    targets["A2"].value = Decimal("2.5")
    targets["A2"].save()
    client.force_login(admin_user)

    sheet = _export(client, task.campaign)

    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:4]) == HEADER
    assert [row[:3] for row in rows[1:]] == [
        ("A", "DJ-01", 4),
        ("A1", "DJ-01", 4),
        ("A2", "DJ-01", 2.5),
    ]
    assert rows[1][3] == datetime.datetime(2010, 12, 31)
    assert rows[1][5] == task.title


def test_an_exported_file_imports_back_unchanged(client, admin_user, task, targets):
    for target in targets.values():
        services.target_set(unit=target.unit, task=task, value=target.value, due_on=target.due_on)
    client.force_login(admin_user)
    before = state()
    buffer = io.BytesIO()
    _export(client, task.campaign).parent.save(buffer)

    preview = upload(client, task.campaign, SimpleUploadedFile("back.xlsx", buffer.getvalue()))

    assert not preview.context["plan"].errors
    assert {t.action for t in preview.context["plan"].targets} == {"unchanged"}
    confirm(client, task.campaign, preview)
    assert state() == before
