"""The public commitment board of a unit (公开承诺), opened by anyone without logging in from its
printed QR code: the unit's approved commitments and how each stands. Its id is the unguessable
PublicBoard.public_id (an unknown one is a 404); each client address is limited like the
appraisal pages (PUBLIC_PAGE_RATE, a burst is a 429). No staff names, no evidence."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from evaluations import commitment_selectors as selectors
from evaluations.public_views import page_limited, too_many


@never_cache
@require_GET
def board(request: HttpRequest, public_id: str) -> HttpResponse:
    if page_limited(request):
        return too_many(request)
    found = selectors.board_by_public_id(public_id)
    if found is None:
        raise Http404
    standings = selectors.published_items(found.unit)
    campaigns: list = []
    for row in standings:
        if not campaigns or campaigns[-1][0].pk != row.item.campaign_id:
            campaigns.append((row.item.campaign, []))
        campaigns[-1][1].append(row)
    context = {"unit": found.unit, "campaigns": campaigns}
    return render(request, "evaluations/public/board.html", context)
