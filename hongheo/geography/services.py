"""Writers for the area tree. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write, snapshot
from hongheo.core.errors import PermissionDenied, ValidationError

from .models import Area

CENTRAL_CODE = "VN"
VIETNAM_PROVINCES_SOURCE = "vietnam-provinces package (QĐ 19/2025/QĐ-TTg codes)"

_COMMUNE_KIND = {"xã": Area.Kind.XA, "phường": Area.Kind.PHUONG, "đặc khu": Area.Kind.DAC_KHU}
# Default urban/rural class by commune kind: phường → urban, xã → rural. Đặc khu is set by the
# province (unknown in law, see vn-poverty-rules.md §7); rural until then, and marked as such.
_DEFAULT_SETTING = {
    Area.Kind.PHUONG: (Area.Setting.URBAN, "mặc định: phường → thành thị"),
    Area.Kind.XA: (Area.Setting.RURAL, "mặc định: xã → nông thôn"),
    Area.Kind.DAC_KHU: (Area.Setting.RURAL, "tạm định: đặc khu → nông thôn, chờ tỉnh xác định"),
}


def province_code_str(code: int | str) -> str:
    return f"{int(code):02d}"


def commune_code_str(code: int | str) -> str:
    return f"{int(code):05d}"


def _clean_name(name: str) -> str:
    """The package's names, with runs of white space collapsed ('Phường  An Nhơn' → 'Phường An Nhơn')."""
    return " ".join(str(name).split())


@transaction.atomic
def map_load(*, actor: Any = None, province_codes: list[int] | None = None) -> dict[str, int]:
    """Load (or refresh) the 34 provinces and 3,321 communes from the ``vietnam-provinces`` package.

    Idempotent: existing units keep their id and any urban/rural class a province has set.
    """
    from vietnam_provinces import Province, Ward

    central, _ = Area.objects.get_or_create(
        code=CENTRAL_CODE,
        defaults={"name": "Việt Nam", "level": Area.Level.CENTRAL, "path": f"/{CENTRAL_CODE}/"},
    )
    existing = {a.code: a for a in Area.objects.filter(level__in=[Area.Level.PROVINCE, Area.Level.COMMUNE])}
    created = updated = 0
    provinces: dict[str, Area] = {}
    for province in Province.iter_all():
        if province_codes and int(province.code) not in province_codes:
            continue
        code = province_code_str(province.code)
        kind = Area.Kind.THANH_PHO if "thành phố" in province.division_type.value else Area.Kind.TINH
        area = existing.get(code)
        if area is None:
            area = Area.objects.create(
                code=code,
                name=_clean_name(province.name),
                level=Area.Level.PROVINCE,
                kind=kind,
                parent=central,
                path=f"{central.path}{code}/",
            )
            created += 1
        elif area.name != _clean_name(province.name):
            area.name = _clean_name(province.name)
            area.save(update_fields=["name", "updated_at"])
            updated += 1
        provinces[code] = area
    new_communes = []
    for ward in Ward.iter_all():
        pcode = province_code_str(ward.province_code)
        if pcode not in provinces:
            continue
        code = commune_code_str(ward.code)
        kind = _COMMUNE_KIND[ward.division_type.value]
        area = existing.get(code)
        if area is None:
            setting, source = _DEFAULT_SETTING[kind]
            new_communes.append(
                Area(
                    code=code,
                    name=_clean_name(ward.name),
                    level=Area.Level.COMMUNE,
                    kind=kind,
                    parent=provinces[pcode],
                    path=f"{provinces[pcode].path}{code}/",
                    setting=setting,
                    setting_source=source,
                )
            )
        elif area.name != _clean_name(ward.name):
            area.name = _clean_name(ward.name)
            area.save(update_fields=["name", "updated_at"])
            updated += 1
    Area.objects.bulk_create(new_communes, batch_size=1000)
    created += len(new_communes)
    counts = {
        "provinces": Area.objects.filter(level=Area.Level.PROVINCE).count(),
        "communes": Area.objects.filter(level=Area.Level.COMMUNE).count(),
        "created": created,
        "updated": updated,
    }
    if created or updated:
        audit_write(
            actor=actor,
            action="geography.map_load",
            object_type="geography.area",
            object_id="*",
            after={**counts, "source": VIETNAM_PROVINCES_SOURCE},
        )
    return counts


_VILLAGE_KINDS = {
    Area.Kind.THON,
    Area.Kind.TO_DAN_PHO,
    Area.Kind.BAN,
    Area.Kind.AP,
    Area.Kind.BUON,
    Area.Kind.OTHER,
}


@transaction.atomic
def village_create(*, actor: Any, commune: Area, name: str, kind: str = Area.Kind.THON) -> Area:
    """Create a village (thôn / tổ dân phố / bản / ấp) under a commune."""
    from hongheo.users.access import user_can_manage_area  # same layer, lazily to avoid a cycle

    name = " ".join((name or "").split())
    if commune.level != Area.Level.COMMUNE:
        raise ValidationError(_("Thôn/tổ dân phố phải thuộc một xã, phường hoặc đặc khu."))
    if not name:
        raise ValidationError(_("Tên thôn/tổ dân phố không được để trống."))
    if kind not in _VILLAGE_KINDS:
        raise ValidationError(_("Loại thôn/tổ dân phố không hợp lệ."))
    if actor is not None and not user_can_manage_area(actor, commune):
        raise PermissionDenied(_("Bạn không có quyền quản lý địa bàn này."))
    if Area.objects.filter(parent=commune, name__iexact=name).exists():
        raise ValidationError(
            _("Địa bàn '%(name)s' đã có trong %(commune_name)s.")
            % {"name": name, "commune_name": commune.name}
        )
    last = Area.objects.filter(parent=commune).aggregate(n=Max("code"))["n"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    code = f"{commune.code}-{seq:03d}"
    village = Area.objects.create(
        code=code,
        name=name,
        level=Area.Level.VILLAGE,
        kind=kind,
        parent=commune,
        path=f"{commune.path}{code}/",
        setting=commune.setting,
    )
    audit_write(
        actor=actor, action="geography.village_create", obj=village, after=snapshot(village), area_code=code
    )
    return village


@transaction.atomic
def commune_set_setting(*, actor: Any, commune: Area, setting: str, source: str) -> Area:
    """Set a commune's urban/rural class (khu vực), which decides the income line. Audited."""
    from hongheo.users.access import user_can_manage_area

    if commune.level != Area.Level.COMMUNE:
        raise ValidationError(_("Chỉ xã, phường, đặc khu mới có khu vực thành thị/nông thôn."))
    if setting not in Area.Setting.values:
        raise ValidationError(_("Khu vực phải là nông thôn hoặc thành thị."))
    if not source.strip():
        raise ValidationError(_("Cần ghi căn cứ (văn bản) xác định khu vực."))
    if actor is not None and not user_can_manage_area(actor, commune.parent, province_level=True):
        raise PermissionDenied(_("Chỉ cán bộ cấp tỉnh được đổi khu vực của xã."))
    before = snapshot(commune, ["setting", "setting_source"])
    commune.setting = setting
    commune.setting_source = source.strip()
    commune.save(update_fields=["setting", "setting_source", "updated_at"])
    Area.objects.filter(parent=commune).update(setting=setting)
    audit_write(
        actor=actor,
        action="geography.commune_set_setting",
        obj=commune,
        before=before,
        after=snapshot(commune, ["setting", "setting_source"]),
        area_code=commune.code,
    )
    return commune
