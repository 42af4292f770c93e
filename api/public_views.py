"""The public endpoints, for anyone without logging in (a mini-program, the public's own phones):
a unit's appraisal (群众评议) by its link's token, and a unit's public commitment board
(公开承诺) by its public id. They are the public pages' data through the pages' own code
(evaluations.public_views, evaluations.board_views): the same unguessable ids (an unknown or
replaced one is a 404), the same limits per client address (PUBLIC_PAGE_RATE for every request,
APPRAISAL_RATE for ratings; past them, 429), the same device cookie (a device rates a unit once
per campaign: 409), and only what the pages show: no ids, no names of people, no contact."""

from django.conf import settings
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import evaluation_serializers as s
from api.errors import Refused
from campaigns.models import Season
from evaluations import commitment_selectors as selectors
from evaluations import public_views as pages
from evaluations import services
from evaluations.models import AppraisalLink, PublicBoard, Verdict


class Public(APIView):
    """No login (a token or session sent along is ignored), and the public pages' limits."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def limit(self, request: Request, group: str, rate: str) -> None:
        if pages.limited(request._request, group, rate):
            raise Throttled(wait=60)

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.limit(request, "public-page", settings.PUBLIC_PAGE_RATE)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)  # as the pages (never_cache): per device, per moment
        return response


def _link(token: str) -> AppraisalLink:
    """The current link `token` names, its unit still in the campaign's tree; else 404."""
    link = pages.current_link(token)  # a replaced link is a 404 too (Replaced is an Http404)
    if not link.unit.path.startswith(link.campaign.unit.path):
        raise Http404
    return link


class Appraisal(Public):
    @extend_schema(responses=s.PublicAppraisalSerializer, auth=[], operation_id="public_appraisal")
    def get(self, request: Request, token: str) -> Response:
        """What the appraisal page shows: the unit and the campaign, whether ratings are taken
        and whether this device has rated. Keep the cookie it sets: a rating needs it."""
        link = _link(token)
        device, new_device = pages.device_of(request._request)
        data = {
            "unit": link.unit.name,
            "campaign": link.campaign.name,
            "is_open": link.campaign.season() == Season.RUNNING,
            "has_rated": not new_device and pages.has_rated(device, link),
            "verdicts": {str(value): str(label) for value, label in Verdict.choices},
        }
        response = Response(s.PublicAppraisalSerializer(data).data)
        return pages.remember_device(response, device) if new_device else response


class Rate(Public):
    @extend_schema(
        request=s.RatingSerializer,
        responses={201: s.RatedSerializer},
        auth=[],
        operation_id="public_appraisal_rate",
    )
    def post(self, request: Request, token: str) -> Response:
        """Rate the unit once per device and campaign (evaluations.services.rating_submit), with
        the cookie the GET set: 409 already_rated or appraisal_closed; 422 without the cookie."""
        link = _link(token)
        self.limit(request, "appraisal-rating", settings.APPRAISAL_RATE)
        device, new_device = pages.device_of(request._request)
        given = s.RatingSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if new_device:
            raise Refused(_("Please send your rating again: this page needs its cookie."))
        data = given.validated_data
        services.rating_submit(
            link, int(data["verdict"]), data.get("remark", ""), pages.device_hash(device, link)
        )
        return Response({"rated": True}, status=status.HTTP_201_CREATED)


class Board(Public):
    @extend_schema(responses=s.PublicBoardSerializer, auth=[], operation_id="public_board")
    def get(self, request: Request, public_id: str) -> Response:
        """The unit's approved commitments, newest campaign first, each with how it stands."""
        found = (
            PublicBoard.objects.select_related("unit")
            .filter(public_id=public_id[:64], unit__is_active=True)
            .first()
        )
        if found is None:
            raise Http404
        campaigns: list[dict] = []
        last = None
        for row in selectors.published_items(found.unit):
            if last != row.item.campaign_id:
                campaigns.append({"campaign": row.item.campaign.name, "items": []})
                last = row.item.campaign_id
            campaigns[-1]["items"].append(
                {
                    "promise": row.item.promise,
                    "measure": row.item.measure,
                    "due_on": row.item.due_on,
                    "standing": row.state,
                    "fulfilled_on_time": row.item.kept_on_time,
                }
            )
        data = {"unit": found.unit.name, "campaigns": campaigns}
        return Response(s.PublicBoardSerializer(data).data)
