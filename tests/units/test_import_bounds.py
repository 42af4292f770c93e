"""Issue 10, item 3: a tiny workbook cannot tie up a worker. Both imports (units/users and
targets) bound rows and columns before reading, count blank rows toward the row limit and refuse
absurd declared dimensions — each in well under a second."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from units import importing
from units.models import Unit

HEADER_CELLS = (
    '<c r="A1" t="inlineStr"><is><t>代码</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>名称</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>上级代码</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t>类型</t></is></c>'
)


def _workbook_with_sheet(sheet_data: str, dimension: str | None) -> bytes:
    """An .xlsx whose first sheet is exactly `sheet_data` rows, with `dimension` declared."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            archive.writestr(info.filename, data)
    return out.getvalue()


def _timed_read(data: bytes, name: str = "units.xlsx"):
    started = time.monotonic()
    try:
        rows = importing.read_table(
            SimpleUploadedFile(name, data), filename=name, kind="units", max_bytes=5 * 2**20
        )
        error = None
    except importing.ImportFileError as exc:
        rows, error = None, str(exc)
    return rows, error, time.monotonic() - started


def test_a_sheet_declaring_every_cell_of_excel_is_refused_at_once():
    data = _workbook_with_sheet(f'<row r="1">{HEADER_CELLS}</row>', "A1:XFD1048576")
    assert len(data) < 5000

    rows, error, seconds = _timed_read(data)

    assert rows is None
    assert "more than 5000 rows" in error
    assert seconds < 1


def test_a_sheet_declaring_sixteen_thousand_columns_is_refused_at_once():
    data = _workbook_with_sheet(f'<row r="1">{HEADER_CELLS}</row>', "A1:XFD20000")
    _rows, error, seconds = _timed_read(data)
    assert error and seconds < 1

    data = _workbook_with_sheet(f'<row r="1">{HEADER_CELLS}</row>', "A1:XFD3")
    _rows, error, seconds = _timed_read(data)
    assert "16384 columns" in error
    assert seconds < 1


def test_a_row_placed_at_the_last_line_is_not_reached_by_padding():
    """No <dimension>: openpyxl would yield a million empty rows before this one."""
    data = _workbook_with_sheet(
        f'<row r="1">{HEADER_CELLS}</row>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>X</t></is></c></row>',
        None,
    )
    _rows, error, seconds = _timed_read(data)

    assert "more than 5000 rows" in error
    assert seconds < 1


def test_a_cell_in_the_last_column_is_not_reached_by_padding():
    data = _workbook_with_sheet(
        f'<row r="1">{HEADER_CELLS}</row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>N1</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>新支部</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="D2" t="inlineStr"><is><t>党支部</t></is></c>'
        '<c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>' * 1,
        None,
    )
    rows, error, seconds = _timed_read(data)

    assert error is None
    assert [(r["code"], r["name"]) for r in rows] == [("N1", "新支部")]
    assert seconds < 1


def test_blank_rows_count_toward_the_row_limit(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    monkeypatch.setattr(importing, "_SPARE_LINES", 2)
    lines = ["代码,名称,上级代码,类型"]
    for i in range(3):
        lines += ["", "", f"N{i},新支部,A,党支部"]
    rows, error, _seconds = _timed_read("\n".join(lines).encode(), "units.csv")

    assert rows is None
    assert "more than 3 rows" in error


@pytest.mark.parametrize("which", ["units", "targets"])
def test_both_imports_answer_an_absurd_sheet_in_under_a_second(client, admin_user, campaign, which):
    data = _workbook_with_sheet(f'<row r="1">{HEADER_CELLS}</row>', "A1:XFD1048576")
    client.force_login(admin_user)
    if which == "units":
        url, fields = reverse("units:import"), {"kind": "units"}
    else:
        url, fields = reverse("campaigns:targets_import", args=[campaign.pk]), {}

    started = time.monotonic()
    response = client.post(url, {**fields, "file": SimpleUploadedFile("x.xlsx", data)})
    seconds = time.monotonic() - started

    assert response.status_code == 400
    assert "more than 5000 rows" in response.content.decode()
    assert seconds < 1
    assert not Unit.objects.filter(code="X").exists()
