"""Print a unit's current public appraisal link, for scripts that print posters in bulk:

    python manage.py appraisal_link UNIT_CODE [--campaign ID]

Without --campaign: the newest open campaign covering the unit. Links are absolute, on SITE_URL."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.selectors import active_campaigns_for
from evaluations.services import appraisal_link
from units.models import Unit


class Command(BaseCommand):
    help = "Print a unit's current public appraisal link (issued on first use)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("unit_code")
        parser.add_argument(
            "--campaign", type=int, help="the campaign's id (default: the newest open one)"
        )

    def handle(self, *args, unit_code: str, campaign: int | None = None, **options) -> None:
        unit = Unit.objects.filter(code=unit_code, is_active=True).first()
        if unit is None:
            raise CommandError(f"No active unit has the code {unit_code!r}.")
        covering = Campaign.objects.filter(unit__path__in=unit.ancestor_paths)
        if campaign is not None:
            chosen = covering.filter(pk=campaign).first()
            if chosen is None:
                raise CommandError(f"Campaign {campaign} does not cover unit {unit_code}.")
        else:
            chosen = active_campaigns_for(unit).order_by("-starts_on", "-pk").first()
            if chosen is None:
                raise CommandError(f"No open campaign covers unit {unit_code}.")
        link = appraisal_link(unit, chosen)
        self.stdout.write(settings.SITE_URL + reverse("public:appraise", args=[link.token]))
