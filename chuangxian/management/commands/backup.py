from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chuangxian.backups import backup_write


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the uploaded files into FOLDER, with "
        "the figures restore_drill compares. deploy/README.md, 'Backups'."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--database-url",
            help="dump from this address, not DATABASE_URL's (PostgreSQL itself, not PgBouncer)",
        )

    def handle(self, folder: Path, database_url: str | None = None, **options):
        try:
            figures = backup_write(folder, database_url)
        except Exception as error:  # pg_dump's message or a missing PostgreSQL, said plainly
            detail = getattr(error, "stderr", "") or error
            raise CommandError(f"Backup failed: {detail}") from error
        self.stdout.write(
            f"Backed up {sum(figures['rows'].values())} rows in {len(figures['rows'])} tables "
            f"and {figures['media']['files']} files to {folder}"
        )
