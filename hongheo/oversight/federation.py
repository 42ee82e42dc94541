"""Federation messages (pure: no Django): the signed aggregate report a province pushes to the centre.

An envelope is ``{"payload": {...}, "signature": "<base64 Ed25519 signature>"}``; the signature is over
the canonical JSON of the payload (sorted keys, no spaces, UTF-8). The payload carries aggregate
counts only: :func:`validate_payload` refuses any row field outside a fixed list, so no personal
data can travel by mistake.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SCHEMA_VERSION = 1
KIND = "hongheo.aggregate-report"
MAX_BYTES = 8 * 1024 * 1024

ROW_COUNT_KEYS = (
    "households",
    "households_start",
    "persons",
    "poor",
    "near_poor",
    "average",
    "poor_start",
    "near_poor_start",
    "poor_new",
    "poor_re_entered",
    "poor_from_near_poor",
    "poor_escaped",
    "poor_to_near_poor",
    "near_poor_new",
    "near_poor_escaped",
)
ROW_KEYS = {"code", "name", "setting", "mountain", "groups", *ROW_COUNT_KEYS}
GROUP_KEYS = {"households", "poor", "near_poor"}
BREAKDOWN_KEYS = {"code", "label", "poor", "near_poor"}
SUPPORT_KEYS = {"code", "label", "households", "amount"}
PAYLOAD_KEYS = {
    "schema",
    "kind",
    "province",
    "report_id",
    "sequence",
    "generated_at",
    "on",
    "figures",
    "history",
}
FIGURE_KEYS = {"schema", "area", "on", "start", "standard", "rows", "breakdowns", "support"}
REPORT_ID = re.compile(r"^[0-9a-fA-F-]{8,64}$")


class FederationError(ValueError):
    """A push that cannot be accepted; ``reason`` is shown to both sides."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- keys ----------------------------------------------------------------------------------------


def new_private_key_pem() -> bytes:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise FederationError("Khoá bí mật không phải khoá Ed25519.")
    return key


def public_key_b64(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(b64: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise FederationError(f"Khoá công khai không hợp lệ (cần 32 byte Ed25519, base64): {exc}")


# --- envelopes -----------------------------------------------------------------------------------


def sign(payload: Mapping[str, Any], private: Ed25519PrivateKey) -> dict[str, Any]:
    signature = private.sign(canonical(payload))
    return {"payload": dict(payload), "signature": base64.b64encode(signature).decode("ascii")}


def open_envelope(body: bytes) -> tuple[dict[str, Any], bytes]:
    """The payload and the signature of a request body, or :class:`FederationError`."""
    if len(body) > MAX_BYTES:
        raise FederationError(f"Báo cáo quá lớn (tối đa {MAX_BYTES // (1024 * 1024)} MB).")
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FederationError(f"Không đọc được báo cáo (JSON không hợp lệ): {exc}")
    if not isinstance(envelope, dict) or set(envelope) != {"payload", "signature"}:
        raise FederationError("Báo cáo phải gồm đúng hai phần 'payload' và 'signature'.")
    payload, signature = envelope["payload"], envelope["signature"]
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise FederationError("Báo cáo phải gồm đúng hai phần 'payload' và 'signature'.")
    try:
        raw = base64.b64decode(signature, validate=True)
    except binascii.Error:
        raise FederationError("Chữ ký không phải base64.")
    return payload, raw


def verify(payload: Mapping[str, Any], signature: bytes, public_keys: list[str]) -> None:
    """Accept when one of the province's registered keys verifies the signature."""
    message = canonical(payload)
    for b64 in public_keys:
        try:
            parse_public_key(b64).verify(signature, message)
            return
        except (InvalidSignature, FederationError):
            continue
    raise FederationError("Chữ ký không đúng với khoá đã đăng ký của tỉnh.")


# --- payload validation --------------------------------------------------------------------------


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_rows(where: str, rows: Any, errors: list[str]) -> None:
    if not isinstance(rows, list):
        errors.append(f"{where}: rows phải là danh sách")
        return
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append(f"{where}.rows[{i}]: không phải đối tượng")
            continue
        extra = set(row) - ROW_KEYS
        if extra:
            errors.append(f"{where}.rows[{i}]: trường không được phép {sorted(extra)}")
        if not isinstance(row.get("code"), str):
            errors.append(f"{where}.rows[{i}]: thiếu mã địa bàn")
        for key in ROW_COUNT_KEYS:
            if key in row and not _count(row[key]):
                errors.append(f"{where}.rows[{i}].{key}: phải là số nguyên không âm")
        for key in ("households", "poor", "near_poor"):
            if key not in row:
                errors.append(f"{where}.rows[{i}]: thiếu {key}")
        groups = row.get("groups", {})
        if not isinstance(groups, dict):
            errors.append(f"{where}.rows[{i}].groups: không phải đối tượng")
            continue
        for g, part in groups.items():
            if not isinstance(part, dict) or set(part) - GROUP_KEYS or not all(map(_count, part.values())):
                errors.append(f"{where}.rows[{i}].groups.{g}: chỉ gồm số hộ, hộ nghèo, hộ cận nghèo")
        if len(errors) > 20:
            return


def _check_list(where: str, items: Any, keys: set[str], errors: list[str]) -> None:
    if not isinstance(items, list):
        errors.append(f"{where}: phải là danh sách")
        return
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) - keys:
            errors.append(f"{where}[{i}]: chỉ được gồm {sorted(keys)}")


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def validate_payload(payload: Mapping[str, Any]) -> list[str]:
    """Every problem of a payload (empty when acceptable)."""
    errors: list[str] = []
    extra = set(payload) - PAYLOAD_KEYS
    if extra:
        errors.append(f"trường không được phép: {sorted(extra)}")
    if payload.get("schema") != SCHEMA_VERSION:
        errors.append(f"schema phải là {SCHEMA_VERSION}")
    if payload.get("kind") != KIND:
        errors.append(f"kind phải là {KIND!r}")
    if not isinstance(payload.get("province"), str) or not payload.get("province"):
        errors.append("thiếu mã tỉnh")
    if not isinstance(payload.get("report_id"), str) or not REPORT_ID.match(payload.get("report_id", "")):
        errors.append("report_id không hợp lệ")
    if not _count(payload.get("sequence")) or not payload.get("sequence"):
        errors.append("sequence phải là số nguyên dương")
    on = _date(payload.get("on"))
    if on is None:
        errors.append("ngày số liệu (on) không hợp lệ")
    figures = payload.get("figures")
    if not isinstance(figures, dict):
        errors.append("thiếu số liệu (figures)")
    else:
        if set(figures) - FIGURE_KEYS:
            errors.append(f"figures: trường không được phép {sorted(set(figures) - FIGURE_KEYS)}")
        if on is not None and _date(figures.get("on")) != on:
            errors.append("figures.on khác ngày số liệu của báo cáo")
        area = figures.get("area") or {}
        if not isinstance(area, dict) or area.get("code") != payload.get("province"):
            errors.append("figures.area không phải tỉnh gửi báo cáo")
        _check_rows("figures", figures.get("rows"), errors)
        breakdowns = figures.get("breakdowns", {})
        if not isinstance(breakdowns, dict):
            errors.append("figures.breakdowns: không phải đối tượng")
        else:
            for name, items in breakdowns.items():
                _check_list(f"figures.breakdowns.{name}", items, BREAKDOWN_KEYS, errors)
        _check_list("figures.support", figures.get("support", []), SUPPORT_KEYS, errors)
    history = payload.get("history", [])
    if not isinstance(history, list):
        errors.append("history phải là danh sách")
    else:
        for i, item in enumerate(history):
            if not isinstance(item, dict) or set(item) != {"on", "rows"} or _date(item.get("on")) is None:
                errors.append(f"history[{i}]: cần 'on' và 'rows'")
                continue
            _check_rows(f"history[{i}]", item["rows"], errors)
    return errors


def build_payload(
    *,
    province: str,
    report_id: str,
    sequence: int,
    generated_at: dt.datetime,
    figures: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": KIND,
        "province": province,
        "report_id": report_id,
        "sequence": sequence,
        "generated_at": generated_at.isoformat(),
        "on": figures["on"],
        "figures": dict(figures),
        "history": [{"on": h["on"], "rows": h["rows"]} for h in history],
    }
