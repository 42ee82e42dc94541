"""Compile the translation catalogues (.po → .mo) with polib, so no gettext tools are needed.

Run as ``python -m hongheo.core.i18n`` (``make`` does it). Source strings are Vietnamese; the
English catalogue translates them (docs/decisions/0003-vietnamese-source-strings.md).
"""

from __future__ import annotations

from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_messages(locale_dir: Path = LOCALE_DIR) -> int:
    import polib

    count = 0
    for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count


if __name__ == "__main__":
    compile_messages()
