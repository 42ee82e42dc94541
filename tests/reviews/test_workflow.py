"""The pure transition table and meeting rule, exhaustively."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hongheo.reviews.workflow import (
    ORDER,
    TRANSITIONS,
    Role,
    RoundState,
    TransitionError,
    change_kind,
    meeting_outcome,
    transition,
)

ROLES = [r.value for r in Role] + ["central_analyst"]


@pytest.mark.parametrize("state", [s.value for s in RoundState])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted({t.action for t in TRANSITIONS}))
def test_transition_table_is_the_only_way(state, role, action):
    allowed = {(t.source.value, t.action): t for t in TRANSITIONS}
    t = allowed.get((state, action))
    if t is not None and role in {r.value for r in t.roles}:
        assert transition(state, action, role) == t.target
    else:
        with pytest.raises(TransitionError):
            transition(state, action, role)


def test_happy_path_reaches_closed_in_legal_order():
    state = RoundState.LISTING
    for action, role in [
        ("start_survey", "commune_officer"),
        ("start_meetings", "commune_officer"),
        ("start_posting", "commune_officer"),
        ("end_posting", "commune_officer"),
        ("submit_for_decision", "commune_officer"),
        ("decide", "commune_chairman"),
    ]:
        new = transition(state, action, role)
        assert ORDER.index(new) == ORDER.index(state) + 1
        state = new
    assert state == RoundState.CLOSED


def test_surveyor_and_village_head_never_move_the_round():
    for t in TRANSITIONS:
        assert Role.SURVEYOR not in t.roles and Role.VILLAGE_HEAD not in t.roles


@pytest.mark.parametrize(
    ("agree", "attendees", "stands"),
    [
        (50, 100, True),
        (49, 100, False),
        (51, 100, True),
        (1, 2, True),
        (0, 1, False),
        (1, 1, True),
        (2, 5, False),
        (3, 5, True),
    ],
)
def test_meeting_needs_half_of_attendees(agree, attendees, stands):
    assert meeting_outcome(agree, attendees, 0.5) is stands


@given(st.integers(1, 500), st.data())
def test_meeting_more_agreement_never_hurts(attendees, data):
    a = data.draw(st.integers(0, attendees))
    b = data.draw(st.integers(a, attendees))
    assert meeting_outcome(b, attendees, 0.5) >= meeting_outcome(a, attendees, 0.5)


@pytest.mark.parametrize(("agree", "attendees"), [(-1, 10), (11, 10), (0, 0)])
def test_meeting_bad_numbers(agree, attendees):
    with pytest.raises(ValueError):
        meeting_outcome(agree, attendees, 0.5)


@pytest.mark.parametrize(
    ("before", "after", "ever", "kind"),
    [
        (None, "poor", False, "newly_poor"),
        (None, "poor", True, "re_entered_poverty"),
        ("near_poor", "poor", False, "near_poor_to_poor"),
        ("poor", "near_poor", False, "poor_to_near_poor"),
        (None, "near_poor", False, "newly_near_poor"),
        ("poor", "average", False, "escaped_poverty"),
        ("poor", "not_poor", False, "escaped_poverty"),
        ("near_poor", "not_poor", False, "escaped_near_poverty"),
        ("poor", "poor", False, None),
        (None, "not_poor", False, None),
        (None, "average", False, None),
        ("near_poor", "near_poor", True, None),
    ],
)
def test_change_ledger_kinds(before, after, ever, kind):
    assert change_kind(before, after, was_ever_poor=ever) == kind
