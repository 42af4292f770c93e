from django.urls import path

from evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("appraisal/units/<int:pk>/", views.appraisal, name="appraisal"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/qr.svg", views.qr_code, name="qr_code"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/poster/", views.poster, name="poster"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/rotate/", views.rotate, name="rotate"),
    path("appraisal/ratings/<int:rating_pk>/hide/", views.hide_remark, name="hide_remark"),
]
