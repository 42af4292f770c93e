"""Evidence files: upload, download, thumbnail and delete.

Files live in Django's storage under random names and are never served from a media URL: every
download goes through `_visible_evidence`, which starts from `activities_visible_to`, so a file of
an activity the user may not see is a 404 like the activity itself."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from activities import services
from activities.exceptions import ActivityError
from activities.models import Evidence
from activities.selectors import activities_visible_to, activity_for_user
from activities.services import NotAllowed
from activities.views import attach_uploads, detail_url
from common.uploads import oversized_uploads, upload_limit
from units.scope import Scope


def _visible_evidence(request: HttpRequest, pk: int) -> Evidence:
    visible = activities_visible_to(Scope.of(request))
    return get_object_or_404(
        Evidence.objects.select_related("activity").filter(activity__in=visible), pk=pk
    )


# Served files get a policy of their own instead of the pages': they run nothing, load nothing
# but themselves, and open sandboxed (an opaque origin: no cookies, no scripts). The inline styles
# Chromium's viewer gives an image opened in a tab are allowed — under the pages' `style-src
# 'self'` each was a console error — as a sandboxed document without scripts can do nothing with
# them.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _serve(stored: FieldFile, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=filename
    )
    # The type was decided from the file's bytes on upload; the browser must not guess again.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY  # CSPMiddleware leaves a set policy alone
    response["Cache-Control"] = "private, max-age=3600"
    return response


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach each file on its own, one after the other: a refused file is reported and the
    others are kept. A file over the size limit was skipped while it streamed in."""
    actor = Scope.of(request)
    activity = activity_for_user(actor, pk)
    uploads = request.FILES.getlist("files")
    oversized = oversized_uploads(request)
    if not uploads and not oversized:
        messages.error(request, _("Choose one or more files to attach."))
        return redirect(detail_url(activity))
    attach_uploads(request, actor, activity, uploads)
    return redirect(detail_url(activity))


@login_required
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    item = _visible_evidence(request, pk)
    # Images open in the browser; anything else (PDF, Office) is saved, never rendered by us.
    # The name the user gave, with the extension of the type found in the file's content: a
    # file named run.bat that is really a PDF is served as run.pdf.
    filename = PurePath(item.original_name).stem + PurePath(item.file.name).suffix
    return _serve(
        item.file, content_type=item.content_type, filename=filename, inline=item.is_image
    )


@login_required
@require_safe
def evidence_thumbnail(request: HttpRequest, pk: int, size: str = "medium") -> FileResponse:
    """A photo's thumbnail (activities.photos.THUMBNAIL_SIZES), in the same scope as the photo;
    a 404 until the task has made it."""
    item = _visible_evidence(request, pk)
    stored = item.thumbnail_small if size == "small" else item.thumbnail
    if not stored:
        raise Http404
    return _serve(stored, content_type="image/jpeg", filename=f"{item.pk}-{size}.jpg", inline=True)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_evidence(request, pk)
    try:
        services.evidence_delete(actor=Scope.of(request), evidence=item)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” has been removed.") % {"name": item.original_name})
    return redirect(detail_url(item.activity))
