"""A report file (evidence of a fulfilment report or of a follow-up's report), served only to
users who may see its unit (units.scope.Scope.can_view), as an attachment under the same safe
headers as an activity's evidence; out of scope is a 404."""

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from activities.evidence_views import FILE_POLICY
from evaluations.fulfilment_selectors import file_for_user
from evaluations.models import ReportFile
from units.scope import Scope


@login_required
@require_safe
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    return served(file_for_user(Scope.of(request), pk))


def served(item: ReportFile) -> FileResponse:
    """The file's bytes as an attachment (its reader already judged allowed to see it)."""
    # The name the user gave, with the extension of the type found in the file's content.
    filename = PurePath(item.original_name).stem + PurePath(item.file.name).suffix
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=item.content_type, as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cache-Control"] = "private, max-age=3600"
    return response
