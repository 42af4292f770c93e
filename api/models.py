from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy


class ApiToken(TokenProxy):
    """A user's API token as the admin shows it: named by its user, never by its key (REST
    framework's own proxy prints the key wherever the admin names the object)."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return str(self.user)
