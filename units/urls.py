from django.urls import path

from units import import_views, views

app_name = "units"

urlpatterns = [
    path("", views.unit_tree, name="tree"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/children/", views.unit_children, name="children"),
    path("<int:pk>/add-child/", views.unit_create, name="create"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/move/", views.unit_move, name="move"),
    path("<int:pk>/deactivate/", views.unit_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.unit_reactivate, name="reactivate"),
    path("<int:pk>/delete/", views.unit_delete, name="delete"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:membership_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/pairs/add/", views.pair_add, name="pair_add"),
    path("<int:pk>/pairs/<int:pair_pk>/remove/", views.pair_remove, name="pair_remove"),
    path("import/", import_views.import_start, name="import"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path(
        "import/template/<str:kind>.<str:fmt>",
        import_views.import_template,
        name="import_template",
    ),
]
