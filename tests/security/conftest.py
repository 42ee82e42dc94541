"""Security tests reuse the import helpers (loaded from the imports conftest by path: importlib mode)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

_spec = importlib.util.spec_from_file_location(
    "_imports_helpers", Path(__file__).parent.parent / "imports" / "conftest.py"
)
assert _spec and _spec.loader
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)


@pytest.fixture
def imp():
    return SimpleNamespace(
        household_rows=_helpers.household_rows,
        to_csv=_helpers.to_csv,
        run=_helpers.run_import,
        pid=_helpers.pid,
        headings=_helpers.HEADINGS,
    )


def review_objects(officer, commune, household, *, tag: str, rnd=None):
    """A round of ``commune`` with one object of each deep review kind (meeting minutes, posting
    proof, complaint about the household's entry, refused application, signed decision with a
    certificate), made directly so a test can point at real objects of any area."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from hongheo.reviews import services as reviews
    from hongheo.reviews.models import (
        Application,
        Certificate,
        CommunityMeeting,
        Complaint,
        Decision,
        PublicPosting,
    )

    day = dt.date(2026, 6, 1)
    if rnd is None:
        rnd = reviews.round_open(actor=officer, commune=commune, kind="yearly", year=2026)
    entry = rnd.entries.get(household=household)
    meeting = CommunityMeeting.objects.create(
        round=rnd, held_on=day, attendees=5, chair_name="Chủ trì", secretary_name="Thư ký"
    )
    posting = PublicPosting.objects.create(round=rnd, posted_from=day, posted_to=day, places="Nhà văn hoá")
    posting.proof.save(f"proof-{tag}.pdf", ContentFile(b"%PDF-1.4 proof"))
    complaint = Complaint.objects.create(
        round=rnd, entry=entry, complainant="Người khiếu nại", received_on=day, content="x"
    )
    application = Application.objects.create(
        commune=commune,
        household=household,
        kind="review",
        applicant_name=household.head_name,
        received_on=day,
        status=Application.Status.REFUSED,
        refusal_reason="Không đủ điều kiện",
        decided_on=day,
    )
    decision = Decision.objects.create(round=rnd, number=f"1/QĐ-{tag}", signed_on=day, signed_by=officer)
    certificate = Certificate.objects.create(
        number=f"GCN-{tag}",
        commune=commune,
        year=2026,
        household=household,
        decision=decision,
        classification="poor",
        issued_on=day,
    )
    return {
        "round": rnd,
        "entry": entry,
        "meeting": meeting,
        "posting": posting,
        "complaint": complaint,
        "application": application,
        "decision": decision,
        "certificate": certificate,
    }
