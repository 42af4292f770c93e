"""The honours round's second half, in pages.

For the organising unit (signed in): the rounds it organises, a round's notice page (publish the
shortlist, read and answer the objections with their contacts, commend). A round the user is not
an admin or leader of is a 404; a move their role does not allow is a 403.

For the public (no login, under /public/, each client address limited like the appraisal pages,
PUBLIC_PAGE_RATE; objections also HONOUR_OBJECTION_RATE; a burst is a 429): the shortlist's
notice with the objection form, an objection's own page at the link its sender keeps (its
answer), the honour roll with its filters, an honour and its certificate
(荣誉证书, public by the honour's public id: it shows nothing the roll does not). No database id,
no e-mail, no objector's contact, nothing shortlisted but not yet published, nothing declined."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import deadlines
from common.paging import page_number
from evaluations import honour_roll_selectors as selectors
from evaluations import honour_roll_services as services
from evaluations.exceptions import EvaluationError, NotAllowed, NoticeClosed
from evaluations.honour_roll_forms import AnswerForm, CommendForm, ObjectionForm
from evaluations.honour_services import window_over
from evaluations.models import HonourObjection, HonourRound
from evaluations.public_views import limited, page_limited, too_many
from units.models import Line

ROLL_PER_PAGE = 50


def _round_for(request: HttpRequest, pk: int) -> HonourRound:
    """The round if the user is an admin or leader of its organising unit, else a 404."""
    honour_round = get_object_or_404(HonourRound.objects.select_related("campaign__unit"), pk=pk)
    if not services.may_see(request.user, honour_round):
        raise Http404
    return honour_round


# --- The organising unit ------------------------------------------------------------------------


@login_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.rounds_for(request.user)[:100])
    return render(request, "evaluations/honour_roll/rounds.html", {"rounds": rounds})


def _notice_page(
    request: HttpRequest,
    honour_round: HonourRound,
    commend_form: CommendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    objections = list(selectors.round_objections(honour_round))
    context = {
        "round": honour_round,
        "entries": list(selectors.on_notice(honour_round)),
        "objections": objections,
        "unanswered": sum(1 for o in objections if o.answered_at is None),
        "may_publish": services.may_publish(request.user, honour_round),
        "may_commend": services.may_commend(request.user, honour_round),
        "notice_open": services.notice_open(honour_round),
        "notice_over": services.notice_over(honour_round),
        "applications_over": window_over(honour_round),
        "answer_max": services.ANSWER_MAX_LENGTH,
        "commend_form": commend_form
        or CommendForm(initial={"decided_on": deadlines.today(honour_round.campaign)}),
    }
    return render(request, "evaluations/honour_roll/notice.html", context, status=status)


@login_required
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_page(request, _round_for(request, pk))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    honour_round = _round_for(request, pk)
    try:
        services.shortlist_publish(actor=request.user, honour_round=honour_round)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The shortlist is published for its notice period."))
    return redirect("evaluations:honour_notice", pk=honour_round.pk)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        HonourObjection.objects.select_related("application__round__campaign__unit"), pk=pk
    )
    honour_round = objection.application.round
    if not services.may_see(request.user, honour_round):
        raise Http404
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("answer", [])))
        return redirect("evaluations:honour_notice", pk=honour_round.pk)
    try:
        services.objection_answer(
            actor=request.user, objection=objection, answer=form.cleaned_data["answer"]
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The objection is answered."))
    return redirect("evaluations:honour_notice", pk=honour_round.pk)


@login_required
@require_POST
def commend(request: HttpRequest, pk: int) -> HttpResponse:
    honour_round = _round_for(request, pk)
    if not services.may_commend(request.user, honour_round):
        raise PermissionDenied
    form = CommendForm(request.POST)
    if form.is_valid():
        try:
            honours = services.round_commend(
                actor=request.user,
                honour_round=honour_round,
                document_number=form.cleaned_data["document_number"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except EvaluationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d honour is conferred and on the public honour roll.",
                    "%(count)d honours are conferred and on the public honour roll.",
                    len(honours),
                )
                % {"count": len(honours)},
            )
            return redirect("evaluations:honour_notice", pk=honour_round.pk)
    honour_round.refresh_from_db()
    return _notice_page(request, honour_round, commend_form=form, status=400)


# --- The public -------------------------------------------------------------------------------


def _objection_rate() -> str:
    return settings.HONOUR_OBJECTION_RATE


@never_cache
@require_http_methods(["GET", "POST"])
def public_notice(request: HttpRequest, public_id: str) -> HttpResponse:
    if page_limited(request):
        return too_many(request)
    honour_round = selectors.published_round(public_id)
    if honour_round is None:
        raise Http404
    entries = selectors.notice_entries(honour_round)
    is_open = services.notice_open(honour_round)
    form = ObjectionForm(request.POST or None, entries=entries if is_open else ())
    status = 200
    if request.method == "POST":
        if limited(request, "honour-objection", _objection_rate()):
            return too_many(request)
        if not is_open:
            refusal = _("The notice period is over: objections are no longer taken.")
            context = _public_notice_context(honour_round, entries, None, refusal)
            return render(
                request, "evaluations/honour_roll/public_notice.html", context, status=409
            )
        if form.is_valid():
            application = selectors.application_by_ref(honour_round, form.cleaned_data["nominee"])
            if application is None:
                form.add_error("nominee", _("Choose the nominee you object to."))
            else:
                try:
                    objection = services.objection_send(
                        application=application,
                        text=form.cleaned_data["text"],
                        name=form.cleaned_data["name"],
                        contact=form.cleaned_data["contact"],
                    )
                except NoticeClosed as error:
                    return render(
                        request,
                        "evaluations/honour_roll/public_notice.html",
                        _public_notice_context(honour_round, entries, None, str(error)),
                        status=409,
                    )
                except EvaluationError as error:
                    form.add_error(None, str(error))
                else:
                    url = reverse("public:honour_objection", args=[objection.public_id])
                    return redirect(f"{url}?sent=1")
        status = 400
    return render(
        request,
        "evaluations/honour_roll/public_notice.html",
        _public_notice_context(honour_round, entries, form if is_open else None, ""),
        status=status,
    )


def _public_notice_context(honour_round, entries, form, refusal: str) -> dict:
    return {
        "round": honour_round,
        "campaign": honour_round.campaign,
        "entries": entries,
        "form": form,
        "refusal": refusal,
        "notice_over": services.notice_over(honour_round),
    }


@never_cache
@require_GET
def public_objection(request: HttpRequest, public_id: str) -> HttpResponse:
    """The sender's own page of an objection, at the link they were given when they sent it
    (it stands for the reference code): its nominee, its text, whether it is answered and the
    answer. Never the name or contact it was sent with."""
    if page_limited(request):
        return too_many(request)
    objection = selectors.objection_by_public_id(public_id)
    if objection is None:
        raise Http404
    context = {
        "objection": objection,
        "application": objection.application,
        "round": objection.application.round,
        "sent": request.GET.get("sent") == "1",
        "link": request.build_absolute_uri(request.path),
    }
    return render(request, "evaluations/honour_roll/public_objection.html", context)


@require_GET
def public_roll(request: HttpRequest) -> HttpResponse:
    if page_limited(request):
        return too_many(request)
    chosen = selectors.read_filter(request.GET)
    number = page_number(request.GET.get("page"))
    start = (number - 1) * ROLL_PER_PAGE
    honours = list(selectors.honour_roll(chosen)[start : start + ROLL_PER_PAGE + 1])
    page = {
        "number": number,
        "has_previous": number > 1,
        "has_next": len(honours) > ROLL_PER_PAGE,
    }
    context = {
        "honours": honours[:ROLL_PER_PAGE],
        "page": page,
        "chosen": chosen,
        "years": selectors.roll_years(),
        "categories": selectors.roll_categories(),
        "lines": Line.choices,
    }
    return render(request, "evaluations/honour_roll/public_roll.html", context)


def _public_honour(request: HttpRequest, public_id: str, template: str) -> HttpResponse:
    if page_limited(request):
        return too_many(request)
    honour = selectors.honour_by_public_id(public_id)
    if honour is None:
        raise Http404
    line = Line(honour.line).label if honour.line in Line.values else ""
    return render(request, template, {"honour": honour, "line": line})


@require_GET
def public_honour(request: HttpRequest, public_id: str) -> HttpResponse:
    return _public_honour(request, public_id, "evaluations/honour_roll/public_honour.html")


@require_GET
def public_certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    return _public_honour(request, public_id, "evaluations/honour_roll/certificate.html")
