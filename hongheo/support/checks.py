"""Integrity checks of a commune's review results, for the province (pure: no Django).

Each check takes plain rows and returns findings; ``hongheo.support.integrity`` gathers the rows
from the database and turns findings into flags with a reason and the households concerned.
A flag asks a province officer to look; it never refuses anything by itself.

The thresholds are the project's, not the law's: they are named constants here, shown with each
flag, and meant to be tuned by the province.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# bunching: households within BAND of the line, just below (income ≤ line) versus just above
BUNCH_BAND = 0.05
BUNCH_MIN_BELOW = 8
BUNCH_RATIO = 3.0
# rate drop: percentage points beyond the peers' median (and at least FACTOR times it)
DROP_MARGIN_PP = 3.0
DROP_FACTOR = 2.0
DROP_MIN_PEERS = 3
# surveys: more than SURVEY_LIMIT Phiếu B by one user within SURVEY_WINDOW
SURVEY_LIMIT = 20
SURVEY_WINDOW = dt.timedelta(hours=1)
# assets of a newly poor household that contradict the class
ROOMY_M2_PER_PERSON = 30.0
MANY_DEVICES = 3


@dataclass(frozen=True)
class Finding:
    """One check's finding: a reason for people (Vietnamese), the households, the figures."""

    check: str
    reason: str
    households: tuple[str, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)


def vnd(amount: float | int) -> str:
    return f"{round(amount):,}".replace(",", ".")


# --- 1. newly poor households whose facts contradict the class ---------------------------------


def newly_poor_contradictions(rows: Iterable[Mapping[str, Any]], *, poor_line: int | None) -> list[Finding]:
    """Rows: ``code, previous_class, current_class, income_per_capita, housing_quality,
    floor_area_m2, size, information_devices, internet``. A household that enters the poor list
    (previous class not poor) is flagged when its recorded income is above the poor income line
    (a poor household's income is at or below it), or when its house and assets look well off."""
    out = []
    for r in rows:
        if r.get("current_class") != "poor" or r.get("previous_class") == "poor":
            continue
        reasons = []
        income = r.get("income_per_capita")
        if poor_line is not None and income is not None and income > poor_line:
            reasons.append(
                f"thu nhập bình quân {vnd(income)} đ/người/tháng cao hơn chuẩn nghèo {vnd(poor_line)} đ"
            )
        size = r.get("size") or 0
        area = r.get("floor_area_m2")
        if r.get("housing_quality") == "durable" and area and size and area / size >= ROOMY_M2_PER_PERSON:
            reasons.append(f"nhà kiên cố, {area / size:.0f} m²/người")
        devices = r.get("information_devices")
        if devices is not None and devices >= MANY_DEVICES and r.get("internet"):
            reasons.append(f"có internet và {devices} thiết bị thông tin")
        if reasons:
            out.append(
                Finding(
                    "newly_poor_contradiction",
                    f"Hộ {r['code']} mới vào danh sách hộ nghèo nhưng " + "; ".join(reasons) + ".",
                    (str(r["code"]),),
                    {"reasons": reasons},
                )
            )
    return out


# --- 2. a commune's rate falls far faster than its target or its peers -------------------------


@dataclass(frozen=True)
class CommuneRate:
    commune_code: str
    kind: str  # xa / phuong / dac_khu: communes are compared with communes of the same kind
    households: int
    poor_before: int
    poor_after: int

    @property
    def rate_before(self) -> float:
        return 100.0 * self.poor_before / self.households if self.households else 0.0

    @property
    def rate_after(self) -> float:
        return 100.0 * self.poor_after / self.households if self.households else 0.0

    @property
    def drop_pp(self) -> float:
        return self.rate_before - self.rate_after


def rate_drop_outliers(
    rates: Sequence[CommuneRate], *, targets_pp: Mapping[str, float] | None = None
) -> dict[str, Finding]:
    """Communes whose poverty rate falls far faster than similar communes (same kind; all others
    when fewer than ``DROP_MIN_PEERS`` of that kind), or than their target drop (percentage points)
    when ``targets_pp`` gives one (see ``integrity.commune_target_drops``)."""
    targets_pp = targets_pp or {}
    usable = [r for r in rates if r.households > 0]
    out: dict[str, Finding] = {}
    for r in usable:
        target = targets_pp.get(r.commune_code)
        if target is not None and r.drop_pp > target + DROP_MARGIN_PP:
            out[r.commune_code] = Finding(
                "rate_drop",
                f"Tỷ lệ hộ nghèo giảm {r.drop_pp:.1f} điểm % ({r.rate_before:.1f}% → {r.rate_after:.1f}%), "
                f"vượt xa chỉ tiêu giảm {target:.1f} điểm %.",
                figures={"drop_pp": round(r.drop_pp, 2), "target_pp": target},
            )
            continue
        peers = [p for p in usable if p.commune_code != r.commune_code and p.kind == r.kind]
        if len(peers) < DROP_MIN_PEERS:
            peers = [p for p in usable if p.commune_code != r.commune_code]
        if len(peers) < DROP_MIN_PEERS:
            continue
        median = statistics.median(p.drop_pp for p in peers)
        limit = max(median + DROP_MARGIN_PP, median * DROP_FACTOR)
        if r.drop_pp > limit:
            out[r.commune_code] = Finding(
                "rate_drop",
                f"Tỷ lệ hộ nghèo giảm {r.drop_pp:.1f} điểm % ({r.rate_before:.1f}% → {r.rate_after:.1f}%), "
                f"trong khi các xã tương tự giảm trung bình {median:.1f} điểm % ({len(peers)} xã).",
                figures={
                    "drop_pp": round(r.drop_pp, 2),
                    "peer_median_pp": round(median, 2),
                    "peers": len(peers),
                },
            )
    return out


# --- 3. results changed after the meeting without a complaint -----------------------------------


def changed_after_meeting(rows: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Rows: ``code, meeting_held_on (date|None), surveyed_on (date|None), proposed_class,
    final_class, complaint_classes`` (the classes resolved complaints on the entry set). The class
    the meeting saw is the proposed class. Flagged: a final class different from it that no
    complaint set, and a Phiếu B recorded after the meeting that no new meeting saw."""
    out = []
    for r in rows:
        held = r.get("meeting_held_on")
        if held is None:
            continue
        final, proposed = r.get("final_class") or "", r.get("proposed_class") or ""
        complaints = set(r.get("complaint_classes") or ())
        if final and final != proposed and final not in complaints:
            out.append(
                Finding(
                    "changed_after_meeting",
                    f"Hộ {r['code']}: kết quả đổi từ “{proposed}” (họp dân {held:%d/%m/%Y}) sang “{final}” "
                    "mà không có khiếu nại, phúc tra nào.",
                    (str(r["code"]),),
                )
            )
            continue
        surveyed = r.get("surveyed_on")
        if surveyed is not None and surveyed > held:
            out.append(
                Finding(
                    "changed_after_meeting",
                    f"Hộ {r['code']}: Phiếu B ghi ngày {surveyed:%d/%m/%Y}, "
                    f"sau cuộc họp dân ngày {held:%d/%m/%Y}.",
                    (str(r["code"]),),
                )
            )
    return out


# --- 4. bunching just across a line --------------------------------------------------------------


def bunching(incomes: Sequence[tuple[str, int | None]], *, line: int, line_name: str) -> Finding | None:
    """Many households just at or below an income line (classified in) and few just above it.
    ``incomes``: ``(code, income)`` pairs; the band is ``BUNCH_BAND`` of the line on each side."""
    low, high = line * (1 - BUNCH_BAND), line * (1 + BUNCH_BAND)
    below = [c for c, x in incomes if x is not None and low < x <= line]
    above = sum(1 for _, x in incomes if x is not None and line < x <= high)
    return _bunch_finding(below, above, line=line, line_name=line_name)


def _bunch_finding(below: list[str], above: int, *, line: int, line_name: str) -> Finding | None:
    if len(below) < BUNCH_MIN_BELOW or len(below) < BUNCH_RATIO * max(above, 1):
        return None
    pct = int(BUNCH_BAND * 100)
    return Finding(
        "bunching",
        f"{len(below)} hộ có thu nhập vừa bằng hoặc dưới {line_name} ({vnd(line)} đ, trong khoảng {pct}%) "
        f"nhưng chỉ {above} hộ vừa trên mức đó: dấu hiệu dồn hộ qua ngưỡng.",
        tuple(sorted(below)),
        {"below": len(below), "above": above, "line": line, "band": BUNCH_BAND},
    )


# --- 5. many surveys by one user in a short time -------------------------------------------------


def survey_bursts(rows: Iterable[tuple[str, dt.datetime, str]]) -> list[Finding]:
    """Rows: ``(user, surveyed_at, household code)``. A user who recorded more than
    ``SURVEY_LIMIT`` Phiếu B within ``SURVEY_WINDOW`` (the busiest window is reported)."""
    by_user: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for user, at, code in rows:
        by_user[user].append((at, code))
    out = []
    for user, items in sorted(by_user.items()):
        items.sort()
        best = (0, 0, 0)  # count, start, end (exclusive)
        start = 0
        for end in range(len(items)):
            while items[end][0] - items[start][0] > SURVEY_WINDOW:
                start += 1
            if end - start + 1 > best[0]:
                best = (end - start + 1, start, end + 1)
        count, s, e = best
        if count > SURVEY_LIMIT:
            minutes = int(SURVEY_WINDOW.total_seconds() // 60)
            first = items[s][0]
            out.append(
                Finding(
                    "survey_burst",
                    f"Người dùng {user} ghi {count} Phiếu B trong {minutes} phút "
                    f"(từ {first:%H:%M %d/%m/%Y}).",
                    tuple(sorted(code for _, code in items[s:e])),
                    {"user": user, "count": count},
                )
            )
    return out
