"""Pages anyone may open without logging in, under /public/."""

from django.urls import path

from evaluations import board_views, public_views

app_name = "public"

urlpatterns = [
    path("appraise/<str:token>/", public_views.appraise, name="appraise"),
    path("appraise/<str:token>/thanks/", public_views.appraise_thanks, name="appraise_thanks"),
    path("units/<str:public_id>/commitments/", board_views.board, name="board"),
]
