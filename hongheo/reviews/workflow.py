"""The review procedure as a pure transition table (no Django).

A review round (đợt rà soát) of one commune moves through the legal steps of Decision 24/2021
(Art. 4 for the yearly round, Art. 5 for the monthly in-year review). Each transition names the
roles allowed to take it. Households inside a round have their own small state machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RoundKind(StrEnum):
    YEARLY = "yearly"  # rà soát định kỳ hằng năm (1/9–14/12)
    MONTHLY = "monthly"  # rà soát thường xuyên hằng tháng (từ ngày 15)


class RoundState(StrEnum):
    LISTING = "listing"  # lập danh sách (Phụ lục I) + Phiếu A cho hộ có giấy đề nghị
    SURVEY = "survey"  # thu thập Phiếu B, chấm điểm, xếp loại
    MEETING = "meeting"  # họp dân theo thôn
    POSTING = "posting"  # niêm yết công khai
    COMPLAINTS = "complaints"  # tiếp nhận khiếu nại, phúc tra
    DECISION = "decision"  # Chủ tịch UBND xã quyết định (Mẫu 02), cấp giấy chứng nhận (Mẫu 03)
    CLOSED = "closed"
    CANCELLED = "cancelled"  # mở nhầm: hủy khi chưa có quyết định


class Role(StrEnum):
    COMMUNE_OFFICER = "commune_officer"
    COMMUNE_CHAIRMAN = "commune_chairman"
    VILLAGE_HEAD = "village_head"
    SURVEYOR = "surveyor"
    PROVINCE_OFFICER = "province_officer"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Transition:
    action: str
    source: RoundState
    target: RoundState
    roles: frozenset[Role]
    label_vi: str


_OFFICER = frozenset({Role.COMMUNE_OFFICER})
_CHAIRMAN = frozenset({Role.COMMUNE_CHAIRMAN})
_PROVINCE = frozenset({Role.PROVINCE_OFFICER})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "start_survey",
        RoundState.LISTING,
        RoundState.SURVEY,
        _OFFICER,
        "Chốt danh sách, bắt đầu thu thập Phiếu B",
    ),
    Transition("start_meetings", RoundState.SURVEY, RoundState.MEETING, _OFFICER, "Chuyển sang họp dân"),
    Transition(
        "reopen_survey", RoundState.MEETING, RoundState.SURVEY, _OFFICER, "Rà soát lại (họp dân dưới 50%)"
    ),
    Transition("start_posting", RoundState.MEETING, RoundState.POSTING, _OFFICER, "Niêm yết công khai"),
    Transition(
        "end_posting",
        RoundState.POSTING,
        RoundState.COMPLAINTS,
        _OFFICER,
        "Kết thúc niêm yết, xử lý khiếu nại",
    ),
    Transition(
        "submit_for_decision", RoundState.COMPLAINTS, RoundState.DECISION, _OFFICER, "Trình Chủ tịch UBND xã"
    ),
    Transition(
        "return_for_recheck", RoundState.DECISION, RoundState.COMPLAINTS, _CHAIRMAN, "Trả lại để phúc tra"
    ),
    Transition(
        "decide", RoundState.DECISION, RoundState.CLOSED, _CHAIRMAN, "Ký quyết định công nhận (Mẫu 02)"
    ),
    # The province does not recognise a commune's results yet and sends them back with a reason
    # (service ``hongheo.support.services.round_send_back``, which records the reason).
    *(
        Transition(
            "province_send_back_survey",
            source,
            RoundState.SURVEY,
            _PROVINCE,
            "Tỉnh trả lại: rà soát lại Phiếu B",
        )
        for source in (RoundState.MEETING, RoundState.POSTING, RoundState.COMPLAINTS, RoundState.DECISION)
    ),
    *(
        Transition(
            "province_send_back_meeting", source, RoundState.MEETING, _PROVINCE, "Tỉnh trả lại: họp dân lại"
        )
        for source in (RoundState.POSTING, RoundState.COMPLAINTS, RoundState.DECISION)
    ),
)
#: the province's send-back actions by the step they reopen (they need a recorded reason, so
#: ``round_advance`` refuses them)
SEND_BACK_ACTIONS = {"survey": "province_send_back_survey", "meeting": "province_send_back_meeting"}
_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}

ORDER: tuple[RoundState, ...] = (
    RoundState.LISTING,
    RoundState.SURVEY,
    RoundState.MEETING,
    RoundState.POSTING,
    RoundState.COMPLAINTS,
    RoundState.DECISION,
    RoundState.CLOSED,
)
STATE_LABELS_VI = {
    RoundState.LISTING: "Lập danh sách, Phiếu A",
    RoundState.SURVEY: "Phiếu B, chấm điểm, xếp loại",
    RoundState.MEETING: "Họp dân",
    RoundState.POSTING: "Niêm yết công khai",
    RoundState.COMPLAINTS: "Khiếu nại, phúc tra",
    RoundState.DECISION: "Chờ Chủ tịch UBND xã quyết định",
    RoundState.CLOSED: "Đã có quyết định",
    RoundState.CANCELLED: "Đã hủy (mở nhầm)",
}
# States in which a round is finished: no step can be taken and a new round may be opened.
FINISHED_STATES = (RoundState.CLOSED, RoundState.CANCELLED)


class TransitionError(ValueError):
    """The action is not possible in this state, or not for this role."""


def transitions_from(state: RoundState, role: str | None = None) -> list[Transition]:
    if role is not None and role not in Role.__members__.values():
        return []  # a role that takes no step of the procedure (e.g. the central analyst)
    return [t for t in TRANSITIONS if t.source == state and (role is None or Role(role) in t.roles)]


def transition(state: str, action: str, role: str) -> RoundState:
    """The state after ``action``; raises :class:`TransitionError` when not allowed."""
    t = _BY_KEY.get((RoundState(state), action))
    if t is None:
        raise TransitionError(
            f"Không thể '{action}' khi đợt rà soát đang ở bước '{STATE_LABELS_VI[RoundState(state)]}'."
        )
    try:
        role_enum = Role(role)
    except ValueError:
        role_enum = None
    if role_enum not in t.roles:
        raise TransitionError(f"Vai trò của bạn không được thực hiện bước '{t.label_vi}'.")
    return t.target


# --- households inside a round ----------------------------------------------------------------


class EntryState(StrEnum):
    LISTED = "listed"
    SCREENED_OUT = "screened_out"  # Phiếu A loại ngay
    SURVEYED = "surveyed"  # có Phiếu B và kết quả xếp loại dự kiến
    AGREED = "agreed"  # họp dân ≥ 50% đồng ý
    DISAGREED = "disagreed"  # họp dân < 50%: rà soát lại
    DECIDED = "decided"


def meeting_outcome(agree: int, attendees: int, share: float) -> bool:
    """Whether a meeting result stands: at least ``share`` of the attendees agree.

    QĐ 24/2021 Art. 4.3: the result needs ≥ 50 % of attendees; below that, survey again.
    """
    if attendees <= 0:
        raise ValueError("Số người dự họp phải lớn hơn 0.")
    if agree < 0 or agree > attendees:
        raise ValueError("Số người đồng ý phải từ 0 đến số người dự họp.")
    return agree * 1.0 >= share * attendees


def change_kind(before: str | None, after: str, *, was_ever_poor: bool = False) -> str | None:
    """The ledger entry (biến động) for a household whose class goes from ``before`` to ``after``.

    Classes: poor, near_poor, average, not_poor (None = not on the lists before).
    """
    on_list = {"poor", "near_poor"}
    if before == after:
        return None
    if after == "poor":
        if before == "near_poor":
            return "near_poor_to_poor"
        return "re_entered_poverty" if was_ever_poor else "newly_poor"
    if after == "near_poor":
        if before == "poor":
            return "poor_to_near_poor"
        return "newly_near_poor"
    if before == "poor":
        return "escaped_poverty"
    if before == "near_poor":
        return "escaped_near_poverty"
    return None if before not in on_list else "escaped"


CHANGE_LABELS_VI = {
    "newly_poor": "Hộ nghèo mới (phát sinh)",
    "newly_near_poor": "Hộ cận nghèo mới",
    "near_poor_to_poor": "Từ cận nghèo thành nghèo",
    "poor_to_near_poor": "Từ nghèo thành cận nghèo",
    "escaped_poverty": "Thoát nghèo",
    "escaped_near_poverty": "Thoát cận nghèo",
    "re_entered_poverty": "Tái nghèo",
    "moved": "Chuyển đi",
    "died": "Chết/giải thể hộ",
}
