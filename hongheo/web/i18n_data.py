"""English for labels that are data, not code: code-list names (``label_en`` beside ``label_vi`` in
``registry/data/code_lists.json``) and the report layouts, indicators and steps
(``web/data/labels_en.json``). Screens show them in English when the user chose English; documents
and exports never call this, so they stay Vietnamese."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language, gettext

from hongheo.registry import code_lists

_UNIT = re.compile(r"^(.*\S)\s+\(([^()]*)\)$")


@cache
def labels_en() -> dict[str, str]:
    """Vietnamese label → English label, from the data files."""
    text = resources.files("hongheo.web.data").joinpath("labels_en.json").read_text(encoding="utf-8")
    table: dict[str, str] = json.loads(text)
    for spec in code_lists.code_lists()["lists"].values():
        if spec.get("label_en"):
            table.setdefault(spec["label_vi"], spec["label_en"])
        for item in spec["items"]:
            if item.get("label_en"):
                table.setdefault(item["label_vi"], item["label_en"])
    return table


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def english(text: str) -> str:
    """The English of a Vietnamese label ("Số hộ (hộ)" → "Households (households)"); the
    translation catalogue for anything else; the text itself when neither knows it."""
    table = labels_en()
    if text in table:
        return table[text]
    match = _UNIT.match(text)
    if match and match.group(1) in table:
        return f"{table[match.group(1)]} ({table.get(match.group(2), match.group(2))})"
    return gettext(text)


def display(value: Any) -> Any:
    """``value`` in the user's language (a data label shown on a screen)."""
    if value is None or value == "" or not is_english():
        return value
    return english(str(value))


def _label(list_name: str, code: str) -> str:
    text = code_lists.label(list_name, code)
    return display(text)


label_lazy = lazy(_label, str)


def choices_lazy(list_name: str) -> list[tuple[str, Any]]:
    """A code list's choices whose labels follow the language of the request (for form fields
    built once at import time)."""
    return [(code, label_lazy(list_name, code)) for code in code_lists.codes(list_name)]


display_lazy = lazy(display, str)


# --- ethnic groups (registry/data/ethnic_groups.json: label_en beside label_vi) --------------------


def _ethnicity_label(label: str) -> str:
    from hongheo.registry import ethnicity

    return ethnicity.label_en(label) if is_english() else label


ethnicity_label_lazy = lazy(_ethnicity_label, str)


def ethnicity_choices() -> list[tuple[str, Any]]:
    """The member form's choices: blank, then the 54 groups of the list in use (the stored value is
    the Vietnamese name; the label follows the user's language). A callable, so a corrected list
    loaded by an administrator is offered without a restart."""
    from hongheo.registry import ethnicity

    return [("", "—"), *((label, ethnicity_label_lazy(label)) for label in ethnicity.labels())]
