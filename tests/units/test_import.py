"""Bulk import of units and of users with their roles: upload → preview → confirm.

Files are built in each test with openpyxl or csv. The tree (see tests/conftest.py) has CITY above
A (committee_a: A1, A2) and B (committee_b: B1); admin_user administers A's subtree.
"""

import csv
import io
import zipfile

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import User
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from units import importing
from units.exceptions import UnitError
from units.importing import ImportRejected, units_import
from units.models import Line, Membership, Role, Unit, UnitKind

UNIT_HEADER = ["代码", "名称", "上级代码", "类型", "条线", "联系人", "联系电话", "排序"]
MEMBER_HEADER = ["用户名", "姓名", "邮箱", "电话", "组织代码", "角色"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture
def client() -> Client:
    """Pages in English, so that the messages asserted here outlive the Chinese translations."""
    return Client(headers={"accept-language": "en"})


def xlsx_file(rows: list[list], name: str = "import.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(
    rows: list[list], name: str = "import.csv", encoding: str = "utf-8-sig"
) -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding), content_type="text/csv")


BUILDERS = {"xlsx": xlsx_file, "csv": csv_file}


def upload(client, kind: str, file: SimpleUploadedFile):
    return client.post(reverse("units:import"), {"kind": kind, "file": file})


def confirm(client, preview):
    assert preview.status_code == 200
    assert preview.context["token"], preview.context["plan"].errors
    return client.post(reverse("units:import_confirm"), {"token": preview.context["token"]})


def reported(response) -> set[tuple[int, str]]:
    """(row, column) of every problem the preview reports."""
    return {(error.row, error.column) for error in response.context["plan"].errors}


def message_for(response, row: int) -> str:
    return " ".join(e.message for e in response.context["plan"].errors if e.row == row)


def state() -> tuple:
    return (
        sorted(Unit.objects.values_list("code", "path")),
        sorted(User.objects.values_list("username", flat=True)),
        sorted(Membership.objects.values_list("user_id", "unit_id", "role")),
    )


# --- Bad rows -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_reports_every_bad_unit_row_and_imports_nothing(client, tree, admin_user, fmt):
    UnitFactory(parent=tree.committee_a, code="A9", name="已撤销支部", is_active=False)
    before = state()
    client.force_login(admin_user)
    rows = [
        UNIT_HEADER,
        ["", "无代码支部", "A", "党支部"],  # 2: code missing
        ["A1", "重名支部", "A", "党支部"],  # 3: code exists
        ["N1", "新支部", "NOPE", "党支部"],  # 4: unknown parent
        ["N2", "越权支部", "B", "党支部"],  # 5: parent outside scope
        ["N3", "", "A", "党支部"],  # 6: name missing
        ["N4", "怪类型", "A", "party_club"],  # 7: bad kind
        ["N5", "错条线", "A", "党支部", "工建"],  # 8: line does not match kind
        ["N6", "坏排序", "A", "党支部", "", "", "", "第一"],  # 9: bad sort order
        ["N6", "重复代码", "A", "党支部"],  # 10: duplicate code in file
        ["N7", "循环甲", "N8", "党支部"],  # 11: loop
        ["N8", "循环乙", "N7", "党支部"],  # 12: loop
        ["N9", "其他组织", "A", "其他"],  # 13: kind other without a line
        ["N10", "挂在撤销单位下", "A9", "党支部"],  # 14: parent inactive
        ["N11", "坏条线值", "A", "其他", "体育"],  # 15: bad line
        ["N12", "上级在上面", "CITY", "党支部"],  # 16: parent above the admin's unit
    ]

    response = upload(client, "units", BUILDERS[fmt](rows))

    assert response.status_code == 200
    assert not response.context["token"]
    assert reported(response) == {
        (2, "code"),
        (3, "code"),
        (4, "parent_code"),
        (5, "parent_code"),
        (6, "name"),
        (7, "kind"),
        (8, "line"),
        (9, "sort_order"),
        (10, "code"),
        (11, "parent_code"),
        (12, "parent_code"),
        (13, "line"),
        (14, "parent_code"),
        (15, "line"),
        (16, "parent_code"),
    }
    assert "missing" in message_for(response, 2)
    assert "already exists" in message_for(response, 3)
    assert "No unit has the code “NOPE”" in message_for(response, 4)
    assert "outside the units you administer" in message_for(response, 5)
    assert "Unknown kind “party_club”" in message_for(response, 7)
    assert "belongs to the line" in message_for(response, 8)
    assert "first at row 9" in message_for(response, 10)
    assert "loop" in message_for(response, 11)
    assert "inactive" in message_for(response, 14)
    assert "outside the units you administer" in message_for(response, 16)
    page = response.content.decode()
    assert "No unit has the code “NOPE”" in page
    assert 'data-testid="import-confirm"' not in page
    assert state() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_reports_every_bad_member_row_and_imports_nothing(client, tree, admin_user, staff, fmt):
    before = state()
    client.force_login(admin_user)
    rows = [
        MEMBER_HEADER,
        ["", "无名", "a@example.gov.cn", "", "A1", "staff"],  # 2: username missing
        ["bad name!", "坏名", "b@example.gov.cn", "", "A1", "staff"],  # 3: invalid username
        ["zhangwei", "张伟", "not-an-email", "", "A1", "staff"],  # 4: bad email
        ["lina", "李娜", "lina@example.gov.cn", "", "NOPE", "staff"],  # 5: unknown unit
        ["lina", "李娜", "lina@example.gov.cn", "", "B1", "staff"],  # 6: outside scope
        ["lina", "李娜", "lina@example.gov.cn", "", "A1", "boss"],  # 7: bad role
        ["wangfang", "王芳", "wangfang@example.gov.cn", "", "A1", "填报员"],  # 8: fine
        ["wangfang", "王芳", "wangfang@example.gov.cn", "", "A1", "Staff"],  # 9: duplicate
        ["staff_a1", "别的名字", "", "", "A2", "staff"],  # 10: existing user, other name
        ["noemail", "无邮箱", "", "", "A1", "reviewer"],  # 11: new user without e-mail
        ["wangfang", "王芳", "other@example.gov.cn", "", "A2", "leader"],  # 12: other e-mail
        ["lina", "李娜", "lina@example.gov.cn", "", "", "staff"],  # 13: unit code missing
    ]

    response = upload(client, "members", BUILDERS[fmt](rows))

    assert response.status_code == 200
    assert not response.context["token"]
    assert reported(response) == {
        (2, "username"),
        (3, "username"),
        (4, "email"),
        (5, "unit_code"),
        (6, "unit_code"),
        (7, "role"),
        (9, ""),
        (10, "name"),
        (11, "email"),
        (12, "email"),
        (13, "unit_code"),
    }
    assert "not a valid user name" in message_for(response, 3)
    assert "not a valid e-mail address" in message_for(response, 4)
    assert "No unit has the code “NOPE”" in message_for(response, 5)
    assert "outside the units you administer" in message_for(response, 6)
    assert "Unknown role “boss”" in message_for(response, 7)
    assert "already at row 8" in message_for(response, 9)
    assert "does not change existing users" in message_for(response, 10)
    assert "needs an e-mail address" in message_for(response, 11)
    assert "Unknown role “boss”" in response.content.decode()
    assert state() == before


def test_it_reports_loops_in_the_parent_codes(admin_user, tree):
    rows = [
        {"row": 2, "code": "X1", "name": "甲", "parent_code": "X1", "kind": "党支部"},
        {"row": 3, "code": "X2", "name": "乙", "parent_code": "X3", "kind": "党支部"},
        {"row": 4, "code": "X3", "name": "丙", "parent_code": "X2", "kind": "党支部"},
        {"row": 5, "code": "X4", "name": "丁", "parent_code": "X3", "kind": "党支部"},
    ]
    for row in rows:
        for name in ("line", "contact_person", "contact_phone", "sort_order"):
            row.setdefault(name, "")

    plan = importing.units_validate(user=admin_user, rows=rows)

    assert {(e.row, e.column) for e in plan.errors} == {
        (2, "parent_code"),
        (3, "parent_code"),
        (4, "parent_code"),
    }
    with pytest.raises(ImportRejected):
        units_import(user=admin_user, rows=rows)
    assert not Unit.objects.filter(code__startswith="X").exists()


# --- Good files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "encoding"),
    [("xlsx", None), ("csv", "utf-8"), ("csv", "utf-8-sig"), ("csv", "gb18030")],
)
def test_it_imports_units_with_parents_in_the_file_in_any_order(
    client, tree, admin_user, fmt, encoding
):
    client.force_login(admin_user)
    rows = [
        [
            "code",
            "Name",
            "Parent code",
            "Kind",
            "Line",
            "Contact person",
            "Contact phone",
            "sort order",
        ],
        ["FK-GH-01", "阜康市直机关工会第一小组", "FK-GH", "其他", "工建", "", "", 2],
        ["FK-GH", "阜康市直机关工会", "A", "trade_union", "", "李明", "0994-3221234", 1],
        ["FK-TW", "阜康市直机关团委", "A", "Youth League committee", "团建"],
        ["FK-TW-1", "第一团支部", "FK-TW", "league_branch"],
        ["FK-FW", "机关妇委会", "A1", "妇委会"],
        [6523, "数字代码支部", "A", "PARTY-BRANCH"],
    ]
    file = xlsx_file(rows) if fmt == "xlsx" else csv_file(rows, encoding=encoding)

    preview = upload(client, "units", file)

    assert preview.context["plan"].errors == []
    order = [u.code for u in preview.context["plan"].units]
    assert order.index("FK-GH") < order.index("FK-GH-01")
    assert order.index("FK-TW") < order.index("FK-TW-1")
    assert Unit.objects.count() == 6
    response = confirm(client, preview)

    assert response.status_code == 302
    assert response.url == reverse("units:import")
    assert Unit.objects.count() == 12
    tree.committee_a.refresh_from_db()
    union = Unit.objects.get(code="FK-GH")
    assert Unit.objects.get_parent(union) == tree.committee_a
    assert (union.kind, union.line, union.contact_person, union.sort_order) == (
        UnitKind.TRADE_UNION,
        Line.UNION,
        "李明",
        1,
    )
    group = Unit.objects.get(code="FK-GH-01")
    assert Unit.objects.get_parent(group) == union
    assert (group.kind, group.line) == (UnitKind.OTHER, Line.UNION)
    branch = Unit.objects.get(code="FK-TW-1")
    assert Unit.objects.get_parent(branch).code == "FK-TW"
    assert branch.line == Line.LEAGUE
    assert Unit.objects.get_parent(Unit.objects.get(code="FK-FW")) == tree.branch_a1
    assert Unit.objects.get(code="6523").kind == UnitKind.PARTY_BRANCH
    page = client.get(response.url).content.decode()
    assert "Imported 6 units." in page
    assert reverse("units:tree") in page


def test_it_imports_users_with_several_roles(
    client, tree, admin_user, staff, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(user=staff, unit=tree.union_a2, role=Role.STAFF)
    client.force_login(admin_user)
    rows = [
        ["username", "Name", "E-mail", "Phone", "Unit code", "Role"],
        ["zhangwei", "张伟", "zhangwei@example.gov.cn", "13899001234", "A1", "填报员"],
        ["zhangwei", "", "", "", "A2", "Reviewer"],
        ["zhangwei", "张伟", "ZhangWei@example.gov.cn".lower(), "", "A", "leader"],
        ["staff_a1", "", staff.email.upper(), "", "A1", "reviewer"],
        ["staff_a1", staff.name, "", "", "A2", "staff"],  # held already: unchanged
    ]

    preview = upload(client, "members", xlsx_file(rows))

    plan = preview.context["plan"]
    assert plan.errors == []
    assert [u.username for u in plan.new_users] == ["zhangwei"]
    assert len(plan.memberships) == 4
    assert [m.row for m in plan.unchanged] == [6]
    assert "unchanged" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, preview)

    assert response.status_code == 302
    zhang = User.objects.get(username="zhangwei")
    assert (zhang.name, zhang.email, zhang.phone) == (
        "张伟",
        "zhangwei@example.gov.cn",
        "13899001234",
    )
    assert zhang.has_usable_password()
    assert set(zhang.memberships.values_list("unit__code", "role")) == {
        ("A1", Role.STAFF),
        ("A2", Role.REVIEWER),
        ("A", Role.LEADER),
    }
    assert staff.memberships.filter(unit=tree.branch_a1, role=Role.REVIEWER).exists()
    assert staff.memberships.filter(unit=tree.union_a2).count() == 1
    staff.refresh_from_db()
    assert staff.email.endswith("@example.gov.cn")
    assert [m.to for m in mailoutbox] == [["zhangwei@example.gov.cn"]]
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": "UID", "token": "TOKEN"},
    ).split("UID")[0]
    assert link in mailoutbox[0].body
    token = mailoutbox[0].body.split(link)[1].split("/")[1]
    assert default_token_generator.check_token(zhang, token)
    page = client.get(response.url).content.decode()
    assert "Added 4 roles. Created 1 user" in page
    assert "1 role was held already." in page


# --- Who may import ------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["staff", "reviewer", "leader"])
def test_it_refuses_users_who_administer_nothing(client, tree, request, actor):
    client.force_login(request.getfixturevalue(actor))
    before = state()

    assert client.get(reverse("units:import")).status_code == 403
    rows = [UNIT_HEADER, ["N1", "新支部", "A", "党支部"]]
    assert upload(client, "units", csv_file(rows)).status_code == 403
    assert client.post(reverse("units:import_confirm"), {"token": "x"}).status_code == 403
    assert client.get(reverse("units:import_template", args=["units", "csv"])).status_code == 403
    assert state() == before


def test_it_sends_anonymous_visitors_to_the_login_page(client, tree):
    response = client.get(reverse("units:import"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_an_outsider_cannot_import_into_another_subtree(client, tree, outsider):
    client.force_login(outsider)
    before = state()

    units = upload(client, "units", csv_file([UNIT_HEADER, ["N1", "新支部", "A", "党支部"]]))
    members = upload(
        client,
        "members",
        csv_file([MEMBER_HEADER, ["zhangwei", "张伟", "z@example.gov.cn", "", "A1", "staff"]]),
    )

    assert reported(units) == {(2, "parent_code")}
    assert reported(members) == {(2, "unit_code")}
    assert "outside the units you administer" in message_for(members, 2)
    assert client.post(reverse("units:import_confirm"), {"token": "x"}).status_code == 302
    assert state() == before


def test_an_admin_can_import_into_their_own_subtree_but_not_beside_it(client, tree, admin_user):
    client.force_login(admin_user)

    response = upload(
        client,
        "units",
        csv_file([UNIT_HEADER, ["N1", "新支部", "A2", "党支部"], ["N2", "旁支", "B1", "党支部"]]),
    )

    assert reported(response) == {(3, "parent_code")}


def test_a_root_unit_needs_a_superuser(client, tree, city_admin):
    rows = [{"row": 2, "code": "ROOT2", "name": "昌吉州委", "parent_code": "", "kind": "党委"}]
    for name in ("line", "contact_person", "contact_phone", "sort_order"):
        rows[0][name] = ""
    superuser = UserFactory(is_superuser=True)

    assert [e.column for e in importing.units_validate(user=city_admin, rows=rows).errors] == [
        "parent_code"
    ]
    units_import(user=superuser, rows=rows)
    assert Unit.objects.get(code="ROOT2").depth == 1


# --- Files refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.xlsx", PNG, "not an Excel workbook"),
        ("photo.csv", PNG, "not a CSV text file"),
        ("photo.png", PNG, "Upload an .xlsx or .csv file"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Upload an .xlsx or .csv"),
        ("empty.csv", b"", "empty"),
        ("header-only.csv", "代码,名称,类型\r\n".encode(), "no data rows"),
        ("wrong-columns.csv", "甲,乙\r\n1,2\r\n".encode(), "lacks the columns"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_usable_spreadsheet(
    client, tree, admin_user, name, content, message
):
    client.force_login(admin_user)
    before = state()

    response = upload(client, "units", SimpleUploadedFile(name, content))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert state() == before


def test_it_refuses_a_zip_that_is_not_a_workbook(client, tree, admin_user):
    client.force_login(admin_user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")

    response = upload(client, "units", SimpleUploadedFile("archive.xlsx", buffer.getvalue()))

    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_it_refuses_an_oversize_file(client, tree, admin_user, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(admin_user)
    rows = [UNIT_HEADER] + [[f"N{i}", "新支部" * 5, "A", "党支部"] for i in range(40)]

    response = upload(client, "units", csv_file(rows))

    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Unit.objects.filter(code__startswith="N").exists()


def test_it_refuses_too_many_rows(client, tree, admin_user, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    client.force_login(admin_user)
    rows = [UNIT_HEADER] + [[f"N{i}", "新支部", "A", "党支部"] for i in range(4)]

    response = upload(client, "units", xlsx_file(rows))

    assert response.status_code == 400
    assert "more than 3 rows" in response.content.decode()


# --- Confirm --------------------------------------------------------------------------------


def test_confirm_validates_again_and_imports_nothing_if_a_code_was_taken(client, tree, admin_user):
    client.force_login(admin_user)
    rows = [UNIT_HEADER, ["N1", "新支部", "A", "党支部"], ["N2", "另一个支部", "A", "党支部"]]
    preview = upload(client, "units", xlsx_file(rows))
    UnitFactory(parent=tree.committee_b, code="N2", name="抢先一步")
    before = state()

    response = confirm(client, preview)

    assert response.status_code == 409
    assert reported(response) == {(3, "code")}
    assert "Nothing was imported" in response.content.decode()
    assert state() == before
    assert not Unit.objects.filter(code="N1").exists()


def test_an_error_while_writing_undoes_the_units_written_before_it(
    client, tree, admin_user, monkeypatch
):
    client.force_login(admin_user)
    rows = [UNIT_HEADER, ["N1", "新支部", "A", "党支部"], ["N2", "另一个支部", "A", "党支部"]]
    preview = upload(client, "units", csv_file(rows))
    create = importing.unit_create

    def create_then_fail(*, parent, unit):
        if unit.code == "N2":
            raise UnitError("A unit cannot be added under an inactive unit.")
        return create(parent=parent, unit=unit)

    monkeypatch.setattr(importing, "unit_create", create_then_fail)
    before = state()

    response = confirm(client, preview)

    assert response.status_code == 409
    assert reported(response) == {(3, "")}
    assert state() == before


def test_confirm_imports_no_roles_if_a_unit_was_deactivated_meanwhile(client, tree, admin_user):
    client.force_login(admin_user)
    rows = [
        MEMBER_HEADER,
        ["zhangwei", "张伟", "zhangwei@example.gov.cn", "", "A1", "staff"],
        ["zhangwei", "张伟", "", "", "A2", "staff"],
    ]
    preview = upload(client, "members", csv_file(rows))
    Unit.objects.filter(code="A2").update(is_active=False)
    before = state()

    response = confirm(client, preview)

    assert response.status_code == 409
    assert reported(response) == {(3, "unit_code")}
    assert state() == before


def test_confirm_works_once_per_preview(client, tree, admin_user):
    client.force_login(admin_user)
    preview = upload(client, "units", csv_file([UNIT_HEADER, ["N1", "新支部", "A", "党支部"]]))
    assert confirm(client, preview).status_code == 302

    again = client.post(
        reverse("units:import_confirm"), {"token": preview.context["token"]}, follow=True
    )

    assert "expired" in again.content.decode()
    assert Unit.objects.filter(code="N1").count() == 1


def test_confirm_refuses_a_wrong_token(client, tree, admin_user):
    client.force_login(admin_user)
    upload(client, "units", csv_file([UNIT_HEADER, ["N1", "新支部", "A", "党支部"]]))

    response = client.post(reverse("units:import_confirm"), {"token": "guessed"})

    assert response.status_code == 302
    assert not Unit.objects.filter(code="N1").exists()


# --- Templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "header"), [("units", UNIT_HEADER), ("members", MEMBER_HEADER)])
def test_the_templates_open_with_their_headers(client, tree, admin_user, kind, header):
    client.force_login(admin_user)

    xlsx = client.get(reverse("units:import_template", args=[kind, "xlsx"]))
    text = client.get(reverse("units:import_template", args=[kind, "csv"]))

    assert xlsx.status_code == text.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    xlsx_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    csv_rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert xlsx_rows[0] == csv_rows[0] == header
    assert len(xlsx_rows) == len(csv_rows) == 2
    assert any("王建华" in str(value) for value in csv_rows[1])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_filled_in_template_imports(client, tree, city_admin, fmt):
    UnitFactory(parent=tree.city, code="FK-CG", name="城关镇党委")
    client.force_login(city_admin)
    units = client.get(reverse("units:import_template", args=["units", fmt]))
    members = client.get(reverse("units:import_template", args=["members", fmt]))

    confirm(client, upload(client, "units", SimpleUploadedFile(f"u.{fmt}", units.content)))
    confirm(client, upload(client, "members", SimpleUploadedFile(f"m.{fmt}", members.content)))

    unit = Unit.objects.get(code="FK-CG-02")
    assert (unit.kind, unit.sort_order) == (UnitKind.PARTY_BRANCH, 20)
    assert User.objects.get(username="wangjianhua").memberships.get().unit == unit


def test_an_unknown_template_is_not_found(client, tree, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("units:import_template", args=["pairs", "csv"])).status_code == 404
    assert client.get(reverse("units:import_template", args=["units", "xls"])).status_code == 404


def test_the_import_page_offers_the_templates(client, tree, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("units:import")).content.decode()

    for kind in ("units", "members"):
        for fmt in ("xlsx", "csv"):
            assert reverse("units:import_template", args=[kind, fmt]) in page
    assert "style=" not in page
    assert "<script>" not in page
