"""Demo data for the oversight pages: targets of the centre and of Huế (the issue's examples), and
one signed push of Huế's figures received by the demo instance acting as its own centre."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hongheo.geography.models import Area
from hongheo.users.models import User

from . import federation, services
from .models import ProvinceKey, ReceivedPush, Target


def demo_oversight_seed() -> dict[str, Any]:
    year = timezone.localdate().year
    centre = Area.objects.filter(level=Area.Level.CENTRAL).first()
    hue = Area.objects.filter(code="46", level=Area.Level.PROVINCE).first()
    officer = User.objects.filter(role="province_officer", assignments__area=hue).first() if hue else None
    analyst = (
        User.objects.filter(role="central_analyst", assignments__area=centre).first() if centre else None
    )
    out = {"targets": 0, "pushed": False}
    if centre is None or hue is None or officer is None or analyst is None:
        return out
    if not Target.objects.exists():
        rows: list[tuple[Area, str, str, float, dict[str, Any], str]] = [
            (centre, "rate", "below", 1.5, {"area_type": "rural"}, "Nông thôn: tỷ lệ hộ nghèo dưới 1,5 %"),
            (centre, "rate", "below", 5, {"area_type": "mountain"}, "Miền núi: tỷ lệ hộ nghèo dưới 5 %"),
            (centre, "count", "at_most", 0, {"group": "merit"}, "Không còn hộ nghèo có người có công"),
            (
                centre,
                "reduction",
                "above",
                3,
                {"group": "ethnic_minority"},
                "Tỷ lệ hộ nghèo dân tộc thiểu số giảm trên 3 điểm % mỗi năm",
            ),
            (hue, "reduction", "at_least", 0.3, {"value_high": 0.4}, "Huế: giảm 0,3–0,4 điểm % mỗi năm"),
        ]
        for area, metric, op, value, extra, title in rows:
            services.target_create(
                actor=analyst if area == centre else officer,
                area=area,
                year_from=year,
                year_to=year,
                metric=metric,
                op=op,
                value=str(value),
                title=title,
                source="Dữ liệu minh hoạ (demo)",
                **extra,
            )
            out["targets"] += 1
    if not ReceivedPush.objects.exists() and not ProvinceKey.objects.filter(province=hue).exists():
        key = federation.load_private_key(federation.new_private_key_pem())
        services.province_key_register(actor=None, province=hue, public_key=federation.public_key_b64(key))
        payload = services.push_build(actor=officer, province=hue, on=timezone.localdate())
        _push, outcome = services.push_receive(body=federation.canonical(federation.sign(payload, key)))
        out["pushed"] = outcome == "accepted"
    return out
