from django.urls import path

from campaigns import target_views, views

app_name = "campaigns"

# campaigns:unit_targets (a unit's targets with progress) needs the activities' figures: it is
# activities.target_progress_views.unit_targets, added to these by chuangxian.urls.

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/phases/new/", views.phase_create, name="phase_create"),
    path("phases/<int:pk>/edit/", views.phase_edit, name="phase_edit"),
    path("phases/<int:pk>/delete/", views.phase_delete, name="phase_delete"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/assign/", target_views.targets_assign, name="targets_assign"),
    path("units/<int:unit_pk>/targets/set/", target_views.target_set, name="target_set"),
    path("targets/<int:pk>/history/", target_views.target_history, name="target_history"),
    path("<int:pk>/targets/import/", target_views.targets_import, name="targets_import"),
    path(
        "<int:pk>/targets/import/confirm/",
        target_views.targets_import_confirm,
        name="targets_import_confirm",
    ),
    path("<int:pk>/targets/export.xlsx", target_views.targets_export, name="targets_export"),
]
