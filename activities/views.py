"""The activity pages: my unit's activities, the draft form, the activity page with its workflow
buttons, and co-organisers' answers.

Every view starts from `activities.selectors`: an activity the user may not see is a 404; one they
see but may not act on in that way is a 403, or a message when it is only in the wrong state. The
services decide again under the row lock, so a stale page never does what the rules refuse.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import integrity, services
from activities.evidence import size_refusal
from activities.exceptions import ActivityError, TransitionRefused
from activities.forms import ActivityForm
from activities.models import PARTICIPANT_FIELDS, Activity, CoOrganiser, CoOrganiserStatus, Status
from activities.selectors import (
    activities_visible_to,
    activity_for_user,
    can_edit,
    can_reopen,
    can_respond,
    can_review,
    can_submit,
    can_withdraw,
    coorganiser_choices,
    credited_to,
    days_waiting,
    is_reviewer_of,
    unit_activities,
)
from activities.services import NotAllowed
from campaigns import deadlines
from campaigns.selectors import active_campaigns_for, targeted_tasks
from common.posted import level_seen
from common.uploads import MAX_IMAGE_PIXELS, oversized_uploads, upload_limit
from units.models import Unit
from units.scope import Scope

LIST_PAGE_SIZE = 25
TO_CONFIRM = "to_confirm"

_FILE_ICONS = {
    "application/pdf": "bi-file-earmark-pdf",
    "application/msword": "bi-file-earmark-word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "bi-file-earmark-word"
    ),
    "application/vnd.ms-excel": "bi-file-earmark-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "bi-file-earmark-excel",
    "application/vnd.ms-powerpoint": "bi-file-earmark-ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "bi-file-earmark-ppt"
    ),
}


# --- Helpers ---------------------------------------------------------------------------------


def detail_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def next_or_detail(request: HttpRequest, activity: Activity) -> str:
    """Where a POST goes back to: the page that sent it (the review queue, the list) when that is
    one of ours, else the activity's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return detail_url(activity)


def _staff_units(actor: Scope) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=actor.staff_unit_ids, is_active=True).order_by("path"))


def _chosen_unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    """The unit named by ?unit= (404 unless it is one of `units`), or the only one there is."""
    wanted = request.GET.get("unit")
    if wanted:
        for unit in units:
            if str(unit.pk) == wanted:
                return unit
        raise Http404
    return units[0] if len(units) == 1 else None


# --- My unit's activities --------------------------------------------------------------------


def _status_tabs(activities, pending_here, credited) -> list[dict]:
    """The tabs and their counts. A status tab holds what counts for the unit (credited_to): a
    co-organised activity the unit declined or has not confirmed is under "All" only, so its
    "Approved" agrees with the dashboard."""
    counts = activities.aggregate(
        all=Count("pk"),
        **{status: Count("pk", filter=Q(status=status) & credited) for status in Status.values},
        **{TO_CONFIRM: Count("pk", filter=Q(pending_here))},
    )
    tabs = [{"key": "", "label": _("All"), "count": counts["all"]}]
    tabs += [{"key": s.value, "label": s.label, "count": counts[s.value]} for s in Status]
    tabs.append({"key": TO_CONFIRM, "label": _("To confirm"), "count": counts[TO_CONFIRM]})
    return tabs


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    actor = Scope.of(request)
    units = _staff_units(actor)
    if not units:
        return render(request, "activities/activity_list.html", {"units": units})
    unit = _chosen_unit(request, units) or units[0]
    pending_here = Exists(
        CoOrganiser.objects.filter(
            activity=OuterRef("pk"), unit=unit, status=CoOrganiserStatus.PENDING
        )
    )
    activities = unit_activities(unit)
    credited = credited_to(unit)
    tabs = _status_tabs(activities, pending_here, credited)
    status = request.GET.get("status", "")
    if status == TO_CONFIRM:
        activities = activities.filter(pending_here)
    elif status in Status.values:
        activities = activities.filter(credited, status=status)
    else:
        status = ""
    activities = activities.select_related("unit").prefetch_related(
        "tasks",
        Prefetch("coorganisers", queryset=CoOrganiser.objects.select_related("unit")),
    )
    page = Paginator(activities, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for activity in page.object_list:
        coorganisers = list(activity.coorganisers.all())
        ours = next((c for c in coorganisers if c.unit_id == unit.pk), None)
        rows.append(
            {
                "activity": activity,
                "ours": ours,
                "can_respond": ours is not None and can_respond(actor, ours),
                "coorganisers": [c for c in coorganisers if c.unit_id != unit.pk],
            }
        )
    return render(
        request,
        "activities/activity_list.html",
        {
            "units": units,
            "unit": unit,
            "tabs": tabs,
            "status": status,
            "page": page,
            "rows": rows,
        },
    )


# --- The draft form --------------------------------------------------------------------------


def _form_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    activity = context.get("activity")
    context |= {
        "evidence_max_mb": max(settings.EVIDENCE_MAX_BYTES // (1024 * 1024), 1),
        "evidence_max_files": settings.EVIDENCE_MAX_FILES,
        "evidence_count": activity.evidence.count() if activity else 0,
        # Files sent with a form that did not validate were not kept: say so next to the field.
        "files_dropped": bool(request.FILES.getlist("files")),
    }
    return render(request, "activities/activity_form.html", context, status=status)


def attach_uploads(request: HttpRequest, actor: Scope, activity: Activity, uploads) -> bool:
    """Attach each file on its own through the evidence service: a refused file is reported by
    name and the others are kept. A file over the size limit was skipped while it streamed in
    (common.uploads) and is reported here too. True when every file was attached."""
    attached_all = True
    for name in oversized_uploads(request):
        messages.error(request, size_refusal(name))
        attached_all = False
    for upload in uploads:
        name = upload.name or ""
        try:
            services.evidence_add(actor=actor, activity=activity, upload=upload)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except TransitionRefused as error:
            # The activity is locked: every other file would be refused for the same reason.
            messages.error(request, str(error))
            return False
        except ActivityError as error:
            reason = str(error)
            if name not in reason:
                reason = _("“%(name)s” was not attached: %(reason)s") % {
                    "name": name,
                    "reason": reason,
                }
            messages.error(request, reason)
            attached_all = False
        else:
            messages.success(request, _("“%(name)s” has been attached.") % {"name": name})
    return attached_all


def _save_and_maybe_submit(
    request: HttpRequest, actor: Scope, activity: Activity, saved: str
) -> HttpResponse:
    """After the draft is saved: attach the files chosen on the form, then submit it when asked.
    A refused submission leaves a draft with everything typed and attached, back on the form
    with the reason, so nothing is lost and nothing is locked without its evidence."""
    attached_all = attach_uploads(request, actor, activity, request.FILES.getlist("files"))
    if "save_submit" not in request.POST:
        messages.success(request, saved)
        return redirect(detail_url(activity))
    edit_url = reverse("activities:edit", args=[activity.pk])
    if not attached_all:
        messages.warning(
            request,
            _("Saved as a draft but not submitted: a file was not attached. Attach it again or "
              "remove it from the form, then submit."),
        )  # fmt: skip
        return redirect(edit_url)
    try:
        services.activity_submit(actor=actor, activity=activity)
    except ActivityError as error:
        messages.warning(
            request,
            _("Saved as a draft but not submitted: %(reason)s") % {"reason": error},
        )
        return redirect(edit_url)
    if activity.evidence.exists():
        messages.success(request, _("Saved and submitted for review."))
    else:
        messages.success(
            request,
            _("Saved and submitted for review without evidence. To attach files now, withdraw it "
              "first (possible until a reviewer acts)."),
        )  # fmt: skip
    return redirect(detail_url(activity))


def _service_error(form: ActivityForm, error: Exception) -> None:
    if isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error))


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    actor = Scope.of(request)
    units = _staff_units(actor)
    if not units:
        raise PermissionDenied(_("Only a unit's staff may log its activities."))
    unit = _chosen_unit(request, units)
    context: dict = {"units": units, "unit": unit, "creating": True}
    if unit is None:
        return _form_page(request, context)
    campaign = active_campaigns_for(unit).first()
    context["campaign"] = campaign
    if campaign is None:
        return _form_page(request, context)
    form = ActivityForm(
        request.POST or None,
        tasks=targeted_tasks(unit, campaign),
        coorganisers=coorganiser_choices(unit),
        campaign=campaign,
    )
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=actor,
                unit=unit,
                campaign=campaign,
                data=form.data_fields(),
                tasks=form.cleaned_data["tasks"],
                coorganisers=form.cleaned_data["coorganisers"],
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except (ActivityError, ValidationError) as error:
            _service_error(form, error)
            return _form_page(request, context, status=400)
        return _save_and_maybe_submit(request, actor, activity, _("The draft has been saved."))
    return _form_page(request, context)


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    activity = activity_for_user(actor, pk)
    if not can_edit(actor, activity):
        if not actor.is_staff_of(activity.unit_id):
            raise PermissionDenied(_("You may not change this activity."))
        messages.error(request, services.locked_reason(activity))
        return redirect(detail_url(activity))
    form = ActivityForm(
        request.POST or None,
        instance=activity,
        tasks=targeted_tasks(activity.unit, activity.campaign),
        coorganisers=coorganiser_choices(activity.unit),
        campaign=activity.campaign,
    )
    context = {"unit": activity.unit, "campaign": activity.campaign, "form": form}
    context["activity"] = activity
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_update(
                actor=actor,
                activity=activity,
                data=form.data_fields(),
                tasks=form.cleaned_data["tasks"],
                coorganisers=form.cleaned_data["coorganisers"],
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except (ActivityError, ValidationError) as error:
            _service_error(form, error)
            return _form_page(request, context, status=400)
        return _save_and_maybe_submit(request, actor, activity, _("The activity has been saved."))
    return _form_page(request, context)


# --- The activity page -----------------------------------------------------------------------


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    activity = activity_for_user(actor, pk)
    coorganisers = [
        {"row": c, "can_respond": can_respond(actor, c)}
        for c in activity.coorganisers.select_related("unit", "responded_by").order_by("unit__path")
    ]
    images, files = [], []
    evidence = list(activity.evidence.all())
    for item in evidence:
        item.activity = activity
        if item.is_image:
            images.append(item)
        else:
            item.icon = _FILE_ICONS.get(item.content_type, "bi-file-earmark-image")
            files.append(item)
    # Matches with other evidence and capture dates, for those who review it only.
    warnings = {}
    if is_reviewer_of(actor, activity):
        warnings = integrity.evidence_warnings(actor, evidence)
    for item in evidence:
        item.warnings = warnings.get(item.pk, [])
    waited = days_waiting(activity, deadlines.today(activity.campaign))
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "author": activity.created_by,
            "tasks": list(activity.tasks.all()),
            "participants": [
                (group.label, getattr(activity, field))
                for group, field in PARTICIPANT_FIELDS.items()
            ],
            "coorganisers": coorganisers,
            "images": images,
            "evidence_count": len(images) + len(files),
            "evidence_warnings": sum(len(found) for found in warnings.values()),
            "files": files,
            "events": list(activity.events.select_related("actor")),
            "days_waiting": waited,
            "overdue": waited is not None
            and deadlines.is_overdue(waited, activity.campaign.review_deadline_days),
            "can_edit": can_edit(actor, activity),
            "can_submit": can_submit(actor, activity),
            "can_withdraw": can_withdraw(actor, activity),
            "can_review": can_review(actor, activity),
            "can_reopen": can_reopen(actor, activity),
            "evidence_max_files": settings.EVIDENCE_MAX_FILES,
            "evidence_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024) or 1,
            "evidence_max_megapixels": MAX_IMAGE_PIXELS // 1_000_000,
            # A co-organiser's staff may not open the organising unit's page: no dead link.
            "unit_linked": Scope.of(request).can_view(activity.unit),
        },
    )


# --- Transitions -----------------------------------------------------------------------------


def _transition(
    request: HttpRequest, pk: int, act: Callable[[Scope, Activity], str]
) -> HttpResponse:
    """Run one workflow service on an activity the user can see: a refusal by role is a 403,
    a refusal by state (someone acted first, a reason missing) a message."""
    actor = Scope.of(request)
    activity = activity_for_user(actor, pk)
    try:
        done = act(actor, activity)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(next_or_detail(request, activity))


@login_required
@require_POST
def activity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(actor: Scope, activity: Activity) -> str:
        services.activity_submit(actor=actor, activity=activity)
        return _("Submitted for review.")

    return _transition(request, pk, act)


@login_required
@require_POST
def activity_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def act(actor: Scope, activity: Activity) -> str:
        services.activity_withdraw(actor=actor, activity=activity)
        return _("Withdrawn: it is a draft again.")

    return _transition(request, pk, act)


@login_required
@require_POST
def activity_approve(request: HttpRequest, pk: int) -> HttpResponse:
    level = level_seen(request.POST)
    if level is None:
        return render(request, "400.html", status=400)
    comment = request.POST.get("comment", "").strip()

    def act(actor: Scope, activity: Activity) -> str:
        done = services.activity_approve(
            actor=actor, activity=activity, level=level, comment=comment
        )
        if done.status == Status.APPROVED:
            return _("“%(title)s” is approved.") % {"title": done.title}
        return _("“%(title)s” is approved at level 1 and passed to level 2.") % {
            "title": done.title
        }

    return _transition(request, pk, act)


@login_required
@require_POST
def activity_return(request: HttpRequest, pk: int) -> HttpResponse:
    level = level_seen(request.POST)
    if level is None:
        return render(request, "400.html", status=400)
    reason = request.POST.get("reason", "")

    def act(actor: Scope, activity: Activity) -> str:
        done = services.activity_return(actor=actor, activity=activity, level=level, reason=reason)
        return _("“%(title)s” has been returned to its unit.") % {"title": done.title}

    return _transition(request, pk, act)


@login_required
@require_POST
def activity_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")

    def act(actor: Scope, activity: Activity) -> str:
        services.activity_reopen(actor=actor, activity=activity, reason=reason)
        return _("Reopened: it has gone back to its unit as returned.")

    return _transition(request, pk, act)


# --- Co-organisers ---------------------------------------------------------------------------


@login_required
@require_POST
def coorganiser_respond(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    coorganiser = get_object_or_404(
        CoOrganiser.objects.select_related("activity", "unit").filter(
            activity__in=activities_visible_to(actor)
        ),
        pk=pk,
    )
    answer = request.POST.get("confirm")
    if answer not in ("0", "1"):
        return render(request, "400.html", status=400)
    try:
        services.coorganiser_respond(actor=actor, coorganiser=coorganiser, confirm=answer == "1")
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        if answer == "1":
            done = _("%(unit)s has confirmed it co-organised “%(title)s”.")
        else:
            done = _("%(unit)s has declined “%(title)s”.")
        messages.success(
            request, done % {"unit": coorganiser.unit.name, "title": coorganiser.activity.title}
        )
    return redirect(next_or_detail(request, coorganiser.activity))
