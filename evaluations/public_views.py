"""The public appraisal page (群众评议), opened by anyone from a unit's QR code without logging in.

Every input is hostile: the token must name a current link (else 404), a device rates a unit once
per campaign (a signed device cookie, and a unique constraint on its hash), each client address
is limited across every unit (APPRAISAL_RATE for ratings, PUBLIC_PAGE_RATE for pages; a burst is a
429), and a remark is stored as text and shown escaped."""

import hashlib
import secrets

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from campaigns.models import Season
from common.client_address import client_key
from evaluations import services
from evaluations.exceptions import AlreadyRated, AppraisalClosed
from evaluations.forms import RatingForm
from evaluations.models import AppraisalLink, Rating

DEVICE_COOKIE = "cx_device"
DEVICE_SALT = "evaluations.appraisal-device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def _key(group: str, request: HttpRequest) -> str:
    """The rate limits' key: the client address as the lockout reads it (PROXY_COUNT)."""
    return client_key(request)


def limited(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key=_key, rate=rate, method=ALL, increment=True)


def page_limited(request: HttpRequest) -> bool:
    """Has this client address opened more public pages than PUBLIC_PAGE_RATE allows? Every
    public page (appraisal, board, notices, honour roll) counts against the one limit."""
    return limited(request, "public-page", settings.PUBLIC_PAGE_RATE)


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "evaluations/public/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def device_of(request: HttpRequest) -> tuple[str, bool]:
    """This browser's device id from its signed cookie, or a new one (True: set the cookie)."""
    found = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if found and len(found) <= 64:
        return found, False
    return secrets.token_urlsafe(16), True


def device_hash(device: str, link: AppraisalLink) -> str:
    """What is kept of a device: a hash of its random id with the unit and the campaign, so its
    ratings of different units cannot be linked, and a new SECRET_KEY changes nothing."""
    return hashlib.sha256(f"{device}|{link.campaign_id}|{link.unit_id}".encode()).hexdigest()


def has_rated(device: str, link: AppraisalLink) -> bool:
    return Rating.objects.filter(
        campaign=link.campaign, unit=link.unit, device=device_hash(device, link)
    ).exists()


def remember_device(response: HttpResponse, device: str) -> HttpResponse:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device,
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def current_link(token: str) -> AppraisalLink:
    """The link `token` names if it is current; a replaced one answers 404 with a page that says
    so (someone scanned an old poster); any other token is a plain 404."""
    found = (
        AppraisalLink.objects.select_related("unit", "campaign__unit")
        .filter(token=token[:64], unit__is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    if found.revoked_at is not None:
        raise Replaced(found)
    return found


class Replaced(Http404):
    def __init__(self, link: AppraisalLink) -> None:
        super().__init__()
        self.link = link


def replaced(request: HttpRequest, link: AppraisalLink) -> HttpResponse:
    context = {"unit": link.unit, "campaign": link.campaign}
    return render(request, "evaluations/public/replaced.html", context, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def appraise(request: HttpRequest, token: str) -> HttpResponse:
    if page_limited(request):
        return too_many(request)
    try:
        link = current_link(token)
    except Replaced as gone:
        return replaced(request, gone.link)
    if not link.unit.path.startswith(link.campaign.unit.path):
        raise Http404  # the unit has moved out of the campaign's tree since the link was made
    device, new_device = device_of(request)
    context = {"link": link, "unit": link.unit, "campaign": link.campaign}
    if link.campaign.season() != Season.RUNNING:
        return render(request, "evaluations/public/closed.html", context)
    rated = not new_device and has_rated(device, link)
    if rated:
        return render(
            request,
            "evaluations/public/already.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if limited(request, "appraisal-rating", settings.APPRAISAL_RATE):
            return too_many(request)
        if new_device:
            # A phone opens the page before it rates, and keeps the cookie the page set: a rating
            # without it is not taken (dropping cookies would make every POST a new phone).
            form.is_valid()
            form.add_error(None, _("Please send your rating again: this page needs its cookie."))
        elif form.is_valid():
            try:
                services.rating_submit(
                    link,
                    form.cleaned_data["verdict"],
                    form.cleaned_data["remark"],
                    device_hash(device, link),
                )
            except AlreadyRated:
                return render(request, "evaluations/public/already.html", context, status=409)
            except AppraisalClosed:
                return render(request, "evaluations/public/closed.html", context)
            return remember_device(redirect("public:appraise_thanks", token=link.token), device)
    response = render(
        request,
        "evaluations/public/appraise.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )
    return remember_device(response, device) if new_device else response


@never_cache
@require_http_methods(["GET"])
def appraise_thanks(request: HttpRequest, token: str) -> HttpResponse:
    if page_limited(request):
        return too_many(request)
    try:
        link = current_link(token)
    except Replaced as gone:
        return replaced(request, gone.link)
    device, new_device = device_of(request)
    rated = not new_device and has_rated(device, link)
    if not rated:  # only a phone that has rated is thanked; anyone else gets the form
        return redirect("public:appraise", token=link.token)
    context = {"unit": link.unit, "campaign": link.campaign}
    return render(request, "evaluations/public/thanks.html", context)
