"""Code lists of the registry, kept as data (``data/code_lists.json``) with provenance per list.

Services validate against them, pages and exports show their Vietnamese labels, and the household
forms receive them as JSON (:func:`export`) to validate as the user types. Pure module: no Django.

The official lists of Circular 07/2021/TT-BLĐTBXH (Phiếu B) are UNVERIFIED; lists marked
``third-party`` are hints taken from third-party code, not official lists (see each list's
``provenance``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

PROVENANCE_STATUSES = ("verified", "verified-weak", "unverified", "third-party", "project")


class UnknownCode(ValueError):
    """A value that is not in its code list. ``message`` is Vietnamese, for people."""

    def __init__(self, list_name: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.list_name = list_name
        self.value = value
        self.message = message


@cache
def code_lists() -> dict[str, Any]:
    """The whole file (parsed once)."""
    text = resources.files("hongheo.registry.data").joinpath("code_lists.json").read_text(encoding="utf-8")
    data = json.loads(text)
    for name, spec in data["lists"].items():
        status = spec.get("provenance", {}).get("status")
        if status not in PROVENANCE_STATUSES:
            raise ValueError(
                f"code list {name}: provenance status {status!r} is not one of {PROVENANCE_STATUSES}"
            )
        seen = [item["code"] for item in spec["items"]]
        if len(seen) != len(set(seen)):
            raise ValueError(f"code list {name}: duplicate codes")
    return data


def list_names() -> tuple[str, ...]:
    return tuple(code_lists()["lists"])


def _spec(list_name: str) -> dict[str, Any]:
    try:
        return code_lists()["lists"][list_name]
    except KeyError:
        raise KeyError(f"unknown code list {list_name!r}") from None


@cache
def labels(list_name: str) -> dict[str, str]:
    """code → Vietnamese label, in the list's order."""
    return {item["code"]: item["label_vi"] for item in _spec(list_name)["items"]}


def codes(list_name: str) -> tuple[str, ...]:
    return tuple(labels(list_name))


def choices(list_name: str) -> list[tuple[str, str]]:
    return list(labels(list_name).items())


def list_label(list_name: str) -> str:
    return str(_spec(list_name)["label_vi"])


def provenance(list_name: str) -> dict[str, str]:
    return dict(_spec(list_name)["provenance"])


def label(list_name: str, code: str | None) -> str:
    """The Vietnamese label of a code ("—" when empty; the code itself when unknown)."""
    if not code:
        return "—"
    try:
        return labels(list_name).get(code, code)
    except KeyError:
        return code


def label_many(list_name: str, values: Iterable[str] | None) -> list[str]:
    return [label(list_name, v) for v in (values or [])]


def check_code(list_name: str, value: Any, *, blank: bool = True) -> str:
    """The code if it is in the list ('' allowed when ``blank``); otherwise :class:`UnknownCode`."""
    if value is None or value == "":
        if blank:
            return ""
        raise UnknownCode(list_name, value, f"{list_label(list_name)}: chưa chọn.")
    if not isinstance(value, str) or value not in labels(list_name):
        raise UnknownCode(list_name, value, f"{list_label(list_name)}: mã không hợp lệ “{value}”.")
    return value


def check_codes(list_name: str, values: Any) -> list[str]:
    """A multi-select value: a list of distinct codes of the list, returned in the list's order."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple | set | frozenset):
        raise UnknownCode(list_name, values, f"{list_label(list_name)}: phải là một danh sách mã.")
    known = labels(list_name)
    unknown = [v for v in values if v not in known]
    if unknown:
        shown = ", ".join(f"“{v}”" for v in unknown)
        raise UnknownCode(list_name, unknown, f"{list_label(list_name)}: mã không hợp lệ {shown}.")
    chosen = set(values)
    return [code for code in known if code in chosen]


def export() -> dict[str, Any]:
    """The lists for the browser (codes, labels, multi-select flag, provenance)."""
    data = code_lists()
    return {
        "version": data["version"],
        "lists": {
            name: {
                "label_vi": spec["label_vi"],
                "multi": bool(spec.get("multi")),
                "provenance": spec["provenance"],
                "items": [{"code": i["code"], "label_vi": i["label_vi"]} for i in spec["items"]],
            }
            for name, spec in data["lists"].items()
        },
    }
