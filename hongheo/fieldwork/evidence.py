"""Evidence checks on field submissions. They flag, never reject: a flag is a note for the
commune officer (a GPS point far from the village, a photo used for two households, a photo taken
long before or after the interview, an interview of under a minute)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from typing import Any

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
    commune = _points(
        Household.objects.filter(commune_id=household.commune_id)
        .exclude(pk=household.pk)
        .values_list("latitude", "longitude")[:5000]
    )
    if len(commune) >= 3:
        margin_lat = COMMUNE_MARGIN_M / 111_000
        margin_lon = margin_lat / max(0.2, math.cos(math.radians(lat)))
        lats, lons = [p[0] for p in commune], [p[1] for p in commune]
        if not (
            min(lats) - margin_lat <= lat <= max(lats) + margin_lat
            and min(lons) - margin_lon <= lon <= max(lons) + margin_lon
        ):
            _flag(sub, EvidenceFlag.Kind.GPS_OUTSIDE, "Toạ độ nằm ngoài phạm vi các hộ của xã.")


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
