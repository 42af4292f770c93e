"""Import and export of a campaign's targets as a spreadsheet.

Columns: 单位代码 (unit code), 任务代码 (task code), 指标值 (value), 截止日期 (due date).

The same three steps as units.importing, whose file reading this reuses:
- `units.importing.read_table(…, columns=TARGET_COLUMNS)` turns the upload into rows of strings;
- `targets_validate` checks every row against the campaign, its catalogue and the importing
  admin's scope, and returns a plan listing every error without writing anything;
- `targets_import` validates again (targets may have changed since the preview) and sets every
  target through `campaigns.services.target_set` in one transaction, or raises `ImportRejected`
  and writes nothing. Imported values count as set per unit: a later bulk assignment keeps them.

The export writes the same columns, so an exported file is also the template to fill in.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.models import User
from campaigns.exceptions import CampaignError
from campaigns.models import Campaign, Target, TargetTask
from campaigns.services import target_set
from common.spreadsheets import xlsx_append
from common.streaming import stream
from units.importing import Column
from units.models import Role, Unit
from units.selectors import units_for_role

TARGET_COLUMNS = (
    Column(
        "unit_code",
        gettext_lazy("Unit code"),
        ("单位代码", "组织代码", "unit_code", "unit code"),
        required=True,
    ),
    Column(
        "task_code",
        gettext_lazy("Task code"),
        ("任务代码", "task_code", "task code"),
        required=True,
    ),
    Column("value", gettext_lazy("Target value"), ("指标值", "目标值", "value"), required=True),
    Column(
        "due_on",
        gettext_lazy("Due date"),
        ("截止日期", "完成时限", "due_on", "due date"),
        required=True,
    ),
)
# The export's headers: the import columns, then names for the reader (ignored on import).
EXPORT_HEADER = ["单位代码", "任务代码", "指标值", "截止日期", "单位名称", "任务名称"]

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class ImportRejected(CampaignError):
    """The rows did not pass validation at import time; nothing was written."""

    def __init__(self, plan: "TargetsPlan"):
        super().__init__(_("Nothing was imported: some rows are not valid."))
        self.plan = plan


@dataclass
class RowError:
    row: int
    column: str  # a field name, or "" for the whole row
    message: str

    @property
    def column_label(self) -> str:
        for column in TARGET_COLUMNS:
            if column.field == self.column:
                return str(column.label)
        return ""


@dataclass
class PlannedTarget:
    row: int
    unit_code: str
    unit_name: str
    task_code: str
    task_title: str
    value: Decimal
    due_on: date
    action: str  # "create", "update" or "unchanged"
    old_value: Decimal | None = None
    old_due_on: date | None = None


@dataclass
class TargetsPlan:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    targets: list[PlannedTarget] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for target in self.targets if target.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def admin_units_in(user: User, campaign: Campaign) -> QuerySet[Unit]:
    """The units of `campaign` whose targets `user` may set."""
    return units_for_role(user, Role.ADMIN).filter(path__startswith=campaign.unit.path)


# --- Reading values --------------------------------------------------------------------------


def parse_value(text: str) -> Decimal:
    """A target value: a number of 0 or more with at most two decimals. Raises ValueError with a
    message for users."""
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    if value < 0:
        raise ValueError(_("The target value must be 0 or more."))
    try:
        Target._meta.get_field("value").run_validators(value)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return value


def parse_date(text: str) -> date:
    """A date as Excel stores it or as people write it (2010-12-31, 2010/12/31, 2010年12月31日).
    Raises ValueError with a message for users."""
    cleaned = re.sub(r"[T ]00:00(:00)?$", "", text.strip())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date: write it as 2010-12-31.") % {"value": text})


# --- Validation and import -------------------------------------------------------------------


def targets_validate(*, user: User, campaign: Campaign, rows: list[dict]) -> TargetsPlan:
    """Check `rows` for `user`: every problem is reported with its row and column."""
    errors: list[RowError] = []

    def add(row: int, column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    unit_codes = {row["unit_code"] for row in rows if row["unit_code"]}
    task_codes = {row["task_code"] for row in rows if row["task_code"]}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
    in_scope = set(
        admin_units_in(user, campaign).filter(code__in=unit_codes).values_list("code", flat=True)
    )
    tasks = {t.code: t for t in TargetTask.objects.filter(campaign=campaign, code__in=task_codes)}
    existing = {
        (t.unit_id, t.task_id): t
        for t in Target.objects.filter(
            task__campaign=campaign, unit__code__in=unit_codes, task__code__in=task_codes
        )
    }
    first_row: dict[tuple[str, str], int] = {}
    plan = TargetsPlan(rows=len(rows))

    for row in rows:
        number, before = row["row"], len(errors)
        code = row["unit_code"]
        unit = units.get(code)
        if not code:
            add(number, "unit_code", _("The unit code is missing."))
        elif unit is None:
            add(number, "unit_code", _("No unit has the code “%(code)s”.") % {"code": code})
        elif not unit.path.startswith(campaign.unit.path):
            add(
                number,
                "unit_code",
                _("The unit “%(code)s” is outside this campaign.") % {"code": code},
            )
        elif code not in in_scope:
            add(
                number,
                "unit_code",
                _("The unit “%(code)s” is outside the units you administer.") % {"code": code},
            )
        elif not unit.is_active:
            add(number, "unit_code", _("The unit “%(code)s” is inactive.") % {"code": code})

        task_code = row["task_code"]
        task = tasks.get(task_code)
        if not task_code:
            add(number, "task_code", _("The task code is missing."))
        elif task is None:
            add(
                number,
                "task_code",
                _("This campaign has no task with the code “%(code)s”.") % {"code": task_code},
            )
        elif not task.is_active:
            add(
                number,
                "task_code",
                _("The task “%(code)s” is inactive.") % {"code": task_code},
            )

        value = due_on = None
        if not row["value"]:
            add(number, "value", _("The target value is missing."))
        else:
            try:
                value = parse_value(row["value"])
            except ValueError as exc:
                add(number, "value", str(exc))
        if not row["due_on"]:
            add(number, "due_on", _("The due date is missing."))
        else:
            try:
                due_on = parse_date(row["due_on"])
            except ValueError as exc:
                add(number, "due_on", str(exc))

        if code and task_code:
            key = (code, task_code)
            if key in first_row:
                add(
                    number,
                    "",
                    _("The same unit and task are already at row %(first)s.")
                    % {"first": first_row[key]},
                )
            else:
                first_row[key] = number

        if len(errors) > before or unit is None or task is None or value is None or not due_on:
            continue
        current = existing.get((unit.pk, task.pk))
        if current is None:
            action = "create"
        elif current.value == value and current.due_on == due_on and current.is_override:
            action = "unchanged"
        else:
            action = "update"
        plan.targets.append(
            PlannedTarget(
                row=number,
                unit_code=code,
                unit_name=unit.name,
                task_code=task_code,
                task_title=task.title,
                value=value,
                due_on=due_on,
                action=action,
                old_value=current.value if current else None,
                old_due_on=current.due_on if current else None,
            )
        )
    errors.sort(key=lambda e: e.row)
    plan.errors = errors
    return plan


@transaction.atomic
def targets_import(*, user: User, campaign: Campaign, rows: list[dict]) -> TargetsPlan:
    """Set every target of `rows`, or none of them."""
    plan = targets_validate(user=user, campaign=campaign, rows=rows)
    if plan.errors:
        raise ImportRejected(plan)
    units = {u.code: u for u in Unit.objects.filter(code__in={t.unit_code for t in plan.targets})}
    tasks = {t.code: t for t in campaign.tasks.all()}
    for item in plan.targets:
        if item.action == "unchanged":
            continue
        try:
            target_set(
                unit=units[item.unit_code],
                task=tasks[item.task_code],
                value=item.value,
                due_on=item.due_on,
            )
        except (CampaignError, ValidationError, IntegrityError) as exc:
            if isinstance(exc, ValidationError):
                message = " ".join(exc.messages)
            elif isinstance(exc, IntegrityError):
                message = _("Someone else changed the same data at the same time. Try again.")
            else:
                message = str(exc)
            plan.errors.append(RowError(item.row, "", message))
            raise ImportRejected(plan) from exc
    return plan


# --- Export ----------------------------------------------------------------------------------


def targets_workbook(*, user: User, campaign: Campaign) -> bytes:
    """Every target of `campaign` in the units `user` administers, as an .xlsx to edit and
    import again."""
    targets = (
        Target.objects.filter(task__campaign=campaign, unit__in=admin_units_in(user, campaign))
        .select_related("unit", "task")
        .order_by("unit__path", "task__line", "task__sort_order", "task__code")
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "指标"
    xlsx_append(sheet, EXPORT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # In a transaction, the cursor lives in it: behind PgBouncer's transaction pooling a cursor
    # held across transactions (WITH HOLD) would be lost with the server connection.
    with transaction.atomic(using=targets.db):
        for target in stream(targets, 2000):
            xlsx_append(
                sheet,
                [
                    target.unit.code,
                    target.task.code,
                    target.value,
                    target.due_on,
                    target.unit.name,
                    target.task.title,
                ],
            )
            sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEF", (14, 12, 10, 12, 28, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
