"""Pages anyone may open without logging in, under /public/."""

from django.urls import path

from evaluations import board_views, honour_roll_views, public_views, snapshot_views

app_name = "public"

urlpatterns = [
    path("appraise/<str:token>/", public_views.appraise, name="appraise"),
    path("appraise/<str:token>/thanks/", public_views.appraise_thanks, name="appraise_thanks"),
    path("units/<str:public_id>/commitments/", board_views.board, name="board"),
    # Assessment results (snapshot_views): the public notice (公示) of a published snapshot.
    path("notices/<str:public_id>/", snapshot_views.public_notice, name="notice"),
    # Honours (honour_roll_views): the shortlist's notice (公示), the honour roll, certificates.
    path("honours/", honour_roll_views.public_roll, name="honours"),
    path(
        "honours/notices/<str:public_id>/",
        honour_roll_views.public_notice,
        name="honour_notice",
    ),
    path(
        "honours/objections/<str:public_id>/",
        honour_roll_views.public_objection,
        name="honour_objection",
    ),
    path("honours/<str:public_id>/", honour_roll_views.public_honour, name="honour"),
    path(
        "honours/<str:public_id>/certificate/",
        honour_roll_views.public_certificate,
        name="honour_certificate",
    ),
]
