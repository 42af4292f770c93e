"""Bulk import: upload → preview (every bad row, or what will be created) → confirm.

The rows of a clean preview wait in the session under a one-time token; confirm validates them
again, since the tree may have changed meanwhile, and imports all of them or none."""

import csv
import io
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.models import User
from common.spreadsheets import csv_row, xlsx_append
from common.uploads import oversized_uploads, upload_limit
from units.import_forms import ImportForm
from units.importing import (
    COLUMNS,
    ImportRejected,
    MembersPlan,
    UnitsPlan,
    file_too_large,
    members_import,
    members_validate,
    units_import,
    units_validate,
)
from units.models import Role
from units.selectors import units_for_role

SESSION_KEY = "units_import"

# One example row per template, in the words a Fukang admin would use.
TEMPLATES = {
    "units": [
        ["代码", "名称", "上级代码", "类型", "条线", "联系人", "联系电话", "排序"],
        ["FK-CG-02", "城关镇第二党支部", "FK-CG", "党支部", "党建", "王建华", "0994-3221234", "20"],
    ],
    "members": [
        ["用户名", "姓名", "邮箱", "电话", "组织代码", "角色"],
        [
            "wangjianhua",
            "王建华",
            "wangjianhua@example.gov.cn",
            "13899001234",
            "FK-CG-02",
            "填报员",
        ],
    ],
}
_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _require_admin(user: User) -> None:
    if not units_for_role(user, Role.ADMIN).exists():
        raise PermissionDenied


@upload_limit("IMPORT_MAX_BYTES")
@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        return render(request, "units/import_start.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        if oversized_uploads(request):  # skipped while it streamed in
            form.errors["file"] = form.error_class([file_too_large(settings.IMPORT_MAX_BYTES)])
        return render(request, "units/import_start.html", {"form": form}, status=400)
    kind, rows = form.cleaned_data["kind"], form.cleaned_data["rows"]
    validate = units_validate if kind == "units" else members_validate
    plan = validate(user=request.user, rows=rows)
    token = ""
    request.session.pop(SESSION_KEY, None)
    if not plan.errors:
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {"token": token, "kind": kind, "rows": rows}
    return _preview(request, kind, plan, token=token, filename=form.cleaned_data["file"].name)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    pending = request.session.pop(SESSION_KEY, None)
    token = request.POST.get("token", "")
    if not pending or not token or not constant_time_compare(token, pending["token"]):
        messages.error(request, _("This preview has expired or was imported already."))
        return redirect("units:import")
    kind, rows = pending["kind"], pending["rows"]
    try:
        if kind == "units":
            plan = units_import(user=request.user, rows=rows)
        else:
            plan = members_import(
                user=request.user,
                rows=rows,
                domain=request.get_host(),
                use_https=request.is_secure(),
            )
    except ImportRejected as exc:
        messages.error(
            request,
            _("Nothing was imported: the data changed since the preview. Fix the rows below."),
        )
        return _preview(request, kind, exc.plan, status=409)
    messages.success(request, _summary(plan))
    return redirect("units:import")


def _preview(
    request: HttpRequest,
    kind: str,
    plan: UnitsPlan | MembersPlan,
    *,
    token: str = "",
    filename: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"kind": kind, "plan": plan, "token": token, "filename": filename}
    return render(request, "units/import_preview.html", context, status=status)


def _summary(plan: UnitsPlan | MembersPlan) -> str:
    if isinstance(plan, UnitsPlan):
        count = len(plan.units)
        return ngettext("Imported %(count)s unit.", "Imported %(count)s units.", count) % {
            "count": count
        }
    parts = [
        ngettext("Added %(count)s role.", "Added %(count)s roles.", len(plan.memberships))
        % {"count": len(plan.memberships)}
    ]
    if plan.new_users:
        parts.append(
            ngettext(
                "Created %(count)s user, who was e-mailed a link to set a password.",
                "Created %(count)s users, who were e-mailed a link to set a password.",
                len(plan.new_users),
            )
            % {"count": len(plan.new_users)}
        )
    if plan.unchanged:
        parts.append(
            ngettext(
                "%(count)s role was held already.",
                "%(count)s roles were held already.",
                len(plan.unchanged),
            )
            % {"count": len(plan.unchanged)}
        )
    return " ".join(parts)


@login_required
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """An empty import file with its header row and one example row."""
    _require_admin(request.user)
    if kind not in COLUMNS or fmt not in _CONTENT_TYPES:
        raise Http404
    rows = TEMPLATES[kind]
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = kind
        for row in rows:
            xlsx_append(sheet, [int(v) if v.isdigit() and len(v) < 6 else v for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    else:
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(csv_row(row) for row in rows)
        # The byte-order mark makes Excel read the file as UTF-8 rather than the local code page.
        content = ("\ufeff" + text.getvalue()).encode("utf-8")
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="import-{kind}.{fmt}"'
    return response
