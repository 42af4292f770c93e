from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chuangxian.backups import BadDatabaseName, check_database_name, restore_drill


class Command(BaseCommand):
    help = (
        "Restore the backup in FOLDER into a new, empty database on the same server and check "
        "that its figures equal the backup's; exits 1 when they differ. deploy/README.md, "
        "'Backups'."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--database", default="chuangxian_restore_drill")
        parser.add_argument("--keep", action="store_true", help="keep the restored database")

    def handle(self, folder: Path, database: str, keep: bool, **options):
        try:
            check_database_name(database)
        except BadDatabaseName as error:
            raise CommandError(str(error)) from None
        try:
            result = restore_drill(folder, database, keep=keep)
        except Exception as error:
            detail = getattr(error, "stderr", "") or error
            raise CommandError(f"Restore drill failed: {detail}") from error
        if not result["equal"]:
            raise CommandError(
                "Restore drill: the figures differ:\n" + "\n".join(result["differences"])
            )
        self.stdout.write(
            f"Restore drill passed: {result['rows']} rows in {result['tables']} tables and "
            f"{result['media_files']} files, every figure equal."
        )
