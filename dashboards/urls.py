from django.urls import path

from dashboards import export_views, list_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("units/<int:unit_pk>/", views.unit_dashboard, name="unit"),
    path("units/<int:unit_pk>/screen/", views.big_screen, name="screen"),
    path("units/<int:unit_pk>/screen/data/", views.big_screen_data, name="screen_data"),
    path("units/<int:unit_pk>/progress.xlsx", export_views.progress_export, name="progress_export"),
    path("activities/", list_views.activity_search, name="activities"),
    path("activities/export.xlsx", export_views.activities_xlsx, name="activities_xlsx"),
    path("activities/export.csv", export_views.activities_csv, name="activities_csv"),
]
