"""Pages anyone may open without logging in, under /public/."""

from django.urls import path

from evaluations import public_views

app_name = "public"

urlpatterns = [
    path("appraise/<str:token>/", public_views.appraise, name="appraise"),
    path("appraise/<str:token>/thanks/", public_views.appraise_thanks, name="appraise_thanks"),
]
