"""The Chinese catalogue is complete: every string in the code and templates has a translation.

(a) reads the committed catalogue and its compiled .mo; (b) extracts the strings afresh with
`makemessages` in a copy of the source and checks that none lacks a translation.
"""

import gettext
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
NO_CATALOGUE = f"{CATALOGUE.relative_to(ROOT)} is not committed yet"
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs) and not self.fuzzy


def _unquote(text: str) -> str:
    return text.strip()[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a PO file (no header, no obsolete `#~` entries)."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if entry.msgid or entry.msgstrs:
            entries.append(entry)
        entry, target = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry.fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line)
            if target == "msgstr":
                entry.msgstrs[-1] += value
            else:
                setattr(entry, target, (getattr(entry, target) or "") + value)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword.startswith("msgstr"):
                entry.msgstrs.append(_unquote(rest))
                target = "msgstr"
            else:
                setattr(entry, keyword, _unquote(rest))
                target = keyword
    finish()
    return [e for e in entries if e.msgid]


def _untranslated(entries: list[Entry]) -> list[str]:
    return sorted(e.label + (" (fuzzy)" if e.fuzzy else "") for e in entries if not e.translated)


# --- (a) the committed catalogue ----------------------------------------------------------


@pytest.fixture(scope="module")
def committed() -> list[Entry]:
    if not CATALOGUE.exists():
        pytest.skip(NO_CATALOGUE)
    return parse_po(CATALOGUE)


def test_the_committed_catalogue_has_no_untranslated_or_fuzzy_entries(committed):
    assert committed, "the catalogue has no entries"
    missing = _untranslated(committed)
    assert not missing, f"{len(missing)} entries lack a translation:\n" + "\n".join(missing)


def test_the_compiled_catalogue_matches_the_committed_one(committed):
    assert COMPILED.exists(), f"run `manage.py compilemessages`: {COMPILED.name} is missing"
    with COMPILED.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in committed:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            compiled = [catalog.get((key, n)) for n in range(len(entry.msgstrs))]
        else:
            compiled = [catalog.get(key)]
        if compiled != entry.msgstrs:
            stale.append(entry.label)
    assert not stale, f"{COMPILED.name} is older than {CATALOGUE.name}; recompile:\n" + "\n".join(
        stale
    )


# --- (b) every string in the source is in the catalogue ------------------------------------


def _copy_source(target: Path) -> None:
    """The apps, templates, manage.py and locale: what makemessages reads, without .venv/var."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for path in ROOT.iterdir():
        is_app = path.is_dir() and (path / "apps.py").exists()
        if is_app or path.name in {"templates", "locale"}:
            shutil.copytree(path, target / path.name, ignore=ignore)
    shutil.copy2(ROOT / "manage.py", target / "manage.py")


def test_every_string_in_the_source_has_a_translation(tmp_path):
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing_tools)} not found)")
    if not CATALOGUE.exists():
        pytest.skip(f"{NO_CATALOGUE}: nothing to compare the source's strings with")
    _copy_source(tmp_path)

    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    fresh = parse_po(tmp_path / CATALOGUE.relative_to(ROOT))
    missing = _untranslated(fresh)
    assert not missing, (
        f"{len(missing)} strings in the code or templates are not translated in "
        f"{CATALOGUE.relative_to(ROOT)} (run makemessages, translate, compilemessages):\n"
        + "\n".join(missing)
    )
    # And none of the catalogue's translations was left behind: a string the source still shows
    # but makemessages no longer finds (a `_()` where it does not read, e.g. inside a Jinja2
    # macro's call) would become obsolete at the next run, and the page would fall back to English.
    kept = {entry.msgid for entry in fresh}
    dropped = sorted(entry.msgid for entry in parse_po(CATALOGUE) if entry.msgid not in kept)
    assert not dropped, (
        f"{len(dropped)} translated strings of {CATALOGUE.relative_to(ROOT)} are no longer found "
        "in the source by makemessages:\n" + "\n".join(dropped)
    )
