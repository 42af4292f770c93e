from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from activities.signals import event_committed
        from notifications.receivers import notify_on_event

        # Notices follow from the events a transition writes, once it has committed.
        event_committed.connect(notify_on_event, dispatch_uid="notifications.on_event")

        from evaluations.signals import follow_up_event_committed
        from notifications.receivers import notify_on_follow_up_event

        follow_up_event_committed.connect(
            notify_on_follow_up_event, dispatch_uid="notifications.on_follow_up_event"
        )

        from evaluations.signals import review_event_committed
        from notifications.receivers import notify_on_review_event

        review_event_committed.connect(
            notify_on_review_event, dispatch_uid="notifications.on_review_event"
        )

        from evaluations.signals import step_committed
        from notifications.receivers import notify_on_step

        step_committed.connect(notify_on_step, dispatch_uid="notifications.on_step")
