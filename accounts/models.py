from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationEmail(models.TextChoices):
    """How a user wants notifications e-mailed (notifications.services reads the value)."""

    IMMEDIATE = "immediate", _("E-mail each notification at once")
    DIGEST = "digest", _("One e-mail a day with all of them")
    NONE = "none", _("No e-mail, only in the app")


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their memberships (units app)."""

    # One field for the whole name: Chinese names are not split into first and last.
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow the browser."),
    )
    notification_email = models.CharField(
        _("notification e-mails"),
        max_length=16,
        choices=NotificationEmail.choices,
        default=NotificationEmail.IMMEDIATE,
        help_text=_("Every notification is also in your inbox on this site."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.name or self.username

    def __str__(self) -> str:
        return f"{self.name} ({self.username})" if self.name else self.username
