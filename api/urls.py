"""The JSON API under /api/v1/, and its schema and documentation pages under /api/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import (
    activity_views,
    comment_views,
    commitment_views,
    docs_views,
    notification_views,
    public_views,
    read_views,
    review_views,
    target_views,
)

app_name = "api"

router = DefaultRouter()
router.register("units", read_views.UnitViewSet, basename="unit")
router.register("memberships", read_views.MembershipViewSet, basename="membership")
router.register("campaigns", read_views.CampaignViewSet, basename="campaign")
router.register("tasks", read_views.TaskViewSet, basename="task")
router.register("targets", target_views.TargetWriteViewSet, basename="target")
router.register("activities", activity_views.ActivityViewSet, basename="activity")
router.register("notifications", notification_views.NotificationViewSet, basename="notification")
router.register("commitment-sets", commitment_views.CommitmentSetViewSet, basename="commitment-set")
router.register(
    "fulfilment-reports", commitment_views.FulfilmentReportViewSet, basename="fulfilment-report"
)
router.register("comments", comment_views.CommentViewSet, basename="comment")
router.register("follow-ups", comment_views.FollowUpViewSet, basename="follow-up")

v1 = [
    path("reviews/", review_views.ReviewQueue.as_view(), name="review-queue"),
    # No login: the public pages' data, their limits (evaluations.public_views).
    path(
        "public/appraisals/<str:token>/",
        public_views.Appraisal.as_view(),
        name="public-appraisal",
    ),
    path(
        "public/appraisals/<str:token>/ratings/",
        public_views.Rate.as_view(),
        name="public-appraisal-rate",
    ),
    path("public/boards/<str:public_id>/", public_views.Board.as_view(), name="public-board"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_views.Swagger.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", docs_views.Redoc.as_view(), name="redoc"),
    # Anything else under /api/ answers a JSON 404, as the API's own errors do.
    re_path(r"^.*$", docs_views.not_found),
]
