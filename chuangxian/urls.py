from django.contrib import admin
from django.urls import include, path

from activities import target_progress_views
from campaigns import urls as campaign_urls
from chuangxian import metrics, views
from dashboards.views import home

# The campaigns' pages, and the one of theirs that shows activities' progress (a layer above).
campaign_pages = [
    *campaign_urls.urlpatterns,
    path("units/<int:unit_pk>/targets/", target_progress_views.unit_targets, name="unit_targets"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    # Pages that name no icon (the Django admin) make browsers ask for /favicon.ico.
    path("favicon.ico", views.favicon, name="favicon"),
    path("metrics", metrics.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("units/", include("units.urls")),
    path("campaigns/", include((campaign_pages, campaign_urls.app_name))),
    path("activities/", include("activities.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("notifications/", include("notifications.urls")),
    path("evaluations/", include("evaluations.urls")),
    # Pages anyone may open without logging in: throttled, and showing only what is public.
    path("public/", include("evaluations.public_urls")),
    # The JSON API (issue 15) and its schema and documentation.
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "chuangxian.views.permission_denied"
handler404 = "chuangxian.views.page_not_found"
handler500 = "chuangxian.views.server_error"
