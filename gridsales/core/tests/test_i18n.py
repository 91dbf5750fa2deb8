"""The zh-Hans catalogue is complete, compiled, and covers every translatable string."""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file written with --no-wrap: msgid, plural, msgstr(s), flags."""
    entries, entry = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            entry = {"flags": line[2:].strip(), "msgstr": []}
        elif line.startswith("msgctxt "):
            entry = entry or {"flags": "", "msgstr": []}
            entry["context"] = json.loads(line[8:])
        elif line.startswith("msgid "):
            entry = entry or {"flags": "", "msgstr": []}
            entry["msgid"] = json.loads(line[6:])
        elif line.startswith("msgid_plural "):
            entry["plural"] = json.loads(line[13:])
        elif line.startswith("msgstr"):
            entry["msgstr"].append(json.loads(line.split(" ", 1)[1]))
        elif not line.strip() and entry is not None:
            if entry.get("msgid"):
                entries.append(entry)
            entry = None
    if entry and entry.get("msgid"):
        entries.append(entry)
    return entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = parse_po(PO)
    assert len(entries) > 150
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    for e in parse_po(PO):
        for pattern in (r"\{[^{}]*\}", r"%\(\w+\)s"):
            assert sorted(re.findall(pattern, e["msgid"])) == sorted(
                re.findall(pattern, e["msgstr"][0])
            ), e["msgid"]


def test_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    for e in parse_po(PO):
        if "plural" in e:
            assert catalogue.ngettext(e["msgid"], e["plural"], 1) == e["msgstr"][0]
        elif "context" in e:
            assert catalogue.pgettext(e["context"], e["msgid"]) == e["msgstr"][0], e["msgid"]
        else:
            assert catalogue.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("CI") == "true":
            pytest.fail("xgettext (gettext) is needed to check the catalogue under CI")
        pytest.skip("xgettext (Debian package gettext) is not installed")
    copy = tmp_path / "gridsales"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("static", "locale", "__pycache__", "tests")
    )
    (copy / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridsales.settings"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-wrap",
            "-i",
            "demo/data/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {
        e["msgid"] for e in parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    }
    known = {e["msgid"] for e in parse_po(PO)}
    assert sorted(fresh - known) == [], "run makemessages and translate the new strings"
