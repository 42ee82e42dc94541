"""Read side of the portal for the commune's pages: the self-assessment beside the official result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hongheo.reviews.models import CLASS_CHOICES, RoundEntry
from hongheo.standards.rules.engine import CLASS_NAMES_VI

from .models import PortalApplication

_OFFICIAL = {k: str(v) for k, v in CLASS_CHOICES}


def self_assessments_for(application_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{application id: {self, self_vi, explanation, official, official_vi, differs}}`` for the
    applications that came through the portal. ``official`` is the round's result (Phiếu B, or the
    final class after the meeting / re-check), empty until there is one."""
    ids = list(application_ids)
    subs = (
        PortalApplication.objects.filter(application_id__in=ids, joined_to__isnull=True)
        .only("application_id", "self_class", "self_result")
        .order_by("id")
    )
    entries: dict[int, RoundEntry] = {}
    for e in RoundEntry.objects.filter(application_id__in=ids).order_by("round_id"):
        entries[e.application_id] = e  # type: ignore[index]
    out: dict[int, dict[str, Any]] = {}
    for s in subs:
        if s.application_id in out:
            continue
        entry = entries.get(s.application_id)  # type: ignore[arg-type]
        official = entry.current_class if entry is not None else ""
        out[s.application_id] = {  # type: ignore[index]
            "self": s.self_class,
            "self_vi": CLASS_NAMES_VI.get(s.self_class, ""),
            "explanation": (s.self_result or {}).get("explanation", ""),
            "official": official,
            "official_vi": _OFFICIAL.get(official, ""),
            "differs": bool(official) and official != s.self_class,
        }
    return out
