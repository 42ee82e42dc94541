"""Ethnicity (dân tộc) as the official list of 54 groups (``data/ethnic_groups.json``, with its
provenance), not free text (issue 8). A member's ``ethnicity`` holds the group's official name;
any common spelling (``H'Mông``, ``Khmer``, ``Gia Rai``…, with or without diacritics) is
recognised and stored under the official name. Pure module: no Django."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from hongheo.core.text import fold


class UnknownEthnicity(ValueError):
    def __init__(self, value: str) -> None:
        self.message = f"Dân tộc “{value[:40]}” không có trong danh mục 54 dân tộc Việt Nam."
        super().__init__(self.message)


def key(text: str) -> str:
    """The matching form: no diacritics, no case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


@cache
def ethnic_groups() -> dict[str, Any]:
    text = resources.files("hongheo.registry.data").joinpath("ethnic_groups.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    if len(data["groups"]) != 54:
        raise ValueError("ethnic_groups.json must list 54 groups")
    return data


@cache
def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for group in ethnic_groups()["groups"]:
        for name in [group["label_vi"], group["code"], *group.get("aliases", [])]:
            k = key(name)
            if k in out and out[k] != group["label_vi"]:
                raise ValueError(f"ambiguous ethnicity spelling {name!r}")
            out[k] = group["label_vi"]
    return out


def canonical(value: Any) -> str:
    """The official name for ``value`` ('' for blank); :class:`UnknownEthnicity` otherwise."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    found = _index().get(key(text))
    if found is None:
        raise UnknownEthnicity(text)
    return found


def canonical_or_none(value: Any) -> str | None:
    try:
        return canonical(value)
    except UnknownEthnicity:
        return None


def mapping() -> dict[str, str]:
    """Matching form → official name (for vectorised checks of an import)."""
    return dict(_index())


def labels() -> list[str]:
    return [g["label_vi"] for g in ethnic_groups()["groups"]]


def code_of(label: str) -> str:
    for g in ethnic_groups()["groups"]:
        if g["label_vi"] == label:
            return str(g["code"])
    return ""
