from notifications.models import Notification, Rule
from notifications.services import Notice, notify


def write(user, *, rule=Rule.RETURNED, subject="activity:1", period="1", link="/", context=None):
    """One notification through `notify`, as a rule writes it; returns the row."""
    notify(rule=rule, notices=[Notice(user, subject, period, link, context or {})])
    return Notification.objects.get(rule=rule, recipient=user, subject=subject, period=period)
