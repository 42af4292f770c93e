from django.urls import path

from evaluations import commitment_views, views

app_name = "evaluations"

urlpatterns = [
    path("appraisal/units/<int:pk>/", views.appraisal, name="appraisal"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/qr.svg", views.qr_code, name="qr_code"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/poster/", views.poster, name="poster"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/rotate/", views.rotate, name="rotate"),
    path("appraisal/ratings/<int:rating_pk>/hide/", views.hide_remark, name="hide_remark"),
    path("commitments/units/<int:pk>/", commitment_views.unit_commitments, name="unit_commitments"),
    path(
        "commitments/units/<int:pk>/<int:campaign_pk>/",
        commitment_views.commitments,
        name="commitments",
    ),
    path(
        "commitments/units/<int:pk>/<int:campaign_pk>/add/",
        commitment_views.item_add,
        name="commitment_add",
    ),
    path(
        "commitments/units/<int:pk>/<int:campaign_pk>/board/",
        commitment_views.board_print,
        name="board_print",
    ),
    path(
        "commitments/items/<int:item_pk>/edit/", commitment_views.item_edit, name="commitment_edit"
    ),
    path(
        "commitments/items/<int:item_pk>/delete/",
        commitment_views.item_delete,
        name="commitment_delete",
    ),
    path(
        "commitments/items/<int:item_pk>/move/", commitment_views.item_move, name="commitment_move"
    ),
    path("commitments/sets/<int:set_pk>/submit/", commitment_views.submit, name="set_submit"),
    path("commitments/sets/<int:set_pk>/withdraw/", commitment_views.withdraw, name="set_withdraw"),
    path("commitments/sets/<int:set_pk>/approve/", commitment_views.approve, name="set_approve"),
    path("commitments/sets/<int:set_pk>/return/", commitment_views.send_back, name="set_return"),
    path("commitments/queue/", commitment_views.queue, name="commitment_queue"),
]
