"""Bulk import of units, and of users with their memberships, from an .xlsx or .csv file.

Three steps, so that the preview and the import apply the same rules:
- `read_table` turns an upload into rows of strings, or refuses the file (`ImportFileError`);
- `units_validate` / `members_validate` check every row against the tree and the importing admin's
  scope and return a plan listing every error, without writing anything;
- `units_import` / `members_import` validate again (the tree may have changed since the preview)
  and write the whole plan in one transaction through units.services and accounts.services, or
  raise `ImportRejected` and write nothing.

Rows are plain JSON-able dicts ({"row": spreadsheet row number, field: text, …}) so that the view
can keep them in the session between preview and confirm.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from accounts.models import User
from accounts.services import user_invite, user_update_profile
from units.exceptions import UnitError
from units.models import KIND_LINES, Line, Membership, Role, Unit, UnitKind
from units.scope import Scope
from units.selectors import units_for_role
from units.services import membership_add, unit_create

MAX_ROWS = 5000
# Lines read at most, blank ones included: the header and room for a few blank lines. Nothing
# past this is read, so neither a sheet's declared size nor a row placed at 1,048,576 makes
# openpyxl fill millions of empty cells.
_SPARE_LINES = 100
# Columns read at most; an import has about ten, and a sheet declaring more is refused.
MAX_COLUMNS = 100
EXTENSIONS = (".xlsx", ".csv")
# An .xlsx is a zip; refuse one that would inflate far beyond what a 5000-row sheet needs.
_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
_XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


class ImportFileError(UnitError):
    """The upload is not a spreadsheet we can read; the message is for users."""


class ImportRejected(UnitError):
    """The rows did not pass validation at import time; nothing was written."""

    def __init__(self, plan: "UnitsPlan | MembersPlan"):
        super().__init__(_("Nothing was imported: some rows are not valid."))
        self.plan = plan


# --- Columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    label: Promise
    aliases: tuple[str, ...]
    required: bool = False  # the header row must have this column


UNIT_COLUMNS = (
    Column("code", gettext_lazy("Code"), ("代码", "组织代码", "code"), required=True),
    Column("name", gettext_lazy("Name"), ("名称", "组织名称", "name"), required=True),
    Column("parent_code", gettext_lazy("Parent code"), ("上级代码", "上级组织代码", "parent_code")),
    Column("kind", gettext_lazy("Kind"), ("类型", "组织类型", "kind", "type"), required=True),
    Column("line", gettext_lazy("Line"), ("条线", "line")),
    Column("contact_person", gettext_lazy("Contact person"), ("联系人", "contact_person")),
    Column("contact_phone", gettext_lazy("Contact phone"), ("联系电话", "contact_phone")),
    Column("sort_order", gettext_lazy("Sort order"), ("排序", "排序号", "sort_order")),
)

MEMBER_COLUMNS = (
    Column("username", gettext_lazy("User name"), ("用户名", "账号", "username"), required=True),
    Column("name", gettext_lazy("Name"), ("姓名", "name")),
    Column("email", gettext_lazy("E-mail"), ("邮箱", "电子邮箱", "email")),
    Column("phone", gettext_lazy("Phone"), ("电话", "手机", "手机号", "phone", "mobile")),
    Column("unit_code", gettext_lazy("Unit code"), ("组织代码", "unit_code"), required=True),
    Column("role", gettext_lazy("Role"), ("角色", "role"), required=True),
)

COLUMNS = {"units": UNIT_COLUMNS, "members": MEMBER_COLUMNS}

# The Chinese names people use, whether or not the translations are loaded.
_KIND_ALIASES = {
    "党委": UnitKind.PARTY_COMMITTEE,
    "党工委": UnitKind.PARTY_WORKING_COMMITTEE,
    "党支部": UnitKind.PARTY_BRANCH,
    "工会": UnitKind.TRADE_UNION,
    "团委": UnitKind.LEAGUE_COMMITTEE,
    "团支部": UnitKind.LEAGUE_BRANCH,
    "妇联": UnitKind.WOMEN_FEDERATION,
    "妇委会": UnitKind.WOMEN_COMMITTEE,
    "其他": UnitKind.OTHER,
}
_LINE_ALIASES = {"党建": Line.PARTY, "工建": Line.UNION, "团建": Line.LEAGUE, "妇建": Line.WOMEN}
_ROLE_ALIASES = {
    "填报员": Role.STAFF,
    "审核员": Role.REVIEWER,
    "领导": Role.LEADER,
    "管理员": Role.ADMIN,
}


def _norm(text: str) -> str:
    """Fold case, spaces, '_' and '-' so that 'Party branch', 'party_branch' and 'PARTY-BRANCH'
    match, and a '*' marking a required column is ignored."""
    return re.sub(r"[\s_\-*＊]+", "", text).casefold()


def _choice_lookup(choices: Iterable[tuple[str, Any]], aliases: dict[str, str]) -> dict[str, str]:
    """Normalised value, label in every language, or Chinese alias → stored value."""
    lookup = {_norm(k): str(v) for k, v in aliases.items()}
    for value, label in choices:
        lookup[_norm(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup[_norm(str(label))] = value
    return lookup


# --- Reading files ---------------------------------------------------------------------------


def file_too_large(max_bytes: int) -> str:
    return _("The file is larger than %(size)s MB.") % {"size": round(max_bytes / 2**20, 1)}


def read_table(
    upload: IO[bytes],
    *,
    filename: str,
    max_bytes: int,
    kind: str = "",
    columns: tuple[Column, ...] | None = None,
) -> list[dict]:
    """The data rows of `upload` as {"row": n, field: text}, keyed by `columns` (by default the
    columns of `kind`)."""
    extension = PurePath(filename).suffix.lower()
    if extension not in EXTENSIONS:
        raise ImportFileError(_("Upload an .xlsx or .csv file."))
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportFileError(file_too_large(max_bytes))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    table = _xlsx_rows(data) if extension == ".xlsx" else _csv_rows(data)
    return _rows_from_table(table, columns or COLUMNS[kind])


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    not_xlsx = _(
        "This file is not an Excel workbook (.xlsx). Save it from Excel as “Excel Workbook "
        "(*.xlsx)” or as CSV and upload it again."
    )
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(not_xlsx) from None
    if not all(part in names for part in _XLSX_PARTS):
        raise ImportFileError(not_xlsx)
    if unzipped > _MAX_UNZIPPED_BYTES:
        raise ImportFileError(_("This workbook is too large to import."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged workbook
        raise ImportFileError(not_xlsx) from None
    try:
        sheet = workbook.worksheets[0]
        _check_declared_size(sheet)
        # Bounded on both axes before reading: openpyxl's read-only reader pads every row to
        # the width asked for and every missing row up to the height asked for.
        for values in sheet.iter_rows(
            max_row=_max_lines() + 1, max_col=MAX_COLUMNS, values_only=True
        ):
            yield [_cell_text(value) for value in values]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(not_xlsx) from None
    finally:
        workbook.close()


def _max_lines() -> int:
    return MAX_ROWS + 1 + _SPARE_LINES


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s rows: split it into several files.") % {"max": MAX_ROWS}
    )


def _check_declared_size(sheet: Any) -> None:
    """Refuse a sheet whose <dimension> declares more rows or columns than an import reads: a
    1.5 KB file may declare A1:XFD1048576."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > _max_lines():
        raise _too_many_rows()
    if columns > MAX_COLUMNS:
        raise ImportFileError(
            _(
                "The sheet declares %(columns)s columns; an import reads at most %(max)s. Copy "
                "the table into a new workbook and upload that."
            )
            % {"columns": columns, "max": MAX_COLUMNS}
        )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float: codes and phone numbers must not gain a ".0".
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data:
        raise ImportFileError(_("This file is not a CSV text file."))
    text = _decode(data)
    try:
        for values in csv.reader(io.StringIO(text, newline="")):
            yield [value.strip() for value in values]
    except csv.Error:
        raise ImportFileError(_("This file is not a valid CSV file.")) from None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030: what Excel saves on a Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("Save the CSV file as UTF-8 or GB18030 text."))


def _rows_from_table(table: Iterable[list[str]], columns: tuple[Column, ...]) -> list[dict]:
    header: dict[int, str] | None = None
    rows: list[dict] = []
    for number, values in enumerate(table, start=1):
        if number > _max_lines():  # blank lines count: nothing past the limit is read
            raise _too_many_rows()
        if not any(values):
            continue
        if header is None:
            header = _header(values[:MAX_COLUMNS], columns)
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many_rows()
        row: dict = {"row": number}
        for index, name in header.items():
            row[name] = values[index] if index < len(values) else ""
        rows.append(row)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    for row in rows:
        for column in columns:
            row.setdefault(column.field, "")
    return rows


def _header(values: list[str], columns: tuple[Column, ...]) -> dict[int, str]:
    """Column index → field, from the header row (Chinese or English names)."""
    by_alias = {_norm(alias): column.field for column in columns for alias in column.aliases}
    header: dict[int, str] = {}
    for index, value in enumerate(values):
        name = by_alias.get(_norm(value))
        if name is None:
            continue  # an extra column (a note, say) is ignored
        if name in header.values():
            raise ImportFileError(_("The column “%(column)s” appears twice.") % {"column": value})
        header[index] = name
    missing = [str(c.label) for c in columns if c.required and c.field not in header.values()]
    if missing:
        raise ImportFileError(
            _("The header row lacks the columns: %(columns)s. Start from the template file.")
            % {"columns": ", ".join(missing)}
        )
    return header


# --- Plans -----------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str  # a field name, or "" for the whole row
    message: str

    @property
    def column_label(self) -> str:
        for column in (*UNIT_COLUMNS, *MEMBER_COLUMNS):
            if column.field == self.column:
                return str(column.label)
        return ""


@dataclass
class PlannedUnit:
    row: int
    code: str
    name: str
    parent_code: str
    kind: str
    line: str
    contact_person: str
    contact_phone: str
    sort_order: int
    depth: int = 0  # below the existing parent; orders creation so parents come first

    @property
    def kind_label(self) -> str:
        return str(UnitKind(self.kind).label)

    @property
    def line_label(self) -> str:
        return str(Line(self.line).label)


@dataclass
class UnitsPlan:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    units: list[PlannedUnit] = field(default_factory=list)  # in creation order
    parent_names: dict[str, str] = field(default_factory=dict)  # existing parents, by code


@dataclass
class PlannedUser:
    row: int
    username: str
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class PlannedMembership:
    row: int
    username: str
    unit_code: str
    unit_name: str
    role: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class MembersPlan:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    new_users: list[PlannedUser] = field(default_factory=list)
    memberships: list[PlannedMembership] = field(default_factory=list)  # to add
    unchanged: list[PlannedMembership] = field(default_factory=list)  # exist already


class _Errors(list):
    def add(self, row: int, column: str, message: str) -> None:
        self.append(RowError(row, column, message))


def _too_long(errors: _Errors, row: dict, name: str, limit: int) -> None:
    if len(row[name]) > limit:
        errors.add(row["row"], name, _("At most %(limit)s characters, please.") % {"limit": limit})


# --- Units -----------------------------------------------------------------------------------


def units_validate(*, user: User, rows: list[dict]) -> UnitsPlan:
    """Check `rows` of units for `user` and order them so that parents are created first."""
    errors = _Errors()
    kinds = _choice_lookup(UnitKind.choices, _KIND_ALIASES)
    lines = _choice_lookup(Line.choices, _LINE_ALIASES)
    first_row: dict[str, int] = {}  # code → the row that first gives it
    planned: list[PlannedUnit] = []
    for row in rows:
        number, code = row["row"], row["code"]
        if not code:
            errors.add(number, "code", _("The code is missing."))
        elif len(code) > Unit._meta.get_field("code").max_length:
            _too_long(errors, row, "code", Unit._meta.get_field("code").max_length)
        elif code in first_row:
            errors.add(
                number,
                "code",
                _("The code “%(code)s” appears again in this file (first at row %(first)s).")
                % {"code": code, "first": first_row[code]},
            )
        else:
            first_row[code] = number
        if not row["name"]:
            errors.add(number, "name", _("The name is missing."))
        for name in ("name", "contact_person", "contact_phone"):
            _too_long(errors, row, name, Unit._meta.get_field(name).max_length)

        kind = kinds.get(_norm(row["kind"]), "")
        if not row["kind"]:
            errors.add(number, "kind", _("The kind is missing."))
        elif not kind:
            errors.add(number, "kind", _("Unknown kind “%(value)s”.") % {"value": row["kind"]})
        line = lines.get(_norm(row["line"]), "")
        expected = KIND_LINES.get(kind, "")
        if row["line"] and not line:
            errors.add(number, "line", _("Unknown line “%(value)s”.") % {"value": row["line"]})
        elif line and expected and line != expected:
            errors.add(
                number,
                "line",
                _("A unit of this kind belongs to the line “%(line)s”.")
                % {"line": Line(expected).label},
            )
        elif kind == UnitKind.OTHER and not line:
            errors.add(number, "line", _("Give the line of a unit of the kind “Other”."))

        sort_order = 0
        if row["sort_order"]:
            if re.fullmatch(r"\d{1,9}", row["sort_order"]):
                sort_order = int(row["sort_order"])
            else:
                errors.add(
                    number, "sort_order", _("The sort order must be a whole number, 0 or more.")
                )
        planned.append(
            PlannedUnit(
                row=number,
                code=code,
                name=row["name"],
                parent_code=row["parent_code"],
                kind=kind,
                line=line or expected,
                contact_person=row["contact_person"],
                contact_phone=row["contact_phone"],
                sort_order=sort_order,
            )
        )

    taken = set(Unit.objects.filter(code__in=list(first_row)).values_list("code", flat=True))
    for unit in planned:
        if unit.code in taken and first_row.get(unit.code) == unit.row:
            errors.add(
                unit.row,
                "code",
                _("A unit with the code “%(code)s” already exists.") % {"code": unit.code},
            )

    parent_names = _check_parents(user, planned, first_row, errors)
    _order(planned, first_row, errors)
    errors.sort(key=lambda e: e.row)
    return UnitsPlan(rows=len(rows), errors=errors, units=planned, parent_names=parent_names)


def _check_parents(
    user: User, planned: list[PlannedUnit], in_file: dict[str, int], errors: _Errors
) -> dict[str, str]:
    """Check parents that already exist; return their names by code."""
    codes = {u.parent_code for u in planned if u.parent_code and u.parent_code not in in_file}
    existing = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    in_scope = set(
        units_for_role(user, Role.ADMIN).filter(code__in=codes).values_list("code", flat=True)
    )
    superuser = Scope.of(user).superuser
    for unit in planned:
        code = unit.parent_code
        if not code:
            if not superuser:
                errors.add(
                    unit.row,
                    "parent_code",
                    _("The parent code is missing: add units under a unit you administer."),
                )
        elif code in in_file:
            continue  # checked with the order of creation
        elif code not in existing:
            errors.add(
                unit.row, "parent_code", _("No unit has the code “%(code)s”.") % {"code": code}
            )
        elif code not in in_scope:
            errors.add(
                unit.row,
                "parent_code",
                _("The unit “%(code)s” is outside the units you administer.") % {"code": code},
            )
        elif not existing[code].is_active:
            errors.add(
                unit.row,
                "parent_code",
                _("The unit “%(code)s” is inactive: units cannot be added under it.")
                % {"code": code},
            )
    return {code: unit.name for code, unit in existing.items() if code in in_scope}


def _order(planned: list[PlannedUnit], in_file: dict[str, int], errors: _Errors) -> None:
    """Set each unit's depth below its existing parent and sort parents first; report loops."""
    by_code = {u.code: u for u in planned if in_file.get(u.code) == u.row}
    depth: dict[str, int | None] = {}  # None: in a loop, or below one
    for start in by_code:
        chain: list[str] = []
        code = start
        while code in by_code and code not in depth and code not in chain:
            chain.append(code)
            code = by_code[code].parent_code
        base: int | None
        if code in chain:  # the chain came back to one of its own codes
            loop = chain[chain.index(code) :]
            text = " → ".join([*loop, code])
            for member in loop:
                depth[member] = None
                errors.add(
                    by_code[member].row,
                    "parent_code",
                    _("The parent codes go round in a loop: %(loop)s.") % {"loop": text},
                )
            chain = chain[: chain.index(code)]
            base = None
        else:
            base = depth.get(code, -1)  # -1: the parent exists already, or it is a root
        for member in reversed(chain):
            base = None if base is None else base + 1
            depth[member] = base
    for unit in planned:
        unit.depth = (depth.get(unit.code) if in_file.get(unit.code) == unit.row else None) or 0
    planned.sort(key=lambda u: (u.depth, u.row))


@transaction.atomic
def units_import(*, user: User, rows: list[dict]) -> UnitsPlan:
    """Create every unit in `rows`, parents first, or none of them."""
    plan = units_validate(user=user, rows=rows)
    if plan.errors:
        raise ImportRejected(plan)
    created: dict[str, int] = {}
    for item in plan.units:
        parent = None
        if item.parent_code:
            # Re-read the parent every time: adding a sorted child can shift sibling paths.
            parents = Unit.objects.select_for_update()
            if item.parent_code in created:
                parent = parents.get(pk=created[item.parent_code])
            else:
                parent = parents.get(code=item.parent_code)
        unit = Unit(
            code=item.code,
            name=item.name,
            kind=item.kind,
            line=item.line,
            contact_person=item.contact_person,
            contact_phone=item.contact_phone,
            sort_order=item.sort_order,
        )
        try:
            unit = unit_create(parent=parent, unit=unit)
        except (UnitError, ValidationError, IntegrityError) as exc:
            raise _rejected(plan, item.row, exc) from exc
        created[item.code] = unit.pk
    return plan


def _rejected(plan: UnitsPlan | MembersPlan, row: int, exc: Exception) -> ImportRejected:
    """The refusal to raise when a service refused to write `row` (the tree changed meanwhile)."""
    if isinstance(exc, ValidationError):
        message = " ".join(exc.messages)
    elif isinstance(exc, IntegrityError):
        message = _("Someone else changed the same data at the same time. Try again.")
    else:
        message = str(exc)
    plan.errors.append(RowError(row, "", message))
    return ImportRejected(plan)


# --- Members ---------------------------------------------------------------------------------


def members_validate(*, user: User, rows: list[dict]) -> MembersPlan:
    """Check `rows` of users and roles for `user`. Existing users are never changed: a name or
    e-mail in the file must match theirs. A new user needs an e-mail to set a password."""
    errors = _Errors()
    roles = _choice_lookup(Role.choices, _ROLE_ALIASES)
    unit_codes = {row["unit_code"] for row in rows if row["unit_code"]}
    usernames = {row["username"] for row in rows if row["username"]}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
    in_scope = set(
        units_for_role(user, Role.ADMIN).filter(code__in=unit_codes).values_list("code", flat=True)
    )
    existing_users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    # Existing users whose details the admin may already see: members of a unit they administer.
    known_users = set(
        Membership.objects.filter(
            user__username__in=existing_users, unit__in=units_for_role(user, Role.ADMIN)
        ).values_list("user__username", flat=True)
    )
    held = set(
        Membership.objects.filter(
            user__username__in=usernames, unit__code__in=unit_codes
        ).values_list("user__username", "unit__code", "role")
    )
    validate_username = User.username_validator
    username_length = User._meta.get_field("username").max_length
    new_users: dict[str, PlannedUser] = {}
    seen: dict[tuple[str, str, str], int] = {}
    plan = MembersPlan(rows=len(rows))

    for row in rows:
        number, username = row["row"], row["username"]
        before = len(errors)
        if not username:
            errors.add(number, "username", _("The user name is missing."))
        else:
            try:
                validate_username(username)
                if len(username) > username_length:
                    raise ValidationError("too long")
            except ValidationError:
                errors.add(
                    number,
                    "username",
                    _(
                        "“%(value)s” is not a valid user name: use at most %(limit)s letters, "
                        "digits and @ . + - _."
                    )
                    % {"value": username, "limit": username_length},
                )
        _too_long(errors, row, "name", User._meta.get_field("name").max_length)
        _too_long(errors, row, "phone", User._meta.get_field("phone").max_length)
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                errors.add(
                    number,
                    "email",
                    _("“%(value)s” is not a valid e-mail address.") % {"value": row["email"]},
                )

        code = row["unit_code"]
        if not code:
            errors.add(number, "unit_code", _("The unit code is missing."))
        elif code not in units:
            errors.add(number, "unit_code", _("No unit has the code “%(code)s”.") % {"code": code})
        elif code not in in_scope:
            errors.add(
                number,
                "unit_code",
                _("The unit “%(code)s” is outside the units you administer.") % {"code": code},
            )
        elif not units[code].is_active:
            errors.add(
                number,
                "unit_code",
                _("The unit “%(code)s” is inactive: members cannot be added to it.")
                % {"code": code},
            )

        role = roles.get(_norm(row["role"]), "")
        if not row["role"]:
            errors.add(number, "role", _("The role is missing."))
        elif not role:
            errors.add(number, "role", _("Unknown role “%(value)s”.") % {"value": row["role"]})

        key = (username, code, role)
        if username and code and role:
            if key in seen:
                errors.add(
                    number,
                    "",
                    _("The same user, unit and role are already at row %(first)s.")
                    % {"first": seen[key]},
                )
            else:
                seen[key] = number

        if username in existing_users:
            _check_existing_user(
                errors, row, existing_users[username], reveal=username in known_users
            )
        elif username and len(errors) == before:
            _merge_new_user(errors, row, new_users)

        if len(errors) == before:
            membership = PlannedMembership(number, username, code, units[code].name, role)
            (plan.unchanged if key in held else plan.memberships).append(membership)

    for planned in new_users.values():
        if not planned.email:
            errors.add(
                planned.row,
                "email",
                _("A new user needs an e-mail address, to receive the link to set a password."),
            )
    errors.sort(key=lambda e: e.row)
    plan.errors = errors
    plan.new_users = list(new_users.values())
    return plan


def _check_existing_user(errors: _Errors, row: dict, existing: User, *, reveal: bool) -> None:
    """A name or e-mail in the file must match the existing user's. The stored value is shown
    only to an admin who may see it already (`reveal`: the user is a member of a unit they
    administer). Anyone else adds an existing user only by giving the e-mail on record: without
    it, adding the user to their own unit would show them the user's name and e-mail, and a
    "differs" answer would confirm a guess — so one message says both."""
    if not reveal and row["email"].casefold() != existing.email.casefold():
        errors.add(
            row["row"],
            "email",
            _(
                "The user “%(username)s” cannot be added from this file: to add a user from "
                "outside your units, give the e-mail address they are registered with."
            )
            % {"username": existing.username},
        )
        return
    for name, label in (("name", _("name")), ("email", _("e-mail"))):
        given, stored = row[name], getattr(existing, name)
        same = given.casefold() == stored.casefold() if name == "email" else given == stored
        if not given or same:
            continue
        if reveal:
            message = _(
                "The user “%(username)s” already exists with the %(field)s “%(stored)s”: "
                "the import does not change existing users."
            ) % {"username": existing.username, "field": label, "stored": stored}
        else:
            message = _(
                "The user “%(username)s” already exists with another %(field)s: the import does "
                "not change existing users."
            ) % {"username": existing.username, "field": label}
        errors.add(row["row"], name, message)


def _merge_new_user(errors: _Errors, row: dict, new_users: dict[str, PlannedUser]) -> None:
    """Several rows may name one new user; where they give a name, e-mail or phone, it agrees."""
    planned = new_users.setdefault(row["username"], PlannedUser(row["row"], row["username"]))
    for name in ("name", "email", "phone"):
        given, known = row[name], getattr(planned, name)
        if given and known and given != known:
            errors.add(
                row["row"],
                name,
                _("Row %(first)s gives this user a different value (“%(value)s”).")
                % {"first": planned.row, "value": known},
            )
        elif given:
            setattr(planned, name, given)


@transaction.atomic
def members_import(
    *, user: User, rows: list[dict], domain: str, use_https: bool = True
) -> MembersPlan:
    """Create the new users and every membership in `rows`, or nothing. Once committed, each new
    user gets an e-mail with a link to set their password (sent from `domain`)."""
    plan = members_validate(user=user, rows=rows)
    if plan.errors:
        raise ImportRejected(plan)
    users = {
        u.username: u
        for u in User.objects.filter(username__in={m.username for m in plan.memberships})
    }
    for planned in plan.new_users:
        try:
            new_user = user_invite(
                username=planned.username,
                name=planned.name,
                email=planned.email,
                domain=domain,
                use_https=use_https,
            )
            if planned.phone:
                new_user = user_update_profile(user=new_user, fields={"phone": planned.phone})
        except (ValidationError, IntegrityError) as exc:
            raise _rejected(plan, planned.row, exc) from exc
        users[new_user.username] = new_user
    units = {
        u.code: u for u in Unit.objects.filter(code__in={m.unit_code for m in plan.memberships})
    }
    for membership in plan.memberships:
        try:
            membership_add(
                user=users[membership.username],
                unit=units[membership.unit_code],
                role=membership.role,
            )
        except (UnitError, ValidationError, IntegrityError) as exc:
            raise _rejected(plan, membership.row, exc) from exc
    return plan
