from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _reroute_submissions(sender, unit=None, **kwargs) -> None:
    from evaluations.review import reroute

    reroute(unit=unit)


def _reroute_applications(sender, unit=None, **kwargs) -> None:
    from evaluations.honour_services import reroute

    reroute(unit=unit)


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from evaluations import standing_rollups as rollups
        from evaluations.models import Commitment, CommitmentSet, FollowUp
        from units.signals import unit_moved

        # The standing roll-ups follow every change of the records, in its transaction.
        for signal in (post_save, post_delete):
            uid = f"evaluations.standing.{signal is post_save}"
            signal.connect(rollups.commitment_changed, sender=Commitment, dispatch_uid=uid + "c")
            signal.connect(
                rollups.commitment_set_changed, sender=CommitmentSet, dispatch_uid=uid + "s"
            )
            signal.connect(rollups.follow_up_changed, sender=FollowUp, dispatch_uid=uid + "f")
        unit_moved.connect(rollups.unit_moved, dispatch_uid="evaluations.standing")
        # Commitment sets and fulfilment reports waiting for review follow the tree like
        # activities: to the reviewers now above their unit.
        unit_moved.connect(_reroute_submissions, dispatch_uid="evaluations.reroute")
        unit_moved.connect(_reroute_applications, dispatch_uid="evaluations.reroute_honours")
        # The kept draft scores are recomputed after the committed events that move scores.
        from activities.signals import event_committed
        from evaluations import draft_score_triggers as triggers
        from evaluations.signals import follow_up_event_committed, review_event_committed

        event_committed.connect(triggers.on_activity_event, dispatch_uid="evaluations.drafts.a")
        review_event_committed.connect(
            triggers.on_review_event, dispatch_uid="evaluations.drafts.r"
        )
        follow_up_event_committed.connect(
            triggers.on_follow_up_event, dispatch_uid="evaluations.drafts.f"
        )
