"""Spreadsheets: the filtered activity list (.csv and .xlsx) and a subtree's progress table.

The activity exports stream: rows are read from a server-side cursor in chunks, each row with its
task ids (a correlated subquery), so memory holds one chunk whatever the number of rows. The CSV
is generated while the response is sent; the workbook's sheet is written row by row into a
temporary file (see write_activity_xlsx), which is then sent in blocks.

Text a user typed never becomes a formula: in the workbook every string is stored as text, and in
the CSV a leading "=", "+", "-" or "@" is escaped with an apostrophe (spreadsheet programs run
formulas in CSV files too).

Labels are resolved by the caller, in the request's language, before any streaming starts: a
generator runs after the view has returned.
"""

import csv
import io
import re
import zipfile
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from django.db import connections, transaction
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from activities.models import PARTICIPANT_FIELDS, Activity, Status
from activities.progress import Figures, TargetSum, TaskProgress
from campaigns.models import Metric, TargetTask
from common.spreadsheets import csv_row, xlsx_cell
from common.streaming import stream
from dashboards.filters import SORTED
from units.models import Line, Unit

CHUNK_SIZE = 2000

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

# Read with values_list, never as model instances: a 100,000-row export builds no Activity.
_FIELDS = (
    "unit__code",
    "unit__name",
    "title",
    "starts_on",
    "ends_on",
    "place",
    "status",
    *PARTICIPANT_FIELDS.values(),
    "participants",
    "quantity",
    "submitted_at",
    "approved_at",
    "task_ids",
)
_WIDTHS = (12, 24, 36, 11, 11, 20, 30, 10, 8, 8, 8, 8, 8, 10, 10, 17, 17)


def activity_header() -> list[str]:
    """The export's column headers in the active language."""
    return [
        _("Unit code"),
        _("Unit name"),
        _("Title"),
        _("Date"),
        _("Until"),
        _("Place"),
        _("Target tasks"),
        _("Status"),
        *[str(group.label) for group in PARTICIPANT_FIELDS],
        _("Total participants"),
        _("Quantity"),
        _("Submitted at"),
        _("Approved at"),
    ]


def status_labels() -> dict[str, str]:
    return {status.value: str(status.label) for status in Status}


class _Ids(Aggregate):
    """The ids of a group as one comma-separated string."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s)"
        )


def _export_rows(queryset: QuerySet[Activity]) -> QuerySet:
    through = Activity.tasks.through
    task_ids = (
        through.objects.filter(activity_id=OuterRef("pk"))
        .values("activity_id")
        .annotate(ids=_Ids("targettask_id"))
        .values("ids")
    )
    return queryset.annotate(task_ids=Subquery(task_ids)).order_by(*SORTED).values_list(*_FIELDS)


def _set(using: str, *settings: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)


def _task_catalogue() -> dict[str, tuple]:
    """{task id as text: (sort key, title)} of every task: a few hundred rows at most."""
    rows = TargetTask.objects.values_list("pk", "line", "sort_order", "code", "title")
    return {str(pk): ((line, order, code), title) for pk, line, order, code, title in rows}


def activity_rows(
    queryset: QuerySet[Activity], statuses: dict[str, str], chunk_size: int = CHUNK_SIZE
) -> Iterator[list]:
    """One list per activity, in the order of `activity_header()`: dates as dates, times as local
    times without a zone, counts as numbers, task titles in catalogue order.

    Two queries whatever the number of rows: the task catalogue, then one cursor read in chunks
    of `chunk_size` (each row carries its task ids). The cursor runs in a transaction so that it
    streams: outside one, PostgreSQL materialises a cursor WITH HOLD whole before the first row."""
    zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
    catalogue = _task_catalogue()
    using = queryset.db
    with transaction.atomic(using=using):
        # Plan the cursor for all of its rows, and skip compiling it just in time (it costs more
        # than it saves here).
        _set(using, "SET LOCAL cursor_tuple_fraction = 1.0", "SET LOCAL jit = off")
        for (
            code,
            name,
            title,
            starts,
            ends,
            place,
            status,
            *counts,
            submitted,
            approved,
            task_ids,
        ) in stream(_export_rows(queryset), chunk_size):
            tasks = sorted(catalogue[pk] for pk in task_ids.split(",")) if task_ids else ()
            yield [
                code,
                name,
                title,
                starts,
                ends,
                place,
                "；".join(title for _key, title in tasks),
                statuses.get(status, status),
                *counts,
                submitted and submitted.astimezone(zone).replace(tzinfo=None, microsecond=0),
                approved and approved.astimezone(zone).replace(tzinfo=None, microsecond=0),
            ]


# --- CSV -------------------------------------------------------------------------------------


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text as such; one chunk of
    bytes per few hundred rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    writer.writerow(csv_row(header))
    for count, row in enumerate(rows, 1):
        writer.writerow(csv_row(row))
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# --- XLSX: the activity list, streamed --------------------------------------------------------
#
# openpyxl builds Python objects for every cell and costs about a millisecond a row here (well over
# a minute for 100,000 rows, with lxml still about 25 s). This writes the worksheet's XML straight
# into its zip member instead, a few microseconds a cell, with strings inline (no shared-string
# table growing in memory; an inline string is never a formula). The tests read the files back
# with openpyxl.

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
    f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
)
# Cell styles by index: 0 plain, 1 date, 2 date and time, 3 header (bold on a light fill).
_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2DCDB"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_DATE_STYLE, _DATETIME_STYLE, _HEADER_STYLE = 1, 2, 3
# Characters XML 1.0 cannot carry at all: dropped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_ROWS_PER_WRITE = 500


def _xml_text(value: str) -> str:
    value = _XML_ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_cell(ref: str, value, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        # An inline string is text, never a formula (common.spreadsheets).
        text = _xml_text(value)
        styled = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, datetime):
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{_DATETIME_STYLE}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        serial = (value - _EXCEL_EPOCH.date()).days
        return f'<c r="{ref}" s="{_DATE_STYLE}"><v>{serial}</v></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _xml_row(number: int, letters: list[str], values, style: int = 0) -> str:
    cells = "".join(
        _xml_cell(f"{letter}{number}", value, style)
        for letter, value in zip(letters, values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


def write_activity_xlsx(header: list[str], rows: Iterable[list], target: IO[bytes]) -> int:
    """Write the rows as a one-sheet workbook into `target`, holding a few hundred rows in memory
    at a time; returns the number of rows. Header bold and frozen, columns sized, autofilter."""
    letters = [get_column_letter(index) for index in range(1, len(header) + 1)]
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(_WIDTHS[: len(header)], 1)
    )
    head = (
        _XML_HEAD + f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{columns}</cols><sheetData>" + _xml_row(1, letters, header, _HEADER_STYLE)
    )
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.encode())
            batch: list[str] = []
            for count, row in enumerate(rows, 1):
                batch.append(_xml_row(count + 1, letters, row))
                if len(batch) == _ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch = []
            last = f"{letters[-1]}{count + 1}"
            batch.append(
                f'</sheetData><autoFilter ref="A1:{last}"/><pageMargins left="0.7" right="0.7" '
                'top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
            )
            sheet.write("".join(batch).encode())
        name = _xml_text(_("Activities"))[:31].replace('"', "&quot;")
        archive.writestr(
            "xl/workbook.xml",
            _XML_HEAD + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/>'
            f'</bookViews><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
            f"hidden=\"1\">'{name}'!$A$1:${letters[-1]}${count + 1}</definedName></definedNames>"
            "</workbook>",
        )
    return count


# --- XLSX: a subtree's progress table --------------------------------------------------------


@dataclass
class ProgressRow:
    code: str
    name: str
    progress: list[TaskProgress]


@dataclass
class ProgressTable:
    unit: Unit
    title: str
    subtitle: str
    tasks: list[TargetTask]
    rows: list[ProgressRow]  # one per child unit
    total: ProgressRow  # the whole subtree, from its own figures


def progress_cells(
    task: TargetTask, figures: Figures | None, target: TargetSum | None, today: date, start: date
) -> TaskProgress:
    return TaskProgress(task, figures or Figures(), target, today, start)


_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LINE_FILLS = {
    Line.PARTY: "F4CCCC",
    Line.UNION: "D9EAD3",
    Line.LEAGUE: "CFE2F3",
    Line.WOMEN: "EAD1DC",
}
_TITLE_ROW, _SUBTITLE_ROW, _HEADER_ROWS = 1, 2, (3, 4, 5)
_FIRST_DATA_ROW = 6
_FIXED_COLUMNS = 2  # unit code, unit name


def _number_format(task: TargetTask) -> str:
    return "#,##0.00" if task.metric == Metric.QUANTITY else "#,##0"


def _merge(sheet: Worksheet, row: int, first: int, last: int, value, **style) -> None:
    cell = xlsx_cell(sheet, row, first, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _header(sheet: Worksheet, tasks: list[TargetTask]) -> int:
    """Three header rows: line (merged over its tasks), task (merged over its three columns),
    then target / achieved / completion. Returns the last column."""
    top, middle, bottom = _HEADER_ROWS
    bold = Font(bold=True)
    for column, label in ((1, _("Unit code")), (2, _("Unit name"))):
        xlsx_cell(sheet, top, column, label)
        sheet.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
    column = _FIXED_COLUMNS + 1
    groups: list[tuple[str, list[TargetTask]]] = []
    for task in tasks:
        if groups and groups[-1][0] == task.line:
            groups[-1][1].append(task)
        else:
            groups.append((task.line, [task]))
    for line, line_tasks in groups:
        fill = PatternFill("solid", fgColor=_LINE_FILLS.get(line, "EEEEEE"))
        last = column + 3 * len(line_tasks) - 1
        _merge(sheet, top, column, last, str(Line(line).label), font=bold, fill=fill)
        for task in line_tasks:
            label = f"{task.title}\n（{task.metric_label}）"
            _merge(sheet, middle, column, column + 2, label, fill=fill)
            for offset, measure in enumerate((_("Target"), _("Achieved"), _("Completion"))):
                xlsx_cell(sheet, bottom, column + offset, measure).fill = fill
            column += 3
    last_column = column - 1
    for row in _HEADER_ROWS:
        for col in range(1, last_column + 1):
            cell = sheet.cell(row=row, column=col)
            cell.alignment, cell.border, cell.font = _CENTRE, _BORDER, bold
    sheet.row_dimensions[middle].height = 45
    return last_column


def _data_row(sheet: Worksheet, row: int, item: ProgressRow, bold: bool = False) -> None:
    font = Font(bold=bold)
    values: list = [item.code, item.name]
    formats: list[str | None] = [None, None]
    for progress in item.progress:
        has_target = progress.target is not None
        values += [
            progress.target.value if has_target else None,
            progress.achieved,
            progress.completion if has_target else None,
        ]
        number = _number_format(progress.task)
        formats += [number, number, "0.0%"]
    for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
        cell = xlsx_cell(sheet, row, column, value)
        cell.border, cell.font = _BORDER, font
        if number_format:
            cell.number_format = number_format
        elif column == 2:
            cell.alignment = Alignment(wrap_text=True, vertical="center")


def write_progress_xlsx(table: ProgressTable, target: IO[bytes]) -> None:
    """The progress table laid out for printing: title, grouped headers, one row per child unit,
    the subtree's total and a note on why the total is not the sum of the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Progress")
    last_column = _header(sheet, table.tasks)
    _merge(sheet, _TITLE_ROW, 1, last_column, table.title, font=Font(bold=True, size=14))
    _merge(sheet, _SUBTITLE_ROW, 1, last_column, table.subtitle, font=Font(color="555555"))
    sheet.cell(row=_TITLE_ROW, column=1).alignment = Alignment(horizontal="center")
    sheet.cell(row=_SUBTITLE_ROW, column=1).alignment = Alignment(horizontal="center")
    sheet.row_dimensions[_TITLE_ROW].height = 24

    row = _FIRST_DATA_ROW
    for item in table.rows:
        _data_row(sheet, row, item)
        row += 1
    _data_row(sheet, row, table.total, bold=True)
    total_fill = PatternFill("solid", fgColor="FFF2CC")
    for column in range(1, last_column + 1):
        sheet.cell(row=row, column=column).fill = total_fill
    note = _(
        "Note: the total row counts %(unit)s and every unit below it, its own activities and "
        "targets included. An activity organised by several units counts once, so the total can "
        "be less than the sum of the rows above. Completion = achieved ÷ target; only approved "
        "activities count."
    ) % {"unit": table.unit.name}
    _merge(sheet, row + 1, 1, last_column, note, font=Font(italic=True, size=9))
    sheet.cell(row=row + 1, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[row + 1].height = 42

    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 26
    for column in range(_FIXED_COLUMNS + 1, last_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 9
    sheet.freeze_panes = sheet.cell(row=_FIRST_DATA_ROW, column=_FIXED_COLUMNS + 1)
    sheet.print_title_rows = f"{_HEADER_ROWS[0]}:{_HEADER_ROWS[-1]}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    workbook.save(target)
