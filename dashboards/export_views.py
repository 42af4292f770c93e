"""Downloads: the filtered activity list (.xlsx, .csv) and a unit's progress table (.xlsx).

The activity exports take the list page's parameters through the same search
(dashboards.filters), so they hold exactly what the page lists, every page of it, and nothing the
user may not see. A unit named outside the user's scope is a 404, as on the page.

The progress table reads the same progress selectors, with the same campaign, period and line
choice (activities.dashboard), as the unit's dashboard, so the two agree figure for figure."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from activities.dashboard import filters_for
from activities.progress import (
    as_of,
    subtree_task_figures,
    target_sums,
)
from campaigns.models import TargetTask
from campaigns.selectors import campaigns_covering
from dashboards import exports, filters
from units.models import Line, Unit
from units.scope import Scope
from units.selectors import children_of, unit_for_user

# Written to memory up to this size, then to a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def _search_or_error(request: HttpRequest):
    search = filters.activity_search(Scope.of(request), request.GET)
    if search.out_of_scope:
        raise Http404
    if search.is_bound and not search.form.is_valid():
        return None
    return search


@login_required
@require_GET
def activities_csv(request: HttpRequest) -> HttpResponse:
    search = _search_or_error(request)
    if search is None:
        return HttpResponseBadRequest(_("The filter is not valid."))
    rows = exports.activity_rows(search.results(), exports.status_labels())
    response = StreamingHttpResponse(
        exports.csv_stream(exports.activity_header(), rows), content_type=exports.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("activities", "csv")}"'
    return response


@login_required
@require_GET
def activities_xlsx(request: HttpRequest) -> HttpResponse:
    search = _search_or_error(request)
    if search is None:
        return HttpResponseBadRequest(_("The filter is not valid."))
    rows = exports.activity_rows(search.results(), exports.status_labels())
    # FileResponse closes (and so deletes) the temporary file once it has been sent.
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    exports.write_activity_xlsx(exports.activity_header(), rows, target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=_filename("activities", "xlsx"),
        content_type=exports.XLSX_TYPE,
    )


def _progress_table(unit: Unit, params) -> exports.ProgressTable:
    chosen = filters_for(campaigns_covering(unit), params)
    if chosen is None:
        raise Http404
    campaign, period, line = chosen.campaign, chosen.period, chosen.line
    today, start = as_of(campaign), campaign.starts_on
    tasks = TargetTask.objects.filter(campaign=campaign, is_active=True)
    if line:
        tasks = tasks.filter(line=line)
    # Lines in their own order (party building first), as the printed tables have them.
    lines = list(Line.values)
    tasks = sorted(tasks, key=lambda t: (lines.index(t.line), t.sort_order, t.code))
    task_ids = [task.pk for task in tasks]
    children = list(children_of(unit).order_by("path"))
    figures = subtree_task_figures([unit.pk, *(c.pk for c in children)], period, task_ids)
    sums = target_sums(unit, campaign)

    def row(code: str, name: str, unit_id: int, targets) -> exports.ProgressRow:
        return exports.ProgressRow(
            code,
            name,
            [
                exports.progress_cells(
                    task, figures.get((unit_id, task.pk)), targets(task.pk), today, start
                )
                for task in tasks
            ],
        )

    rows = [row(child.code, child.name, child.pk, sums.of_child(child).get) for child in children]
    total = row("", _("Total (whole subtree)"), unit.pk, sums.whole.get)
    line_label = str(Line(line).label) if line else _("All lines")
    return exports.ProgressTable(
        unit=unit,
        title=_("%(unit)s · %(campaign)s: progress against targets")
        % {"unit": unit.name, "campaign": campaign.name},
        subtitle=_("Period: %(period)s · Line: %(line)s · As of %(date)s")
        % {"period": period.label, "line": line_label, "date": f"{today:%Y-%m-%d}"},
        tasks=tasks,
        rows=rows,
        total=total,
    )


@login_required
@require_GET
def progress_export(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = unit_for_user(Scope.of(request), unit_pk)
    table = _progress_table(unit, request.GET)
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    exports.write_progress_xlsx(table, target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=_filename(f"progress-{unit.code}", "xlsx"),
        content_type=exports.XLSX_TYPE,
    )
