from django.core.management.base import BaseCommand

from activities.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboards' roll-up tables from the approved records."

    def handle(self, *args, **options) -> None:
        tasks, units = rollups_rebuild()
        self.stdout.write(f"Roll-ups rebuilt: {tasks} task rows, {units} unit rows.")
