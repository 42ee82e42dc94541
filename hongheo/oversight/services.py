"""Oversight services: the only writers of targets, designations, registered keys and pushes. Each
validates, writes and records an audit row in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.users.access import user_covers_area

from . import federation, figures
from .models import AreaDesignation, OutgoingPush, ProvinceKey, ReceivedPush, Target

# Who sets targets for which level: the level that owns them.
TARGET_ROLES: dict[str, set[str]] = {
    Area.Level.CENTRAL: {"central_analyst", "administrator"},
    Area.Level.PROVINCE: {"province_officer", "administrator"},
    Area.Level.COMMUNE: {"commune_officer", "commune_chairman", "administrator"},
}
FEDERATION_ROLES = {"central_analyst", "administrator"}
PUSH_ROLES = {"province_officer", "administrator"}


def _can_set_target(actor: Any, area: Area) -> bool:
    role = getattr(actor, "role", None)
    if role not in TARGET_ROLES.get(str(area.level), set()):
        return False
    return user_covers_area(actor, area)


def _decimal(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s không hợp lệ: %(value)s") % {"label": label, "value": repr(value)})
    if not number.is_finite():
        raise ValidationError(_("%(label)s không hợp lệ: %(value)s") % {"label": label, "value": repr(value)})
    return number


@transaction.atomic
def target_create(
    *,
    actor: Any,
    area: Area,
    year_from: int,
    year_to: int,
    metric: str,
    op: str,
    value: Any,
    title: str,
    value_high: Any = None,
    klass: str = "poor",
    area_type: str = "",
    group: str = "",
    except_group: str = "",
    scope: str = "whole",
    min_base_rate: Any = None,
    source: str = "",
) -> Target:
    """A target set by the level that owns ``area`` (inherited by every area below)."""
    if not _can_set_target(actor, area):
        raise PermissionDenied(_("Bạn không được đặt chỉ tiêu cho địa bàn này."))
    errors: list[str] = []
    choices = {
        "metric": (metric, Target.Metric.values),
        "op": (op, Target.Op.values),
        "klass": (klass, Target.Klass.values),
        "area_type": (area_type, Target.AreaType.values),
        "group": (group, Target.Group.values),
        "except_group": (except_group, Target.Group.values),
        "scope": (scope, Target.Scope.values),
    }
    for name, (given, allowed) in choices.items():
        if given not in allowed:
            errors.append(f"Giá trị {name} không hợp lệ: {given!r}")
    if not (2000 <= int(year_from) <= int(year_to) <= 2100):
        errors.append("Năm bắt đầu phải ≤ năm kết thúc (trong khoảng 2000–2100).")
    if not (title or "").strip():
        errors.append("Cần tên chỉ tiêu.")
    if errors:
        raise ValidationError(" ".join(errors))
    number = _decimal(value, _("Giá trị chỉ tiêu"))
    high = _decimal(value_high, _("Cận trên")) if value_high not in (None, "") else None
    base = _decimal(min_base_rate, _("Ngưỡng tỷ lệ")) if min_base_rate not in (None, "") else None
    if number < 0 or (high is not None and high < number):
        raise ValidationError(_("Giá trị chỉ tiêu phải không âm và cận trên không nhỏ hơn cận dưới."))
    if metric == "rate" and number > 100:
        raise ValidationError(_("Tỷ lệ không thể lớn hơn 100%."))
    if metric == "count" and number != number.to_integral_value():
        raise ValidationError(_("Chỉ tiêu số hộ phải là số nguyên."))
    if base is not None and scope != "each_commune":
        raise ValidationError(_("Ngưỡng tỷ lệ đầu năm chỉ dùng cho chỉ tiêu áp dụng từng xã."))
    if group and group == except_group:
        raise ValidationError(_("Nhóm được tính và nhóm loại trừ phải khác nhau."))
    target = Target.objects.create(
        area=area,
        year_from=int(year_from),
        year_to=int(year_to),
        metric=metric,
        op=op,
        value=number,
        value_high=high,
        klass=klass,
        area_type=area_type,
        group=group,
        except_group=except_group,
        scope=scope,
        min_base_rate=base,
        title=title.strip(),
        source=(source or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_write(
        actor=actor,
        action="oversight.target_create",
        obj=target,
        after={
            "title": target.title,
            "metric": metric,
            "op": op,
            "value": str(number),
            "years": [target.year_from, target.year_to],
            "area_type": area_type,
            "group": group,
            "except_group": except_group,
            "scope": scope,
        },
        area_code=area.code,
    )
    return target


@transaction.atomic
def target_retire(*, actor: Any, target: Target) -> Target:
    """Stop a target (kept for the record, never deleted)."""
    if not _can_set_target(actor, target.area):
        raise PermissionDenied(_("Bạn không được sửa chỉ tiêu của địa bàn này."))
    if not target.is_active:
        raise ValidationError(_("Chỉ tiêu đã thôi áp dụng."))
    target.is_active = False
    target.save(update_fields=["is_active", "updated_at"])
    audit_write(
        actor=actor,
        action="oversight.target_retire",
        obj=target,
        before={"is_active": True},
        after={"is_active": False},
        area_code=target.area.code,
    )
    return target


@transaction.atomic
def designation_set(*, actor: Any, area: Area, kind: str, source: str) -> AreaDesignation:
    """Designate a commune (e.g. mountainous), with the decision that says so."""
    role = getattr(actor, "role", None)
    if actor is not None and (
        role not in {"province_officer", "administrator", "central_analyst"}
        or not user_covers_area(actor, area)
    ):
        raise PermissionDenied(_("Bạn không được phân loại địa bàn này."))
    if kind not in AreaDesignation.Kind.values:
        raise ValidationError(_("Loại phân loại không hợp lệ."))
    if area.level != Area.Level.COMMUNE:
        raise ValidationError(_("Chỉ phân loại cấp xã."))
    found, created = AreaDesignation.objects.get_or_create(area=area, kind=kind, defaults={"source": source})
    if not created and found.source != source:
        found.source = source
        found.save(update_fields=["source", "updated_at"])
    audit_write(
        actor=actor, action="oversight.designation_set", obj=found, after={"kind": kind, "source": source}
    )
    return found


# --- federation: the centre ----------------------------------------------------------------------


@transaction.atomic
def province_key_register(*, actor: Any, province: Area, public_key: str) -> ProvinceKey:
    """Register the key a province signs with (the previous keys stay valid until retired)."""
    if actor is not None and getattr(actor, "role", None) not in FEDERATION_ROLES:
        raise PermissionDenied(_("Bạn không được đăng ký khoá của tỉnh."))
    if province.level != Area.Level.PROVINCE:
        raise ValidationError(_("Khoá chỉ đăng ký cho cấp tỉnh."))
    federation.parse_public_key(public_key)
    key, created = ProvinceKey.objects.get_or_create(
        province=province,
        public_key=public_key.strip(),
        defaults={"registered_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    if not created and not key.is_active:
        key.is_active = True
        key.save(update_fields=["is_active", "updated_at"])
    audit_write(
        actor=actor,
        action="oversight.province_key_register",
        obj=key,
        after={"province": province.code, "public_key": key.public_key},
        area_code=province.code,
    )
    return key


def _reject(body_sha: str, province_code: str, reason: str, payload: dict[str, Any] | None) -> ReceivedPush:
    province = Area.objects.filter(code=province_code, level=Area.Level.PROVINCE).first()
    push = ReceivedPush.objects.create(
        province=province,
        province_code=province_code[:8],
        report_id=str((payload or {}).get("report_id", ""))[:64],
        sequence=(payload or {}).get("sequence")
        if isinstance((payload or {}).get("sequence"), int)
        else None,
        status=ReceivedPush.Status.REJECTED,
        reason=reason[:500],
        sha256=body_sha,
        payload=None,  # a refused body is not kept: it may hold what should never have been sent
    )
    audit_write(
        actor=None,
        action="oversight.push_reject",
        obj=push,
        after={"province": province_code, "reason": reason[:500]},
        area_code=province_code,
    )
    return push


@transaction.atomic
def push_receive(*, body: bytes) -> tuple[ReceivedPush, str]:
    """Receive a province's push. Returns the stored row and the outcome: ``accepted``,
    ``superseded`` (kept as a version, not newer than the one in use), ``duplicate`` (the same
    report again: nothing changes) or ``rejected`` (with its reason)."""
    body_sha = federation.sha256(body)
    payload: dict[str, Any] | None = None
    try:
        payload, signature = federation.open_envelope(body)
        province_code = str(payload.get("province", ""))
        errors = federation.validate_payload(payload)
        if errors:
            raise federation.FederationError("Báo cáo không hợp lệ: " + "; ".join(errors[:10]))
        province = Area.objects.filter(code=province_code, level=Area.Level.PROVINCE).first()
        if province is None:
            raise federation.FederationError(f"Không có tỉnh mã {province_code!r}.")
        keys = list(
            ProvinceKey.objects.filter(province=province, is_active=True).values_list("public_key", flat=True)
        )
        if not keys:
            raise federation.FederationError("Tỉnh chưa đăng ký khoá công khai với trung ương.")
        federation.verify(payload, signature, keys)
    except federation.FederationError as exc:
        code = str((payload or {}).get("province", "")) if isinstance(payload, dict) else ""
        return _reject(body_sha, code, exc.reason, payload), "rejected"
    content_sha = federation.sha256(federation.canonical(payload))
    same = (
        ReceivedPush.objects.select_for_update()
        .filter(province=province, report_id=payload["report_id"])
        .exclude(status=ReceivedPush.Status.REJECTED)
        .first()
    )
    if same is not None:
        if same.sha256 == content_sha:
            return same, "duplicate"
        return _reject(
            body_sha, province.code, "Mã báo cáo đã dùng cho một nội dung khác.", payload
        ), "rejected"
    latest = (
        ReceivedPush.objects.filter(province=province, status=ReceivedPush.Status.ACCEPTED)
        .order_by("-sequence")
        .first()
    )
    newer = latest is None or payload["sequence"] > (latest.sequence or 0)
    status = ReceivedPush.Status.ACCEPTED if newer else ReceivedPush.Status.SUPERSEDED
    try:
        with transaction.atomic():
            push = ReceivedPush.objects.create(
                province=province,
                province_code=province.code,
                report_id=payload["report_id"],
                sequence=payload["sequence"],
                on=dt.date.fromisoformat(payload["on"]),
                status=status,
                reason="" if newer else f"Đã có báo cáo số {latest.sequence if latest else ''} mới hơn.",
                sha256=content_sha,
                payload=payload,
            )
    except IntegrityError:  # pragma: no cover - a concurrent identical push
        return _reject(
            body_sha, province.code, "Báo cáo đang được nhận ở một yêu cầu khác.", payload
        ), "rejected"
    audit_write(
        actor=None,
        action="oversight.push_receive",
        obj=push,
        after={"province": province.code, "sequence": push.sequence, "on": payload["on"], "status": status},
        area_code=province.code,
    )
    return push, str(status)


# --- federation: the province --------------------------------------------------------------------


def _private_key() -> Any:
    path = getattr(settings, "OVERSIGHT_PRIVATE_KEY_FILE", "")
    if not path:
        raise ValidationError(_("Chưa cấu hình khoá bí mật để ký báo cáo (OVERSIGHT_PRIVATE_KEY_FILE)."))
    try:
        with open(path, "rb") as fh:
            return federation.load_private_key(fh.read())
    except OSError as exc:
        raise ValidationError(_("Không đọc được khoá bí mật: %(exc)s") % {"exc": exc})


def push_build(*, actor: Any, province: Area, on: dt.date, history_years: int = 3) -> dict[str, Any]:
    """The payload of a push: the province's figures on ``on`` and the ends of previous years."""
    if province.level != Area.Level.PROVINCE or not user_covers_area(actor, province):
        raise NotFound(_("Không tìm thấy tỉnh."))
    current = figures.compute(actor, province, on)
    history = [
        {"on": day.isoformat(), "rows": figures.compute(actor, province, day, with_support=False)["rows"]}
        for day in figures.year_ends(on, history_years)[:-1]
    ]
    return federation.build_payload(
        province=province.code,
        report_id=str(uuid.uuid4()),
        sequence=time.time_ns() // 1000,
        generated_at=timezone.now(),
        figures=current,
        history=history,
    )


def push_post(url: str, envelope: dict[str, Any], timeout: float = 30.0) -> tuple[str, str]:
    """POST an envelope; the centre's (status, reason), or ``failed`` with why."""
    data = federation.canonical(envelope)
    request = urllib.request.Request(  # noqa: S310 - the configured centre URL (http/https only)
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    if not url.startswith(("http://", "https://")):
        return "failed", f"Địa chỉ trung ương không hợp lệ: {url}"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return "failed", f"Trung ương trả lời lỗi HTTP {exc.code}."
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return "failed", f"Không gửi được tới trung ương: {exc}"
    status = str(answer.get("status", "failed"))
    if status not in OutgoingPush.Status.values:
        status = "failed"
    return status, str(answer.get("reason", ""))


@transaction.atomic
def _record_push(
    *, actor: Any, province: Area, envelope: dict[str, Any], status: str, reason: str
) -> OutgoingPush:
    payload = envelope["payload"]
    push = OutgoingPush.objects.create(
        province=province,
        report_id=payload["report_id"],
        sequence=payload["sequence"],
        on=dt.date.fromisoformat(payload["on"]),
        sha256=federation.sha256(federation.canonical(payload)),
        status=status,
        reason=reason[:500],
        sent_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_write(
        actor=actor,
        action="oversight.push_send",
        obj=push,
        after={"sequence": push.sequence, "on": payload["on"], "status": status, "reason": reason[:200]},
        area_code=province.code,
    )
    return push


def push_send(
    *, actor: Any, province: Area, on: dt.date, url: str | None = None, private_key: Any = None
) -> OutgoingPush:
    """Build, sign and send the province's aggregate report to the centre; record the answer."""
    if getattr(actor, "role", None) not in PUSH_ROLES:
        raise PermissionDenied(_("Bạn không được gửi báo cáo lên trung ương."))
    url = url or getattr(settings, "OVERSIGHT_CENTRE_URL", "")
    if not url:
        raise ValidationError(_("Chưa cấu hình địa chỉ trung ương (OVERSIGHT_CENTRE_URL)."))
    key = private_key or _private_key()
    envelope = federation.sign(push_build(actor=actor, province=province, on=on), key)
    status, reason = push_post(url, envelope)
    return _record_push(actor=actor, province=province, envelope=envelope, status=status, reason=reason)


def push_resend(*, actor: Any, province: Area, envelope: dict[str, Any], url: str) -> OutgoingPush:
    """Send an already signed envelope again (a retry, or a test of idempotency)."""
    status, reason = push_post(url, envelope)
    return _record_push(actor=actor, province=province, envelope=envelope, status=status, reason=reason)
