from django.urls import path

from activities import evidence_views, review_views, views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/submit/", views.activity_submit, name="submit"),
    path("<int:pk>/withdraw/", views.activity_withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.activity_approve, name="approve"),
    path("<int:pk>/return/", views.activity_return, name="return"),
    path("<int:pk>/reopen/", views.activity_reopen, name="reopen"),
    path("coorganisers/<int:pk>/respond/", views.coorganiser_respond, name="respond"),
    path("<int:pk>/evidence/", evidence_views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", evidence_views.evidence_download, name="evidence"),
    path(
        "evidence/<int:pk>/thumbnail/", evidence_views.evidence_thumbnail, name="evidence_thumbnail"
    ),
    path(
        "evidence/<int:pk>/thumbnail/small/",
        evidence_views.evidence_thumbnail,
        {"size": "small"},
        name="evidence_thumbnail_small",
    ),
    path("evidence/<int:pk>/delete/", evidence_views.evidence_delete, name="evidence_delete"),
    path("review/", review_views.review_queue, name="queue"),
    path("review/bulk-approve/", review_views.bulk_approve, name="bulk_approve"),
]
