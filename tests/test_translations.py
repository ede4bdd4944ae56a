"""The French catalogue is complete: no string ships untranslated, fuzzy or out of date.

The interface is written in English and shown in French by default, so a string
missing from encaisse/locale/fr/LC_MESSAGES/django.po shows up in English to our
users. After changing a string: `cd encaisse && ../.venv/bin/django-admin makemessages
-l fr -e html,txt,py --ignore='.venv/*' --no-obsolete`, translate, `make messages`.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[1] / "encaisse"
CATALOGUE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
NBSP = "\u00a0"
NNBSP = "\u202f"


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is form 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Entries of a gettext catalogue, header included; obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which field a continuation line extends
    flags: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert entry is not None and target is not None, f"line {number}: stray string"
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
        if keyword in {"msgctxt", "msgid"} and (target is None or target[0] == "msgstr"):
            entry = Entry(line=number, flags=flags)
            entries.append(entry)
            flags = set()
        assert entry is not None, f"line {number}: {keyword} outside an entry"
        if keyword.startswith('"'):
            name, index = target  # type: ignore[misc]
        elif keyword.startswith("msgstr["):
            name, index = "msgstr", int(keyword[7:-1])
        else:
            name, index = keyword, 0
        target = (name, index)
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    return entries


def catalogue() -> tuple[Entry, list[Entry]]:
    header, *entries = parse_po(CATALOGUE.read_text(encoding="utf-8"))
    assert header.msgid == "", "the catalogue starts with its header"
    return header, entries


PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdfrixX%]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_header_declares_french_and_its_plural_rule() -> None:
    header, _ = catalogue()
    meta = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert meta["Language"] == "fr"
    assert meta["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "charset=UTF-8" in meta["Content-Type"]
    assert "fuzzy" not in header.flags


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    _, entries = catalogue()
    assert len(entries) > 300
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy translations to review:\n" + "\n".join(fuzzy)
    empty = [
        str(e)
        for e in entries
        if sorted(e.msgstr) != ([0, 1] if e.msgid_plural else [0]) or not all(e.msgstr.values())
    ]
    assert not empty, "untranslated strings:\n" + "\n".join(empty)


def test_translations_keep_their_placeholders_and_markup() -> None:
    _, entries = catalogue()
    wrong = []
    for entry in entries:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for translated in entry.msgstr.values():
            # French uses the singular for 0 and 1, which may drop a count the English has.
            expected = [placeholders(s) for s in sources]
            if placeholders(translated) not in expected:
                wrong.append(f"{entry} → {translated!r}")
            if re.findall(r"</?\w+", entry.msgid) != re.findall(r"</?\w+", translated):
                wrong.append(f"{entry} → {translated!r} (HTML tags)")
    assert not wrong, "\n".join(wrong)


def test_french_typography() -> None:
    """A no-break space before : ; ! ? and inside « », so they never start a line."""
    _, entries = catalogue()
    wrong = []
    for entry in entries:
        for translated in entry.msgstr.values():
            if re.search(r" [:;!?»]|« ", translated) or re.search(r"\w[;!?»]", translated):
                wrong.append(f"{entry} → {translated!r}")
            if "“" in translated or "”" in translated:
                wrong.append(f"{entry} → {translated!r} (use « guillemets »)")
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Every translatable string of the code and templates is in the catalogue."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed (make messages installs it)")
    copy = tmp_path / "encaisse"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po"))
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run(
        [
            *(str(django_admin), "makemessages", "-l", "fr", "-e", "html,txt,py"),
            *("--ignore=.venv/*", "--ignore=*/tests/*", "--no-obsolete", "-v", "0"),
        ],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
    )
    fresh = parse_po((copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    _, entries = catalogue()
    known = {entry.key for entry in entries}
    missing = [str(entry) for entry in fresh[1:] if entry.key not in known]
    assert not missing, "strings missing from the catalogue (run makemessages):\n" + "\n".join(
        missing
    )


def test_the_compiled_catalogue_is_used() -> None:
    with translation.override("fr"):
        assert translation.gettext("Customers") == "Clients"
        assert (
            translation.ngettext("%(days)s day late", "%(days)s days late", 2) % {"days": 2}
            == "2 jours de retard"
        )
        assert (
            translation.ngettext("%(days)s day late", "%(days)s days late", 1) % {"days": 1}
            == "1 jour de retard"
        )


@pytest.mark.django_db
def test_import_errors_are_in_french_by_default() -> None:
    from tests.imports.helpers import run

    report = run("customers", "")
    assert report.file_error == "Le fichier est vide."
