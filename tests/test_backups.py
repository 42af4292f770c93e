"""The backup and the restore drill, against the real PostgreSQL (pg_dump, pg_restore)."""

import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from chuangxian.backups import BadDatabaseName, restore_drill
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="backups need PostgreSQL and its client programs (pg_dump, pg_restore)",
)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_equal_figures(tmp_path, media, capsys):
    UserFactory.create_batch(3)

    call_command("backup", str(tmp_path / "backup"))
    figures = json.loads((tmp_path / "backup" / "figures.json").read_text())
    call_command("restore_drill", str(tmp_path / "backup"), "--database", "chx_test_drill_a")

    assert figures["rows"]["accounts_user"] == 3
    assert figures["media"]["files"] == 1
    assert "every figure equal" in capsys.readouterr().out
    with connection.cursor() as cursor:  # the drill's database is gone afterwards
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'chx_test_drill_a'")
        assert cursor.fetchone() is None


@pytest.mark.django_db(transaction=True)
def test_the_drill_fails_when_a_figure_differs(tmp_path, media):
    UserFactory()
    call_command("backup", str(tmp_path / "backup"))
    figures_file = tmp_path / "backup" / "figures.json"
    figures = json.loads(figures_file.read_text())
    figures["rows"]["accounts_user"] += 1
    figures["media"]["files"] += 1
    figures_file.write_text(json.dumps(figures))

    with pytest.raises(CommandError, match="accounts_user: backup 2, restored 1"):
        call_command("restore_drill", str(tmp_path / "backup"), "--database", "chx_test_drill_b")


@pytest.mark.django_db(transaction=True)
def test_the_drill_never_restores_over_an_existing_database(tmp_path, media):
    call_command("backup", str(tmp_path / "backup"))
    existing = connection.settings_dict["NAME"]

    with pytest.raises(CommandError, match="exists"):
        call_command("restore_drill", str(tmp_path / "backup"), "--database", existing)


@pytest.mark.django_db(transaction=True)
def test_the_backup_is_readable_by_its_owner_only(tmp_path, media):
    folder = tmp_path / "backup"

    call_command("backup", str(folder))

    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("database.dump", "media.tar.gz", "figures.json"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name


@pytest.mark.django_db(transaction=True)
def test_an_existing_backup_folder_is_closed_to_others_too(tmp_path, media):
    folder = tmp_path / "backup"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)

    call_command("backup", str(folder))

    assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ['drill"; DROP DATABASE x; --', "drill-1", "-drill", ""])
def test_the_drill_refuses_a_database_name_that_is_not_a_plain_identifier(tmp_path, media, name):
    call_command("backup", str(tmp_path / "backup"))

    with pytest.raises(CommandError, match="not an accepted database name"):
        call_command("restore_drill", str(tmp_path / "backup"), f"--database={name}")
    with pytest.raises(BadDatabaseName):  # the function itself refuses it too
        restore_drill(tmp_path / "backup", name)
