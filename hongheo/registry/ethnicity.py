"""Ethnicity (dân tộc) as the official list of 54 groups (``data/ethnic_groups.json``, with its
provenance), not free text (issue 8). A member's ``ethnicity`` holds the group's official name;
any common spelling (``H'Mông``, ``Khmer``, ``Gia Rai``…, with or without diacritics) is
recognised and stored under the official name. Pure module: no Django."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from hongheo.core.text import fold


class UnknownEthnicity(ValueError):
    def __init__(self, value: str) -> None:
        self.message = f"Dân tộc “{value[:40]}” không có trong danh mục 54 dân tộc Việt Nam."
        super().__init__(self.message)


def key(text: str) -> str:
    """The matching form: no diacritics, no case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


#: An instance's corrected list (``manage.py ethnic_groups --load``), used instead of the shipped
#: file when it exists; set by the registry app from ``HONGHEO_REFERENCE_DIR``.
_override_path: Path | None = None


def set_override_path(path: str | Path | None) -> None:
    global _override_path
    _override_path = Path(path) if path else None


def override_path() -> Path | None:
    return _override_path


def shipped_text() -> str:
    return resources.files("hongheo.registry.data").joinpath("ethnic_groups.json").read_text(encoding="utf-8")


def _source() -> tuple[str, int]:
    """(path or "", modification time): what :func:`ethnic_groups` reads now (a corrected list loaded
    by another process is picked up at the next call, without a restart)."""
    if _override_path is not None:
        try:
            return str(_override_path), _override_path.stat().st_mtime_ns
        except FileNotFoundError:
            pass
    return "", 0


@lru_cache(maxsize=4)
def _load(path: str, mtime: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8") if path else shipped_text())
    problems = check(data)
    if problems:
        raise ValueError("ethnic_groups: " + "; ".join(problems))
    return data


def ethnic_groups() -> dict[str, Any]:
    return _load(*_source())


def check(data: Any) -> list[str]:
    """What is wrong with a list (empty when it can be used): 54 groups, two-digit codes unique in
    both code sets, a Vietnamese and an English name each, no spelling that names two groups, and
    a provenance that says whether it was verified and against what."""
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        return ["tệp phải là một đối tượng JSON có mục groups (danh sách)"]
    out = []
    groups = data["groups"]
    if len(groups) != 54:
        out.append(f"phải có đúng 54 dân tộc, tệp có {len(groups)}")
    for field in ("code", "code_2008"):
        values = [str(g.get(field, "")) if isinstance(g, dict) else "" for g in groups]
        if any(not (len(v) == 2 and v.isdigit()) for v in values):
            out.append(f"mọi {field} phải là 2 chữ số")
        if len(set(values)) != len(values):
            out.append(f"{field} bị trùng")
    seen: dict[str, str] = {}
    for g in groups:
        if not isinstance(g, dict):
            out.append("mỗi dân tộc phải là một đối tượng JSON")
            continue
        label = str(g.get("label_vi") or "").strip()
        if not label or not str(g.get("label_en") or "").strip():
            out.append(f"dân tộc mã {g.get('code')}: thiếu label_vi hoặc label_en")
            continue
        aliases = g.get("aliases", [])
        if not isinstance(aliases, list):
            out.append(f"{label}: aliases phải là danh sách")
            continue
        for name in [label, *aliases]:
            k = key(str(name))
            if k and seen.setdefault(k, label) != label:
                out.append(f"cách viết “{name}” trùng giữa {seen[k]} và {label}")
    prov = data.get("provenance")
    if (
        not isinstance(prov, dict)
        or prov.get("status") not in ("verified", "unverified")
        or not prov.get("source")
    ):
        out.append("provenance phải có status (verified hoặc unverified) và source")
    if not isinstance(data.get("version"), int):
        out.append("version phải là số nguyên")
    return out


def _index() -> dict[str, str]:
    return _index_for(*_source())


@lru_cache(maxsize=4)
def _index_for(path: str, mtime: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in _load(path, mtime)["groups"]:
        for name in [group["label_vi"], group["code"], *group.get("aliases", [])]:
            out[key(name)] = group["label_vi"]
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


def code_of(label: str, *, code_set: str = "code") -> str:
    """The group's code: ``code`` (Quyết định 121-TCTK/PPCĐ, 1979) or ``code_2008`` (Quyết định
    1019/QĐ-TCTK, 2008): the two number the same 54 groups differently."""
    for g in ethnic_groups()["groups"]:
        if g["label_vi"] == label:
            return str(g[code_set])
    return ""


def label_en(label: str) -> str:
    for g in ethnic_groups()["groups"]:
        if g["label_vi"] == label:
            return str(g["label_en"])
    return label
