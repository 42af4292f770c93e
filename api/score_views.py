"""Draft scores (考核得分) through the API: a campaign's ranking of the units the user may see and
one unit's explanation, read by the pages' own selectors (evaluations.scoring_selectors) after the
pages' own lookups (campaigns.selectors.campaign_for_user, units.selectors.unit_for_user). A
campaign or unit out of scope, or a unit outside the campaign's tree, is a 404."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api import score_serializers as s
from api.base import Scoped
from api.fields import ID_SCHEMA
from campaigns.selectors import campaign_for_user
from evaluations import draft_score_services, scoring_selectors
from units.selectors import unit_for_user

CAMPAIGN = OpenApiParameter("campaign_pk", ID_SCHEMA, OpenApiParameter.PATH)
UNIT = OpenApiParameter("unit_pk", ID_SCHEMA, OpenApiParameter.PATH)


class Scores(Scoped, generics.ListAPIView):
    """The campaign's draft scores of the units the user may see, by peer group and rank (each
    ranked in its whole peer group, as on the page)."""

    serializer_class = s.ScoreSerializer
    filter_backends: list = []

    def get_queryset(self) -> list:
        campaign = campaign_for_user(self.scope, self.url_pk("campaign_pk"))
        draft_score_services.draft_scores_ensure(campaign=campaign)
        board = scoring_selectors.ranking(self.scope, campaign)
        return [row for group in board.groups for row in group.rows]

    @extend_schema(parameters=[CAMPAIGN], operation_id="campaigns_scores_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class Explanation(Scoped, generics.GenericAPIView):
    serializer_class = s.ExplanationSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(parameters=[CAMPAIGN, UNIT], operation_id="campaigns_scores_retrieve")
    def get(self, request: Request, campaign_pk: str, unit_pk: str) -> Response:
        """One unit's score explained: per rule its points, the formula with the unit's numbers
        and links to the records behind them. 404 when the unit does not take part."""
        campaign = campaign_for_user(self.scope, self.url_pk("campaign_pk"))
        unit = unit_for_user(self.scope, self.url_pk("unit_pk"))
        if not unit.path.startswith(campaign.unit.path):
            raise Http404
        draft_score_services.draft_scores_ensure(campaign=campaign)
        explained = scoring_selectors.explanation(campaign, unit).explanation
        if explained is None:
            raise NotFound(
                _(
                    "This unit does not take part in the campaign's assessment: it has no target "
                    "and no approved activity in it."
                )
            )
        return Response(s.ExplanationSerializer(explained).data)
