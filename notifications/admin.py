"""Notifications in the admin, to look into what was sent. Read-only: they are written by the
rules and transitions and e-mailed by notifications.services. The schedules of the periodic jobs
are django-celery-beat's "Periodic tasks", editable there."""

from django.contrib import admin

from notifications.models import DigestDelivery, Notification


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A row is the claim that makes a notice (or a day's digest) go out once: deleting it
        # would let the next run of its rule send it again.
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyAdmin):
    list_display = (
        "created_at",
        "rule",
        "recipient",
        "subject",
        "period",
        "email_state",
        "read_at",
    )
    list_filter = ("rule", "email_state")
    search_fields = ("recipient__username", "recipient__name", "subject")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(_ReadOnlyAdmin):
    list_display = ("day", "recipient", "state", "attempts", "sent_at")
    list_filter = ("state",)
    search_fields = ("recipient__username", "recipient__name")
    list_select_related = ("recipient",)
    date_hierarchy = "day"
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]
