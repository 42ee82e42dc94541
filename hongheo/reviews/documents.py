"""Printed documents of the review, rendered by WeasyPrint from HTML templates (A4, a Times-like
serif found through fontconfig: Times New Roman where installed, else Liberation Serif / Tinos /
DejaVu Serif, all of which carry the Vietnamese letters):

* biên bản họp dân (minutes of a community meeting, signed by chair, secretary, households);
* Mẫu 02, the commune chairman's recognition decision with its annex lists;
* Mẫu 03, certificates of poor / near-poor households, each with a QR code that opens the
  public verification page;
* the written refusal of an application (văn bản trả lời);
* the public posting list of a village (danh sách niêm yết) for the notice board.

Pure rendering: callers decide whether to keep the file (``services.decision_pdf_attach``,
``services.meeting_minutes_attach``) and serve it only through the access gate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import segno
from django.template.loader import render_to_string

from hongheo.core.text import natural_key
from hongheo.registry.models import Household, Member

from .models import Application, Certificate, CommunityMeeting, Decision, ReviewRound, RoundEntry
from .selectors import CLASS_LABELS_VI, decision_lists

#: how many yearly stamp boxes a certificate shows (the years of a standard's period)
CERTIFICATE_YEAR_BOXES = 4


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return bytes(HTML(string=html, base_url=".").write_pdf())


def vn_date(day: dt.date | None) -> str:
    """2026-12-05 → 'ngày 05 tháng 12 năm 2026'"""
    if day is None:
        return "ngày … tháng … năm …"
    return f"ngày {day:%d} tháng {day:%m} năm {day.year}"


def head_initials(name: str) -> str:
    """'Nguyễn Văn An' → 'N. V. A.' (the only trace of a person on the public page)."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


def qr_svg_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def _members(household: Household) -> list[Member]:
    members = list(household.members.filter(is_active=True).order_by("id"))
    members.sort(key=lambda m: (m.relation_to_head != "head", m.id))
    return members


def _head(household: Household, members: list[Member]) -> Member | None:
    return next((m for m in members if m.relation_to_head == "head"), None)


def _where(household: Household) -> str:
    """The address, each place named once: 'Thôn 1, Xã X, Thành phố Huế' (an address that already
    names the commune or the province does not get it twice)."""
    province = household.commune.parent.name if household.commune.parent else ""
    parts = [
        *(p.strip() for p in (household.address or "").split(",")),
        household.village.name if household.village else "",
        household.commune.name,
        province,
    ]
    seen: list[str] = []
    for p in parts:
        p = " ".join(p.split())
        if not p:
            continue
        if any(p.casefold() in s.casefold() for s in seen):
            continue
        seen = [s for s in seen if s.casefold() not in p.casefold()]
        seen.append(p)
    return ", ".join(seen)


def _entry_order(e: RoundEntry) -> tuple[str, str, str]:
    village = e.household.village.name if e.household.village else ""
    return (natural_key(village), e.household.head_sort_key, e.household.code)


# --- minutes ------------------------------------------------------------------------------------


def minutes_pdf(meeting: CommunityMeeting) -> bytes:
    review_round = meeting.round
    entries = list(
        meeting.entries.select_related("household").order_by("household__head_sort_key", "household__code")
    )
    return render_pdf(
        "reviews/pdf/minutes.html",
        {
            "meeting": meeting,
            "round": review_round,
            "commune": review_round.commune,
            "place": meeting.village.name if meeting.village else review_round.commune.name,
            "held_on": vn_date(meeting.held_on),
            "entries": entries,
            "class_labels": CLASS_LABELS_VI,
            "share_percent": 50,
        },
    )


# --- Mẫu 02 -------------------------------------------------------------------------------------


def decision_pdf(decision: Decision) -> bytes:
    review_round = decision.round
    entries = sorted(review_round.entries.select_related("household", "household__village"), key=_entry_order)
    lists = decision_lists(entries)
    annexes = [
        ("I", "DANH SÁCH HỘ NGHÈO", lists["poor"]),
        ("II", "DANH SÁCH HỘ CẬN NGHÈO", lists["near_poor"]),
        ("III", "DANH SÁCH HỘ THOÁT NGHÈO", lists["escaped_poverty"]),
        ("IV", "DANH SÁCH HỘ THOÁT CẬN NGHÈO", lists["escaped_near_poverty"]),
    ]
    status_year = review_round.year + 1 if review_round.kind == "yearly" else review_round.year
    return render_pdf(
        "reviews/pdf/decision.html",
        {
            "decision": decision,
            "round": review_round,
            "commune": review_round.commune,
            "province": review_round.commune.parent,
            "signed_on": vn_date(decision.signed_on),
            "annexes": annexes,
            "counts": {k: len(v) for k, v in lists.items()},
            "status_year": status_year,
            "instrument": (instrument := _instrument(review_round.standard_code)),
            "instrument_by_government": instrument.startswith("Nghị định"),
            "signer": signer_block(decision.signed_by),
        },
    )


def _instrument(standard_code: str) -> str:
    """The legal instrument of the round's standard, by name ("Nghị định số 07/2021/NĐ-CP ngày
    27/01/2021"), never the internal code of the standard."""
    from hongheo.standards.rules.catalog import StandardError
    from hongheo.standards.selectors import standard_get

    try:
        return standard_get(standard_code).instrument
    except StandardError:
        return ""


def signer_block(user: Any) -> dict[str, str]:
    """The signature block of a commune decision from the signer's profile: the printed name is
    the user's full name (never the account name; left blank for a hand-written name when the
    profile has none) and the title their position. A vice-chairman signs "KT. CHỦ TỊCH"."""
    name = (getattr(user, "full_name", "") or "").strip()
    position = (getattr(user, "position", "") or "").strip()
    title = position.split(" Ủy ban")[0].split(" UBND")[0].strip().upper() if position else "CHỦ TỊCH"
    on_behalf = "KT. CHỦ TỊCH" if title.startswith("PHÓ CHỦ TỊCH") else ""
    return {"name": name, "title": title, "on_behalf": on_behalf, "position": position}


# --- Mẫu 03 -------------------------------------------------------------------------------------


def certificates_pdf(
    certificates: Iterable[Certificate],
    verify_url: Callable[[Certificate], str],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One page per certificate (a household of up to 10 members fits with the signature and the
    QR code); pages are numbered per certificate ("1/1"), so each sheet of a batch stands alone.
    ``verify_url`` builds the absolute address of the public verification page that the QR code
    opens; ``progress`` is called with the number of certificates rendered so far."""
    from weasyprint import HTML

    documents = []
    for done, c in enumerate(certificates, start=1):
        html = render_to_string(
            "reviews/pdf/certificates.html", {"pages": [_certificate_page(c, verify_url)]}
        )
        documents.append(HTML(string=html, base_url=".").render())
        if progress is not None:
            progress(done)
    if not documents:
        return render_pdf("reviews/pdf/certificates.html", {"pages": []})
    merged = documents[0].copy([page for document in documents for page in document.pages])
    return bytes(merged.write_pdf())


def _certificate_page(c: Certificate, verify_url: Callable[[Certificate], str]) -> dict[str, Any]:
    household = c.household
    members = _members(household)
    head = _head(household, members)
    url = verify_url(c)
    return {
        "certificate": c,
        "household": household,
        "members": members,
        "head": head,
        "head_name": head.full_name if head else household.head_name,
        "where": _where(household),
        "class_label": CLASS_LABELS_VI.get(c.classification, c.classification),
        "years": [{"year": c.year + i, "stamped": i == 0} for i in range(CERTIFICATE_YEAR_BOXES)],
        "issued_on": vn_date(c.issued_on),
        "qr": qr_svg_data_uri(url),
        "verify_url": url,
    }


# --- written refusal ----------------------------------------------------------------------------


def refusal_pdf(application: Application) -> bytes:
    return render_pdf(
        "reviews/pdf/refusal.html",
        {
            "application": application,
            "commune": application.commune,
            "province": application.commune.parent,
            "received_on": vn_date(application.received_on),
            "decided_on": vn_date(application.decided_on),
        },
    )


# --- public posting list ------------------------------------------------------------------------


def posting_list_pdf(review_round: ReviewRound, village: Any | None) -> bytes:
    """Danh sách niêm yết: the households of one village (or of the whole commune when ``village``
    is None) proposed as poor or near-poor, and those leaving the lists, for the notice board.
    Names and village only: no ID numbers, no income, no ethnicity."""
    qs = review_round.entries.select_related("household", "household__village")
    if village is not None:
        qs = qs.filter(household__village=village)
    lists = decision_lists(sorted(qs, key=_entry_order))
    sections = [
        ("DANH SÁCH HỘ NGHÈO", lists["poor"]),
        ("DANH SÁCH HỘ CẬN NGHÈO", lists["near_poor"]),
        ("DANH SÁCH HỘ THOÁT NGHÈO", lists["escaped_poverty"]),
        ("DANH SÁCH HỘ THOÁT CẬN NGHÈO", lists["escaped_near_poverty"]),
    ]
    posting = review_round.postings.order_by("-posted_to").first()
    return render_pdf(
        "reviews/pdf/posting_list.html",
        {
            "round": review_round,
            "commune": review_round.commune,
            "place": village.name if village is not None else review_round.commune.name,
            "sections": sections,
            "posting": posting,
            "posted_from": vn_date(posting.posted_from) if posting else vn_date(None),
            "posted_to": vn_date(posting.posted_to) if posting else vn_date(None),
        },
    )
