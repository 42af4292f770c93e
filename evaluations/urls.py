from django.urls import path

from evaluations import (
    adjustment_views,
    comment_views,
    commitment_views,
    fulfilment_views,
    honour_roll_views,
    honour_views,
    report_file_views,
    scoring_views,
    snapshot_views,
    views,
)

app_name = "evaluations"

urlpatterns = [
    path("appraisal/units/<int:pk>/", views.appraisal, name="appraisal"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/qr.svg", views.qr_code, name="qr_code"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/poster/", views.poster, name="poster"),
    path("appraisal/units/<int:pk>/<int:campaign_pk>/rotate/", views.rotate, name="rotate"),
    path("appraisal/ratings/<int:rating_pk>/hide/", views.hide_remark, name="hide_remark"),
    # Leader comments and follow-ups (comment_views).
    path("comments/", comment_views.leader_comments, name="leader_comments"),
    path("comments/units/<int:pk>/", comment_views.unit_comments, name="unit_comments"),
    path("follow-ups/<int:pk>/", comment_views.follow_up, name="follow_up"),
    path(
        "follow-ups/<int:pk>/acknowledge/",
        comment_views.follow_up_acknowledge,
        name="follow_up_acknowledge",
    ),
    path("follow-ups/<int:pk>/report/", comment_views.follow_up_report, name="follow_up_report"),
    path("follow-ups/<int:pk>/close/", comment_views.follow_up_close, name="follow_up_close"),
    path(
        "follow-ups/<int:pk>/send-back/",
        comment_views.follow_up_send_back,
        name="follow_up_send_back",
    ),
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
    # Fulfilment (践诺): a commitment's report, its files and its review.
    path(
        "commitments/items/<int:pk>/report/",
        fulfilment_views.report_start,
        name="report_start",
    ),
    path("reports/<int:pk>/", fulfilment_views.report, name="report"),
    path("reports/<int:pk>/files/", fulfilment_views.report_upload, name="report_upload"),
    path("reports/<int:pk>/submit/", fulfilment_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/withdraw/", fulfilment_views.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/approve/", fulfilment_views.report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", fulfilment_views.report_return, name="report_return"),
    path("report-files/<int:pk>/", report_file_views.report_file, name="report_file"),
    path(
        "report-files/<int:pk>/delete/",
        fulfilment_views.report_file_delete,
        name="report_file_delete",
    ),
    # Assessment results (snapshot_views): snapshots, 公示, objections and answers, exports.
    path("snapshots/<int:campaign_pk>/", snapshot_views.snapshots, name="snapshots"),
    path("snapshots/<int:campaign_pk>/take/", snapshot_views.snapshot_take, name="snapshot_take"),
    path("snapshots/versions/<int:pk>/", snapshot_views.snapshot, name="snapshot"),
    path(
        "snapshots/versions/<int:pk>/publish/",
        snapshot_views.snapshot_publish,
        name="snapshot_publish",
    ),
    path(
        "snapshots/versions/<int:pk>/ranking.xlsx",
        snapshot_views.snapshot_xlsx,
        name="snapshot_xlsx",
    ),
    path(
        "snapshots/versions/<int:pk>/print/", snapshot_views.snapshot_print, name="snapshot_print"
    ),
    path(
        "snapshots/versions/<int:pk>/units/<int:unit_pk>/object/",
        snapshot_views.objection_add,
        name="objection_add",
    ),
    path("objections/<int:pk>/", snapshot_views.objection, name="objection"),
    path("objections/<int:pk>/answer/", snapshot_views.objection_answer, name="objection_answer"),
    # Assessment (scores): the scheme, draft scores, bonus and deduction items.
    path("scores/<int:campaign_pk>/", scoring_views.scores, name="scores"),
    path(
        "scores/<int:campaign_pk>/units/<int:unit_pk>/",
        scoring_views.unit_scores,
        name="unit_scores",
    ),
    path("scores/<int:campaign_pk>/scheme/", scoring_views.scheme, name="scoring_scheme"),
    path(
        "scores/<int:campaign_pk>/units/<int:unit_pk>/adjustments/",
        adjustment_views.unit_adjustments,
        name="unit_adjustments",
    ),
    path("adjustments/<int:pk>/", adjustment_views.adjustment, name="adjustment"),
    path(
        "adjustments/<int:pk>/files/", adjustment_views.adjustment_upload, name="adjustment_upload"
    ),
    path(
        "adjustments/<int:pk>/submit/", adjustment_views.adjustment_submit, name="adjustment_submit"
    ),
    path(
        "adjustments/<int:pk>/delete/", adjustment_views.adjustment_delete, name="adjustment_delete"
    ),
    path(
        "adjustments/<int:pk>/withdraw/",
        adjustment_views.adjustment_withdraw,
        name="adjustment_withdraw",
    ),
    path(
        "adjustments/<int:pk>/approve/",
        adjustment_views.adjustment_approve,
        name="adjustment_approve",
    ),
    path(
        "adjustments/<int:pk>/return/", adjustment_views.adjustment_return, name="adjustment_return"
    ),
    path("adjustments/queue/", adjustment_views.adjustment_queue, name="adjustment_queue"),
    # Honours (评选表彰): rounds, quotas, applications and their recommendation (honour_views).
    path("honours/", honour_views.rounds, name="honours"),
    path("honours/rounds/new/", honour_views.round_create, name="honour_round_create"),
    path("honours/rounds/<int:pk>/", honour_views.round_detail, name="honour_round"),
    path("honours/rounds/<int:pk>/edit/", honour_views.round_edit, name="honour_round_edit"),
    path("honours/rounds/<int:pk>/quotas/", honour_views.quota_set, name="honour_quota_set"),
    path("honours/quotas/<int:pk>/delete/", honour_views.quota_delete, name="honour_quota_delete"),
    path("honours/rounds/<int:pk>/apply/<int:unit_pk>/", honour_views.apply, name="honour_apply"),
    path("honours/mine/", honour_views.mine, name="honour_mine"),
    path("honours/queue/", honour_views.queue, name="honour_queue"),
    path(
        "honours/applications/<int:pk>/",
        honour_views.application_page,
        name="honour_application",
    ),
    path(
        "honours/applications/<int:pk>/edit/",
        honour_views.application_edit,
        name="honour_application_edit",
    ),
    path(
        "honours/applications/<int:pk>/submit/",
        honour_views.application_submit,
        name="honour_submit",
    ),
    path(
        "honours/applications/<int:pk>/withdraw/",
        honour_views.application_withdraw,
        name="honour_withdraw",
    ),
    path(
        "honours/applications/<int:pk>/recommend/",
        honour_views.application_recommend,
        name="honour_recommend",
    ),
    path(
        "honours/applications/<int:pk>/decline/",
        honour_views.application_decline,
        name="honour_decline",
    ),
    path(
        "honours/applications/<int:pk>/files/",
        honour_views.application_upload,
        name="honour_upload",
    ),
    path(
        "honours/files/<int:pk>/delete/",
        honour_views.application_file_delete,
        name="honour_file_delete",
    ),
    # Honours: the shortlist's notice, objections' answers, commendation (honour_roll_views).
    path("honours/notices/", honour_roll_views.notices, name="honour_notices"),
    path("honours/rounds/<int:pk>/notice/", honour_roll_views.notice, name="honour_notice"),
    path("honours/rounds/<int:pk>/publish/", honour_roll_views.publish, name="honour_publish"),
    path("honours/rounds/<int:pk>/commend/", honour_roll_views.commend, name="honour_commend"),
    path("honours/objections/<int:pk>/answer/", honour_roll_views.answer, name="honour_answer"),
]
