"""API tokens in the admin: listed by user and date, revoked by deleting them — never shown. A
token is a password: whoever may view this page must not be able to copy another user's (REST
framework's own page lists every key). A new one is issued, and shown once, by
`python manage.py drf_create_token USER` (`-r` replaces it)."""

from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin as RestTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from api.models import ApiToken

admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class TokenAdmin(RestTokenAdmin):
    """REST framework's page (addressed by the user's id, not the key), without the key."""

    list_display = ("user", "created")
    fields = ("user", "created")
    readonly_fields = ("user", "created")

    def has_add_permission(self, request) -> bool:
        return False  # issued by drf_create_token, which shows the key once

    def has_change_permission(self, request, obj=None) -> bool:
        return False
