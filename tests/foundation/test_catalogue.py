"""The English catalogue is complete: every string the code and templates mark for translation is
in it, none is untranslated or fuzzy, placeholders match, and code-list labels carry English names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "hongheo" / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def test_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:20]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:20]
    for entry in po.translated_entries():
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in translations:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(text)), entry.msgid


@pytest.mark.skipif(not Path("/usr/bin/xgettext").exists(), reason="xgettext (gettext tools) not installed")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a scratch copy of the sources (never the real catalogue) finds no msgid that
    the catalogue lacks."""
    import os
    import shutil

    source = tmp_path / "hongheo"
    shutil.copytree(
        ROOT / "hongheo", source, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo", "migrations")
    )
    locale = source / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(PO, locale / "django.po")
    script = (
        "import django; from django.conf import settings; django.setup();"
        f"settings.LOCALE_PATHS=[{str(source / 'locale')!r}];"
        "from django.core.management import call_command;"
        "call_command('makemessages', locale=['en'], no_obsolete=True, verbosity=0)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], cwd=source, check=True, env=env)
    assert polib.pofile(str(PO)).percent_translated() == 100  # the real catalogue was not touched
    extracted = polib.pofile(str(locale / "django.po"))
    assert len(extracted) > 500  # the templates and code were really scanned
    # msgmerge puts a near match from the catalogue on a new msgid and calls it fuzzy: missing too
    missing = [e.msgid for e in extracted.untranslated_entries() + extracted.fuzzy_entries()]
    assert not missing, f"{len(missing)} strings without English: {missing[:20]}"


def test_code_lists_have_english_names():
    from hongheo.registry import code_lists

    for name, spec in code_lists.code_lists()["lists"].items():
        assert spec.get("label_en"), name
        assert all(item.get("label_en") for item in spec["items"]), name
