"""The JSON API under /api/v1/, and its schema and documentation pages under /api/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import (
    activity_views,
    comment_views,
    commitment_views,
    docs_views,
    honour_views,
    notification_views,
    public_views,
    read_views,
    report_file_views,
    review_views,
    score_views,
    snapshot_views,
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
router.register("report-files", report_file_views.ReportFileViewSet, basename="report-file")
router.register("snapshots", snapshot_views.SnapshotViewSet, basename="snapshot")
router.register(
    "score-objections", snapshot_views.ScoreObjectionViewSet, basename="score-objection"
)
router.register("honour-rounds", honour_views.HonourRoundViewSet, basename="honour-round")
router.register(
    "honour-applications", honour_views.HonourApplicationViewSet, basename="honour-application"
)

v1 = [
    path("reviews/", review_views.ReviewQueue.as_view(), name="review-queue"),
    path(
        "campaigns/<str:campaign_pk>/scores/",
        score_views.Scores.as_view(),
        name="campaign-scores",
    ),
    path(
        "campaigns/<str:campaign_pk>/scores/<str:unit_pk>/",
        score_views.Explanation.as_view(),
        name="campaign-score",
    ),
    path(
        "campaigns/<str:campaign_pk>/snapshots/",
        snapshot_views.CampaignSnapshots.as_view(),
        name="campaign-snapshots",
    ),
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
    path("public/honours/", public_views.HonourRoll.as_view(), name="public-honours"),
    path(
        "public/honours/notices/<str:public_id>/",
        public_views.HonourNotice.as_view(),
        name="public-honour-notice",
    ),
    path(
        "public/honours/notices/<str:public_id>/objections/",
        public_views.HonourObjection.as_view(),
        name="public-honour-objection",
    ),
    path(
        "public/honours/objections/<str:public_id>/",
        public_views.HonourObjectionRead.as_view(),
        name="public-honour-objection-read",
    ),
    path(
        "public/honours/<str:public_id>/",
        public_views.Honour.as_view(),
        name="public-honour",
    ),
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
