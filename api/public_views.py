"""The public endpoints, for anyone without logging in (a mini-program, the public's own phones):
a unit's appraisal (群众评议) by its link's token, a unit's public commitment board (公开承诺) by
its public id, the honour roll (荣誉榜) and an honours round's shortlist notice (公示) with the
objection anyone may send. They are the public pages' data through the pages' own code
(evaluations.public_views, evaluations.board_views, evaluations.honour_roll_selectors): the same
unguessable ids (an unknown or replaced one is a 404), the same limits per client address
(PUBLIC_PAGE_RATE for every request, APPRAISAL_RATE for ratings, HONOUR_OBJECTION_RATE for
objections; past them, 429), the same device cookie (a device rates a unit once per campaign:
409), and only what the pages show: no ids, no contact, nothing not shortlisted or conferred. An
objection sent is answered with its own unguessable id, under which its sender reads the answer
as on the objector's page."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import evaluation_serializers as s
from api import honour_serializers as hs
from api.errors import Refused
from campaigns.models import Season
from evaluations import commitment_selectors as selectors
from evaluations import honour_roll_selectors as roll
from evaluations import honour_roll_services, services
from evaluations import public_views as pages
from evaluations.exceptions import NoticeClosed
from evaluations.models import AppraisalLink, HonourCategory, Verdict
from units.models import Line


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
        found = selectors.board_by_public_id(public_id)
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


# --- Honours: the roll and the shortlist's notice -------------------------------------------------


class RollQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1, max_value=9999)
    category = serializers.CharField(
        required=False, max_length=32, help_text="An honour's code (category_code)."
    )
    line = serializers.ChoiceField(required=False, choices=Line.choices)


class HonourRoll(Public, generics.ListAPIView):
    """The honours conferred, newest year first, by category (the public honour roll)."""

    serializer_class = hs.PublicHonourSerializer
    filter_backends: list = []

    def get_queryset(self):
        asked = RollQuery(data=dict(self.request.query_params.items()))
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        chosen = roll.RollFilter(year=data.get("year"), line=data.get("line", ""))
        if data.get("category"):
            chosen.category = HonourCategory.objects.filter(code=data["category"]).first()
            if chosen.category is None:
                return []
        return roll.honour_roll(chosen)

    @extend_schema(parameters=[RollQuery], auth=[], operation_id="public_honours_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class Honour(Public):
    @extend_schema(responses=hs.PublicHonourSerializer, auth=[], operation_id="public_honour")
    def get(self, request: Request, public_id: str) -> Response:
        """One honour on the roll, by its public id (its certificate's facts)."""
        found = roll.honour_by_public_id(public_id)
        if found is None:
            raise Http404
        return Response(hs.PublicHonourSerializer(found).data)


def _published_round(public_id: str):
    found = roll.published_round(public_id)
    if found is None:
        raise Http404
    return found


class HonourNotice(Public):
    @extend_schema(
        responses=hs.PublicNoticeSerializer, auth=[], operation_id="public_honour_notice"
    )
    def get(self, request: Request, public_id: str) -> Response:
        """A round's published shortlist (公示): the nominees (each with the `ref` an objection
        names it by) and whether objections are taken."""
        honour_round = _published_round(public_id)
        honour_round.nominees = roll.notice_entries(honour_round)  # type: ignore[attr-defined]
        honour_round.is_open = honour_roll_services.notice_open(honour_round)  # type: ignore[attr-defined]
        return Response(hs.PublicNoticeSerializer(honour_round).data)


class HonourObjection(Public):
    @extend_schema(
        request=hs.PublicObjectionSerializer,
        responses={201: hs.SentSerializer},
        auth=[],
        operation_id="public_honour_objection",
    )
    def post(self, request: Request, public_id: str) -> Response:
        """Object to a shortlisted nominee while the notice period runs, anonymously if you
        like (evaluations.honour_roll_services.objection_send): 409 notice_closed after it."""
        honour_round = _published_round(public_id)
        self.limit(request, "honour-objection", settings.HONOUR_OBJECTION_RATE)
        given = hs.PublicObjectionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if not honour_roll_services.notice_open(honour_round):
            raise NoticeClosed(_("The notice period is over: objections are no longer taken."))
        application = roll.application_by_ref(honour_round, data["nominee"])
        if application is None:
            raise Refused({"nominee": [_("Choose the nominee you object to.")]})
        objection = honour_roll_services.objection_send(
            application=application,
            text=data["text"],
            name=data.get("name", ""),
            contact=data.get("contact", ""),
        )
        page = reverse("public:honour_objection", args=[objection.public_id])
        sent = {
            "sent": True,
            "public_id": objection.public_id,
            "page": request.build_absolute_uri(page),
        }
        return Response(hs.SentSerializer(sent).data, status=status.HTTP_201_CREATED)


class HonourObjectionRead(Public):
    @extend_schema(
        responses=hs.PublicObjectionReadSerializer,
        auth=[],
        operation_id="public_honour_objection_read",
    )
    def get(self, request: Request, public_id: str) -> Response:
        """An objection at the id its sender was given (what the objector's page shows): its
        nominee, its text, whether it is answered and the answer — never who sent it."""
        found = roll.objection_by_public_id(public_id)
        if found is None:
            raise Http404
        answered = found.answered_at is not None
        data = {
            "round": found.application.round.title,
            "category": found.application.category.name,
            "nominee": found.application.nominee,
            "text": found.text,
            "sent_on": timezone.localdate(found.created_at),
            "answered": answered,
            "answered_on": timezone.localdate(found.answered_at) if answered else None,
            "answer": found.answer if answered else "",
        }
        return Response(hs.PublicObjectionReadSerializer(data).data)
