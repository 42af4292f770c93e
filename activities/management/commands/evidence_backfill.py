from django.core.management.base import BaseCommand, CommandError

from activities.integrity import BACKFILL_BATCH, backfill


class Command(BaseCommand):
    help = (
        "Hash, date and thumbnail the evidence not checked yet (activities.integrity), in batches. "
        "Resumable: stop it at any time and run it again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=BACKFILL_BATCH)
        parser.add_argument("--limit", type=int, default=None, help="stop after this many files")

    def handle(self, *args, batch_size: int, limit: int | None, **options) -> None:
        if batch_size < 1 or (limit is not None and limit < 1):
            raise CommandError("--batch-size and --limit must be at least 1.")

        def progress(done: int, left: int) -> None:
            self.stdout.write(f"{done} evidence files checked, {left} to go.")

        done = backfill(batch_size=batch_size, limit=limit, progress=progress)
        self.stdout.write(f"Done: {done} evidence files checked.")
