"""Evidence checks on field submissions. They flag, never reject: a flag is a note for the
commune officer (a GPS point far from the village, a photo used for two households, a photo taken
long before or after the interview, an interview of under a minute)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from typing import Any

from django.db.models import Count, Max, Min

from hongheo.registry.models import Household

from .models import EvidenceFlag, Photo, Submission

FAR_FROM_VILLAGE_M = 3_000
COMMUNE_MARGIN_M = 2_000
PHOTO_TIME_GAP = dt.timedelta(hours=2)
SHORT_INTERVIEW = dt.timedelta(minutes=1)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _flag(sub: Submission, kind: str, message: str, **details: Any) -> None:
    EvidenceFlag.objects.get_or_create(
        submission=sub,
        kind=kind,
        defaults={"household_id": sub.household_id, "message": message[:300], "details": details},
    )


def _points(qs: Any) -> list[tuple[float, float]]:
    return [(lat, lon) for lat, lon in qs if lat is not None and lon is not None]


EXTENT_SECONDS = 600
_extents: dict[int, tuple[float, tuple[float, float, float, float] | None]] = {}


def _commune_extent(commune_id: int) -> tuple[float, float, float, float] | None:
    """The bounding box of the commune's households' coordinates (None with fewer than 3), kept for
    ten minutes per process: households seldom move, and the worker checks many submissions of the
    same commune in a row."""
    now = time.monotonic()
    cached = _extents.get(commune_id)
    if cached is not None and now - cached[0] < EXTENT_SECONDS:
        return cached[1]
    box = Household.objects.filter(
        commune_id=commune_id, latitude__isnull=False, longitude__isnull=False
    ).aggregate(
        n=Count("pk"),
        lat_lo=Min("latitude"),
        lat_hi=Max("latitude"),
        lon_lo=Min("longitude"),
        lon_hi=Max("longitude"),
    )
    extent = (box["lat_lo"], box["lat_hi"], box["lon_lo"], box["lon_hi"]) if box["n"] >= 3 else None
    _extents[commune_id] = (now, extent)
    return extent


def check_submission(sub: Submission) -> None:
    if sub.started_at and sub.ended_at and sub.ended_at - sub.started_at < SHORT_INTERVIEW:
        seconds = int((sub.ended_at - sub.started_at).total_seconds())
        _flag(
            sub, EvidenceFlag.Kind.SHORT_INTERVIEW, f"Phỏng vấn chỉ kéo dài {seconds} giây.", seconds=seconds
        )
    if sub.latitude is None or sub.longitude is None:
        return
    household = sub.household
    lat, lon = sub.latitude, sub.longitude
    if household.village_id is not None:
        neighbours = _points(
            Household.objects.filter(village_id=household.village_id, is_active=True)
            .exclude(pk=household.pk)
            .values_list("latitude", "longitude")[:500]
        )
        neighbours += _points(
            Submission.objects.filter(household__village_id=household.village_id)
            .exclude(household_id=household.pk)
            .values_list("latitude", "longitude")[:500]
        )
        if len(neighbours) >= 3:
            c_lat = statistics.median(p[0] for p in neighbours)
            c_lon = statistics.median(p[1] for p in neighbours)
            far = distance_m(lat, lon, c_lat, c_lon)
            if far > FAR_FROM_VILLAGE_M:
                _flag(
                    sub,
                    EvidenceFlag.Kind.GPS_FAR,
                    f"Toạ độ cách trung tâm các hộ khác của thôn khoảng {far / 1000:.1f} km.",
                    metres=round(far),
                )
    extent = _commune_extent(household.commune_id)
    if extent is not None:
        margin_lat = COMMUNE_MARGIN_M / 111_000
        margin_lon = margin_lat / max(0.2, math.cos(math.radians(lat)))
        lat_lo, lat_hi, lon_lo, lon_hi = extent
        if not (
            lat_lo - margin_lat <= lat <= lat_hi + margin_lat
            and lon_lo - margin_lon <= lon <= lon_hi + margin_lon
        ):
            _flag(sub, EvidenceFlag.Kind.GPS_OUTSIDE, "Toạ độ nằm ngoài phạm vi các hộ của xã.")


def flag_members_changed(sub: Submission, changes: list[dict[str, str]]) -> None:
    """Members added, moved away or died according to a field submission (recorded with the
    survey, applied to the registry at the round's decision — decision 0011): a note for the
    commune officer to check them before the meeting."""
    words = {"joined": "thêm", "died": "đã mất", "moved_away": "chuyển đi"}
    text = ", ".join(f"{c['member']} ({words.get(c['change'], c['change'])})" for c in changes)
    _flag(
        sub, EvidenceFlag.Kind.MEMBERS, f"Thành viên thay đổi theo phiếu thực địa: {text}.", changes=changes
    )


def check_photo(photo: Photo) -> None:
    sub = photo.submission
    reused = (
        Photo.objects.filter(dhash=photo.dhash)
        .exclude(household_id=photo.household_id)
        .select_related("household")
    ).first()
    if reused is not None:
        _flag(
            sub,
            EvidenceFlag.Kind.PHOTO_REUSED,
            f"Ảnh giống ảnh của hộ {reused.household.code}.",
            other_household=reused.household.code,
            photo=str(photo.pk),
        )
    if photo.taken_at and (sub.started_at or sub.ended_at):
        times = [t for t in (sub.started_at, sub.ended_at) if t]
        gap = min(abs(photo.taken_at - t) for t in times)
        if gap > PHOTO_TIME_GAP:
            _flag(
                sub,
                EvidenceFlag.Kind.PHOTO_TIME,
                f"Ảnh chụp cách thời điểm phỏng vấn khoảng {gap.total_seconds() / 3600:.1f} giờ.",
                hours=round(gap.total_seconds() / 3600, 1),
            )
