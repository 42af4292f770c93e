"""Every cell the app writes to a spreadsheet that people download goes through here, so that text
a user typed (a unit renamed `=HYPERLINK(…)`, a task title starting `+`, `-`, `@`) is never a
formula in a leader's download.

- CSV has no types: `csv_text` puts an apostrophe before text that a spreadsheet program would
  read as a formula (Excel and WPS then show it as text), as OWASP recommends.
- XLSX (openpyxl): `xlsx_cell` / `xlsx_append` write every string as a string cell, never a
  formula, marked "quote prefix" when it starts like one, so that editing the cell in Excel does
  not turn it into a formula either. The text itself is unchanged.
- XLSX written as XML by hand (dashboards.exports' streamed activity list) writes text only as
  inline strings, which are never formulas."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> str:
    """The value as a CSV field: dates in ISO form, formula-like text defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if starts_like_formula(text) else text


def csv_row(values: Iterable[Any]) -> list[str]:
    return [csv_text(value) for value in values]


def xlsx_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write `value` into the cell; a string is always a string cell."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=…" a formula
        if starts_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def xlsx_append(sheet: Worksheet, values: Iterable[Any]) -> int:
    """Append a row below the last one, as Worksheet.append; returns its number."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, 1):
        if isinstance(value, str):
            xlsx_cell(sheet, row, column, value)
    return row
