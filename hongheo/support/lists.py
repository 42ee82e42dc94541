"""Code lists of support plans and hand-off lists, kept as data (``data/support_lists.json``),
with Vietnamese and English names; English names of the registry's lists this app shows (causes,
needs, support kinds); which support kinds meet which need; what to suggest for which cause.

Pure module: no Django. Vietnamese labels of the registry's own lists come from
``hongheo.registry.code_lists`` (one source); this file only adds their English names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from hongheo.registry import code_lists as registry_lists

OWN_LISTS = ("organisation_kind", "support_programme", "plan_status")
REGISTRY_LISTS = ("poverty_cause", "support_need", "support_kind")


@cache
def data() -> dict[str, Any]:
    text = resources.files("hongheo.support.data").joinpath("support_lists.json").read_text(encoding="utf-8")
    loaded = json.loads(text)
    kinds = set(registry_lists.codes("support_kind"))
    for need, mapped in loaded["need_support_kinds"].items():
        if need not in registry_lists.codes("support_need") or not set(mapped) <= kinds:
            raise ValueError(f"need_support_kinds: unknown code in {need!r}")
    for cause, mapped in loaded["cause_support_kinds"].items():
        if cause not in registry_lists.codes("poverty_cause") or not set(mapped) <= kinds:
            raise ValueError(f"cause_support_kinds: unknown code in {cause!r}")
    for name, spec in loaded["lists"].items():
        seen = [i["code"] for i in spec["items"]]
        if len(seen) != len(set(seen)) or any(not i.get("label_en") for i in spec["items"]):
            raise ValueError(f"support list {name}: duplicate codes or missing English name")
    return loaded


def codes(list_name: str) -> tuple[str, ...]:
    if list_name in OWN_LISTS:
        return tuple(i["code"] for i in data()["lists"][list_name]["items"])
    return registry_lists.codes(list_name)


def label(list_name: str, code: str | None, lang: str = "vi") -> str:
    """The name of a code in Vietnamese (default) or English; "—" when empty, the code when unknown."""
    if not code:
        return "—"
    english = (lang or "vi").startswith("en")
    if list_name in OWN_LISTS:
        for item in data()["lists"][list_name]["items"]:
            if item["code"] == code:
                return str(item["label_en"] if english else item["label_vi"])
        return code
    if english:
        english_name = data()["english_names"].get(list_name, {}).get(code)
        return str(english_name or registry_lists.label(list_name, code))
    return registry_lists.label(list_name, code)


def choices(list_name: str, lang: str = "vi") -> list[tuple[str, str]]:
    return [(c, label(list_name, c, lang)) for c in codes(list_name)]


def check(list_name: str, value: Any, *, blank: bool = False) -> str:
    """The code if it is in the list; ValueError with a Vietnamese message otherwise."""
    if value in (None, "") and blank:
        return ""
    if not isinstance(value, str) or value not in codes(list_name):
        name = data()["lists"][list_name]["label_vi"] if list_name in OWN_LISTS else list_name
        raise ValueError(f"{name}: mã không hợp lệ “{value}”." if value else f"{name}: chưa chọn.")
    return value


def kinds_meeting(need: str) -> tuple[str, ...]:
    """Support kinds that count as meeting a need."""
    return tuple(data()["need_support_kinds"].get(need, ()))


def suggestions(causes: Iterable[str], needs: Iterable[str]) -> list[tuple[str, str, str]]:
    """What a plan could contain, from a household's needs first, then its causes:
    ``(support_kind, need, why)`` with ``why`` = "need:<code>" or "cause:<code>"; each kind once."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for need in needs:
        for kind in kinds_meeting(need):
            if kind not in seen:
                seen.add(kind)
                out.append((kind, need, f"need:{need}"))
    need_of_kind = {k: n for n, ks in data()["need_support_kinds"].items() for k in ks}
    for cause in causes:
        for kind in data()["cause_support_kinds"].get(cause, ()):
            if kind not in seen:
                seen.add(kind)
                out.append((kind, need_of_kind.get(kind, ""), f"cause:{cause}"))
    return out


def needs_met(needs: Iterable[str], received_kinds: Iterable[str]) -> dict[str, bool]:
    """For each need, whether a support of a kind that meets it was received."""
    got = set(received_kinds)
    return {need: bool(got & set(kinds_meeting(need))) for need in needs}


def needs_met_count(households: Mapping[Any, tuple[Iterable[str], Iterable[str]]]) -> tuple[int, int]:
    """(met, total) over households given as ``{key: (needs, received kinds)}``."""
    met = total = 0
    for needs, kinds in households.values():
        result = needs_met(needs, kinds)
        total += len(result)
        met += sum(result.values())
    return met, total
