"""Writers of the review procedure. Every step checks the role allowed by the transition table
and the user's area, writes, and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write, snapshot
from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.linkage import services as linkage
from hongheo.registry.models import FactRecord, Household
from hongheo.registry.services import MemberInput, facts_apply, facts_record, household_confirm
from hongheo.standards.results import result_store
from hongheo.standards.selectors import standard_get, standard_in_force
from hongheo.users.access import user_covers_area

from . import procedure
from .models import (
    Application,
    Certificate,
    CommunityMeeting,
    Complaint,
    Decision,
    OfficialStatus,
    PublicPosting,
    ReviewRound,
    RoundEntry,
    StatusChange,
)
from .status import official_status_close, official_status_set, status_current, was_ever_poor
from .workflow import (
    FINISHED_STATES,
    SEND_BACK_ACTIONS,
    EntryState,
    RoundKind,
    RoundState,
    TransitionError,
    change_kind,
    meeting_outcome,
    transition,
)

OFFICER_ROLES = {"commune_officer"}
FIELD_ROLES = {"commune_officer", "surveyor", "village_head"}
MEETING_ROLES = {"commune_officer", "village_head"}


def _role(actor: Any) -> str:
    return str(getattr(actor, "role", ""))


def _require(actor: Any, area: Area, roles: set[str], what: str) -> None:
    if actor is None:
        return
    if _role(actor) not in roles or not user_covers_area(actor, area):
        raise PermissionDenied(_("Bạn không có quyền %(what)s ở địa bàn này.") % {"what": what})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit(actor: Any, action: str, obj: Any, **kw: Any) -> None:
    audit_write(actor=actor, action=action, obj=obj, **kw)


# --- rounds -------------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *, actor: Any, commune: Area, kind: str, year: int, month: int | None = None, today: dt.date | None = None
) -> ReviewRound:
    """Open a yearly round or a monthly in-year review for a commune and list its households
    (Phụ lục I): the commune's current poor and near-poor households, and every household whose
    application (Mẫu 01 / Mẫu 04) is waiting."""
    if commune.level != Area.Level.COMMUNE:
        raise ValidationError(_("Đợt rà soát phải thuộc một xã, phường, đặc khu."))
    _require(actor, commune, OFFICER_ROLES, _("mở đợt rà soát"))
    kind = RoundKind(kind)
    if kind == RoundKind.YEARLY:
        month = None
        start, end = procedure.yearly_window(year)
    else:
        if not month or not 1 <= month <= 12:
            raise ValidationError(_("Rà soát thường xuyên cần tháng (1–12)."))
        start, end = procedure.monthly_window(year, month)
    if (
        ReviewRound.objects.filter(commune=commune, kind=kind, year=year, month=month)
        .exclude(state=RoundState.CANCELLED)
        .exists()
    ):
        raise Conflict(_("Đợt rà soát này đã được mở."))
    open_round = ReviewRound.objects.filter(commune=commune).exclude(state__in=FINISHED_STATES).first()
    if open_round is not None:
        raise Conflict(
            _("Xã đang có đợt rà soát chưa kết thúc: %(open_round)s.") % {"open_round": open_round}
        )
    reference = today or timezone.localdate()
    # A yearly round in autumn of year N decides the lists for year N+1 (Mẫu 03 stamp boxes).
    standard_date = dt.date(year + 1, 1, 1) if kind == RoundKind.YEARLY else reference
    standard = standard_in_force(standard_date, province_code=commune.province_code)
    review_round = ReviewRound.objects.create(
        commune=commune,
        kind=kind,
        year=year,
        month=month,
        standard_code=standard.code,
        period_start=start,
        period_end=end,
        created_by=_user(actor),
    )
    listed = 0
    if kind == RoundKind.YEARLY:
        for status in OfficialStatus.objects.filter(
            household__commune=commune,
            household__is_active=True,
            classification__in=["poor", "near_poor"],
            valid_to__isnull=True,
        ).select_related("household"):
            RoundEntry.objects.create(
                round=review_round,
                household=status.household,
                origin=status.classification,
                previous_class=status.classification,
            )
            listed += 1
    for application in Application.objects.filter(
        commune=commune, status=Application.Status.RECEIVED, household__isnull=False
    ):
        _entry_for_application(review_round, application)
        listed += 1
    _audit(
        actor,
        "reviews.round_open",
        review_round,
        after={**snapshot(review_round), "listed": listed},
        area_code=commune.code,
    )
    return review_round


def _entry_for_application(review_round: ReviewRound, application: Application) -> RoundEntry:
    assert application.household is not None
    status = status_current(application.household)
    origin = (
        RoundEntry.Origin.EXIT_APPLICATION
        if application.kind == Application.Kind.EXIT
        else RoundEntry.Origin.APPLICATION
    )
    entry, created = RoundEntry.objects.get_or_create(
        round=review_round,
        household=application.household,
        defaults={
            "origin": origin,
            "application": application,
            "previous_class": status.classification if status else "",
        },
    )
    if not created and entry.application_id is None:
        entry.application = application
        entry.save(update_fields=["application", "updated_at"])
    application.status = Application.Status.IN_REVIEW
    application.save(update_fields=["status", "updated_at"])
    return entry


@transaction.atomic
def round_advance(
    *,
    actor: Any,
    review_round: ReviewRound,
    action: str,
    override_reason: str = "",
    today: dt.date | None = None,
) -> ReviewRound:
    """Take one step of the procedure (the transition table decides who may). Ending public posting
    before its computed end date needs ``override_reason`` (kept on the posting and audited)."""
    locked = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if actor is not None and not user_covers_area(actor, locked.commune):
        raise NotFound(_("Không tìm thấy đợt rà soát."))
    try:
        target = transition(locked.state, action, _role(actor) if actor is not None else "commune_officer")
    except TransitionError as exc:
        raise PermissionDenied(str(exc))
    if action == "decide":
        raise ValidationError(_("Dùng chức năng ký quyết định để kết thúc đợt rà soát."))
    if action in SEND_BACK_ACTIONS.values():
        raise ValidationError(_("Tỉnh trả lại kết quả qua chức năng trả lại (phải ghi lý do)."))
    _check_guards(locked, action)
    early = _posting_ends_early(locked, action, today or timezone.localdate())
    if early is not None:
        if not override_reason.strip():
            raise ValidationError(
                _(
                    "Niêm yết công khai đến hết ngày %(posted_to)s: chưa thể kết thúc. Muốn kết thúc "
                    "sớm phải ghi rõ lý do."
                )
                % {"posted_to": format(early.posted_to, "%d/%m/%Y")}
            )
        early.early_end_reason = override_reason.strip()
        early.save(update_fields=["early_end_reason", "updated_at"])
    before = locked.state
    if action == "reopen_survey":
        locked.entries.filter(state=EntryState.DISAGREED).update(state=EntryState.LISTED)
    locked.state = target
    locked.save(update_fields=["state", "updated_at"])
    _audit(
        actor,
        f"reviews.round_{action}",
        locked,
        before={"state": before},
        after={"state": target, **({"override_reason": override_reason.strip()} if early else {})},
        area_code=locked.commune.code,
    )
    return locked


def _posting_ends_early(review_round: ReviewRound, action: str, today: dt.date) -> PublicPosting | None:
    """The posting that ``end_posting`` would cut short (its last day is not over yet), if any."""
    if action != "end_posting":
        return None
    posting = review_round.postings.order_by("-posted_to").first()
    return posting if posting is not None and today <= posting.posted_to else None


def posting_end_is_early(review_round: ReviewRound, *, today: dt.date | None = None) -> PublicPosting | None:
    """For the confirmation page: the posting that ending now would cut short."""
    return _posting_ends_early(review_round, "end_posting", today or timezone.localdate())


@transaction.atomic
def round_cancel(*, actor: Any, review_round: ReviewRound, reason: str) -> ReviewRound:
    """Cancel a round opened by mistake (hủy đợt rà soát mở nhầm) while nothing has been decided in it.
    Its records are kept; applications it was reviewing wait for the next round again."""
    locked = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    _require(actor, locked.commune, OFFICER_ROLES, _("hủy đợt rà soát"))
    if not reason.strip():
        raise ValidationError(_("Hủy đợt rà soát phải ghi rõ lý do."))
    if locked.state in FINISHED_STATES or Decision.objects.filter(round=locked).exists():
        raise Conflict(_("Đợt rà soát đã có quyết định hoặc đã kết thúc: không hủy được."))
    before = locked.state
    locked.state = RoundState.CANCELLED
    locked.cancelled_reason = reason.strip()
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = _user(actor)
    locked.save(update_fields=["state", "cancelled_reason", "cancelled_at", "cancelled_by", "updated_at"])
    reopened = Application.objects.filter(
        pk__in=locked.entries.exclude(application=None).values("application"),
        status=Application.Status.IN_REVIEW,
    ).update(status=Application.Status.RECEIVED)
    _audit(
        actor,
        "reviews.round_cancel",
        locked,
        before={"state": before},
        after={"state": RoundState.CANCELLED, "reason": reason.strip(), "applications_reopened": reopened},
        area_code=locked.commune.code,
    )
    return locked


def _check_guards(review_round: ReviewRound, action: str) -> None:
    entries = review_round.entries.all()
    if action == "start_meetings":
        pending = entries.exclude(
            state__in=[EntryState.SCREENED_OUT, EntryState.SURVEYED, EntryState.AGREED]
        ).count()
        if pending:
            raise ValidationError(_("Còn %(pending)s hộ chưa có Phiếu A/Phiếu B.") % {"pending": pending})
    if action == "start_posting":
        waiting = entries.filter(state=EntryState.SURVEYED).count()
        disagreed = entries.filter(state=EntryState.DISAGREED).count()
        if waiting:
            raise ValidationError(_("Còn %(waiting)s hộ chưa được đưa ra họp dân.") % {"waiting": waiting})
        if disagreed:
            raise ValidationError(
                _(
                    "%(disagreed)s hộ có dưới 50%% người dự họp đồng ý: phải rà soát lại và họp lại "
                    "trước khi niêm yết."
                )
                % {"disagreed": disagreed}
            )
    if action == "end_posting":
        posting = review_round.postings.order_by("-posted_to").first()
        if posting is None:
            raise ValidationError(_("Chưa ghi nhận việc niêm yết công khai."))
    if action == "submit_for_decision":
        open_complaints = review_round.complaints.filter(status=Complaint.Status.OPEN).count()
        if open_complaints:
            raise ValidationError(
                _("Còn %(open_complaints)s khiếu nại chưa phúc tra xong.")
                % {"open_complaints": open_complaints}
            )


def _round_for_step(review_round: ReviewRound, *states: RoundState) -> None:
    review_round.refresh_from_db(fields=["state"])  # the caller's copy may be stale
    if review_round.state not in states:
        raise Conflict(
            _("Đợt rà soát đang ở bước khác (%(state)s).") % {"state": review_round.get_state_display()}
        )


# --- applications -------------------------------------------------------------------------------


@transaction.atomic
def application_receive(
    *,
    actor: Any,
    commune: Area,
    kind: str,
    applicant_name: str,
    received_on: dt.date,
    household: Household | None = None,
    personal_id: str = "",
    reason: str = "",
    channel: str = Application.Channel.DIRECT,
    village: Area | None = None,
    address: str = "",
    members: list[Any] | None = None,
    facts: dict[str, Any] | None = None,
) -> Application:
    """Receive a Mẫu 01 or Mẫu 04 application; during an open monthly/yearly round it is listed.

    A Mẫu 01 without a household (a family not yet in the registry) creates a provisional household
    from ``village``, ``address``, ``members`` (registry ``MemberInput``, one head) and ``facts``;
    the application then enters the listing step of the open round or the next round opened, so
    it always reaches an outcome."""
    from hongheo.registry.services import household_create_provisional

    _require(actor, commune, OFFICER_ROLES, _("tiếp nhận giấy đề nghị"))
    if kind not in Application.Kind.values:
        raise ValidationError(_("Loại giấy đề nghị không hợp lệ."))
    if channel not in Application.Channel.values:
        raise ValidationError(_("Hình thức nộp không hợp lệ."))
    if not applicant_name.strip():
        raise ValidationError(_("Thiếu họ tên người đề nghị."))
    if household is not None and household.commune_id != commune.pk:
        raise ValidationError(_("Hộ không thuộc xã tiếp nhận giấy đề nghị."))
    if kind == Application.Kind.EXIT:
        status = status_current(household) if household else None
        if status is None or status.classification not in ("poor", "near_poor"):
            raise ValidationError(_("Chỉ hộ nghèo, hộ cận nghèo mới đề nghị công nhận thoát nghèo (Mẫu 04)."))
    if household is None:
        if village is not None and (village.level != Area.Level.VILLAGE or village.parent_id != commune.pk):
            raise ValidationError(
                _("Thôn/tổ dân phố không thuộc xã tiếp nhận."),
                details={"fields": {"village": _("Chọn lại thôn.")}},
            )
        if not members:
            raise ValidationError(
                _(
                    "Hộ chưa có trong danh sách: cần ngày sinh, giới tính của chủ hộ, thôn và địa chỉ "
                    "để lập hộ tạm."
                ),
                details={"fields": {"household_code": _("Nhập mã hộ, hoặc thông tin để lập hộ tạm.")}},
            )
        household = household_create_provisional(
            actor=actor, commune=commune, village=village, address=address, members=members, facts=facts
        )
    application = Application.objects.create(
        commune=commune,
        household=household,
        kind=kind,
        channel=channel,
        applicant_name=applicant_name.strip(),
        personal_id=personal_id,
        received_on=received_on,
        reason=reason,
        received_by=_user(actor),
    )
    open_round = ReviewRound.objects.filter(commune=commune).exclude(state__in=FINISHED_STATES).first()
    if open_round is not None and household is not None and open_round.state == RoundState.LISTING:
        _entry_for_application(open_round, application)
    _audit(
        actor,
        "reviews.application_receive",
        application,
        after=snapshot(application),
        household_code=household.code if household else "",
        personal_id=personal_id,
    )
    return application


@transaction.atomic
def application_refuse(*, actor: Any, application: Application, reason: str, on: dt.date) -> Application:
    """The chairman answers in writing, with reasons, that the household does not qualify."""
    _require(actor, application.commune, {"commune_chairman"}, _("trả lời giấy đề nghị"))
    if not reason.strip():
        raise ValidationError(_("Văn bản từ chối phải nêu lý do."))
    if application.status in (Application.Status.ACCEPTED, Application.Status.REFUSED):
        raise Conflict(_("Giấy đề nghị đã được giải quyết."))
    application.status = Application.Status.REFUSED
    application.refusal_reason = reason.strip()
    application.decided_on = on
    application.save(update_fields=["status", "refusal_reason", "decided_on", "updated_at"])
    _audit(actor, "reviews.application_refuse", application, after={"reason": reason})
    return application


# --- listing, Phiếu A ---------------------------------------------------------------------------


@transaction.atomic
def entry_add(*, actor: Any, review_round: ReviewRound, household: Household, origin: str) -> RoundEntry:
    _require(actor, review_round.commune, OFFICER_ROLES, _("lập danh sách rà soát"))
    _round_for_step(review_round, RoundState.LISTING)
    if household.commune_id != review_round.commune_id:
        raise ValidationError(_("Hộ không thuộc xã của đợt rà soát."))
    if RoundEntry.objects.filter(round=review_round, household=household).exists():
        raise Conflict(_("Hộ đã có trong danh sách rà soát."))
    status = status_current(household)
    entry = RoundEntry.objects.create(
        round=review_round,
        household=household,
        origin=origin,
        previous_class=status.classification if status else "",
    )
    _audit(
        actor,
        "reviews.entry_add",
        entry,
        after={"household": household.code, "origin": origin},
        household_code=household.code,
    )
    return entry


@transaction.atomic
def entry_add_found(*, actor: Any, review_round: ReviewRound, household: Household) -> RoundEntry:
    """A household found in the field while the round runs (listing or survey step) joins its
    list at once, so its Phiếu B counts in this round; the commune officer sees it on the round's
    list and in the field-work items. Field roles of the area may do this."""
    _require(actor, household.village or review_round.commune, FIELD_ROLES, "thêm hộ mới phát hiện")
    _round_for_step(review_round, RoundState.LISTING, RoundState.SURVEY)
    if household.commune_id != review_round.commune_id:
        raise ValidationError(_("Hộ không thuộc xã của đợt rà soát."))
    existing = RoundEntry.objects.filter(round=review_round, household=household).first()
    if existing is not None:
        return existing
    entry = RoundEntry.objects.create(
        round=review_round, household=household, origin=RoundEntry.Origin.FOUND, previous_class=""
    )
    _audit(
        actor,
        "reviews.entry_add_found",
        entry,
        after={"household": household.code, "origin": entry.origin},
        household_code=household.code,
    )
    return entry


@transaction.atomic
def screening_record(
    *, actor: Any, entry: RoundEntry, excluded: bool, reasons: Iterable[str] = ()
) -> RoundEntry:
    """Phiếu A: a household that applied is screened; an excluding answer ends its review."""
    review_round = entry.round
    _require(actor, entry.household.village or review_round.commune, FIELD_ROLES, _("ghi Phiếu A"))
    _round_for_step(review_round, RoundState.LISTING, RoundState.SURVEY)
    reasons = [r for r in (s.strip() for s in reasons) if r]
    if excluded and not reasons:
        raise ValidationError(_("Phiếu A loại hộ phải ghi tiêu chí loại."))
    entry.screened_by = _user(actor)
    entry.screening_excluded = excluded
    entry.screening_reasons = reasons
    entry.state = EntryState.SCREENED_OUT if excluded else EntryState.LISTED
    entry.save()
    _audit(
        actor,
        "reviews.screening_record",
        entry,
        after={"excluded": excluded, "reasons": reasons},
        household_code=entry.household.code,
    )
    return entry


# --- Phiếu B, classification --------------------------------------------------------------------


@transaction.atomic
def survey_record(
    *,
    actor: Any,
    entry: RoundEntry,
    facts: Mapping[str, Any] | None = None,
    member_facts: Mapping[int, Mapping[str, Any]] | None = None,
    source: str = FactRecord.Source.SURVEY,
    source_ref: str = "",
    observed_on: dt.date | None = None,
    joining: Sequence[MemberInput] = (),
    leaving: Mapping[int, str] | None = None,
    new_head_id: int | None = None,
) -> RoundEntry:
    """Phiếu B: record what the survey found as dated facts of the household (``facts`` by household
    fact name, ``member_facts`` as {member id: {fact: value}}) and classify exactly those facts under the
    round's standard; the stored result and the facts it read are kept on the entry. The registry's
    facts of record change only when the round's decision applies the surveyed facts."""
    review_round = entry.round
    household = entry.household
    _require(actor, household.village or review_round.commune, FIELD_ROLES, _("ghi Phiếu B"))
    _round_for_step(review_round, RoundState.SURVEY)
    if entry.state == EntryState.SCREENED_OUT:
        raise Conflict(_("Hộ đã bị loại ở Phiếu A."))
    if entry.state not in (EntryState.LISTED, EntryState.SURVEYED):
        raise Conflict(_("Hộ đã qua bước họp dân; mở lại Phiếu B khi rà soát lại."))
    observed = observed_on or timezone.localdate()
    record = facts_record(
        actor=actor,
        household=household,
        source=source,
        observed_on=observed,
        household_facts=facts,
        member_facts=member_facts,
        source_ref=source_ref or f"Phiếu B — {review_round}",
        joining=joining,
        leaving=leaving,
        new_head_id=new_head_id,
    )
    if record.household_facts.get("income_per_capita") is None:
        raise ValidationError(_("Phiếu B chưa có thu nhập bình quân đầu người/tháng."))
    standard = standard_get(review_round.standard_code)
    stored = result_store(
        household=household,
        standard=standard,
        record=record,
        reference_date=review_round.period_start,
        source="survey",
    )
    before = snapshot(entry, ["proposed_class", "deprived_count", "state"])
    entry.surveyed_by = _user(actor)
    entry.surveyed_at = timezone.now()
    entry.facts_record = record
    entry.result = stored
    entry.proposed_class = stored.classification
    entry.income_used = stored.income_used
    entry.deprived_count = stored.deprived_count
    entry.deprived = stored.deprived
    entry.reason = stored.reason
    entry.state = EntryState.SURVEYED
    entry.meeting = None
    entry.votes_agree = None
    entry.meeting_agreed = None
    entry.save()
    _audit(
        actor,
        "reviews.survey_record",
        entry,
        before=before,
        after={**snapshot(entry, ["proposed_class", "deprived_count", "state"]), "facts_record": record.pk},
        household_code=household.code,
    )
    return entry


# --- community meeting --------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    actor: Any,
    review_round: ReviewRound,
    village: Area | None,
    held_on: dt.date,
    attendees: int,
    chair_name: str,
    secretary_name: str,
    votes: Mapping[int, int],
    notes: str = "",
    remeeting_reason: str = "",
) -> CommunityMeeting:
    """Họp dân: record attendance and, for each household put to the meeting, how many agreed.

    A village that already met in this round meets again only explicitly (``remeeting_reason``): the
    earlier minutes and votes are kept and marked superseded, never replaced.

    A result stands with at least 50 % of attendees agreeing; below that the household goes back
    to the survey (QĐ 24/2021 Art. 4.3)."""
    area = village or review_round.commune
    _require(actor, area, MEETING_ROLES, _("ghi kết quả họp dân"))
    _round_for_step(review_round, RoundState.MEETING)
    if village is not None and village.parent_id != review_round.commune_id:
        raise ValidationError(_("Thôn không thuộc xã của đợt rà soát."))
    if not chair_name.strip() or not secretary_name.strip():
        raise ValidationError(_("Biên bản họp phải có chủ trì và thư ký."))
    if attendees <= 0:
        raise ValidationError(_("Số người dự họp phải lớn hơn 0."))
    if not votes:
        raise ValidationError(_("Chưa có hộ nào được đưa ra họp."))
    entries = {e.pk: e for e in review_round.entries.filter(pk__in=list(votes)).select_related("household")}
    missing = set(votes) - set(entries)
    if missing:
        raise ValidationError(_("Hộ không thuộc đợt rà soát: %(sorted)s") % {"sorted": sorted(missing)})
    errors = []
    for pk, agree in votes.items():
        e = entries[pk]
        if village is not None and e.household.village_id != village.pk:
            errors.append(f"hộ {e.household.code} không thuộc {village.name}")
        if e.state not in (EntryState.SURVEYED, EntryState.AGREED, EntryState.DISAGREED):
            errors.append(f"hộ {e.household.code} chưa có Phiếu B")
        if not 0 <= agree <= attendees:
            errors.append(
                _("hộ %(code)s: số đồng ý %(agree)s ngoài 0–%(attendees)s")
                % {"code": e.household.code, "agree": agree, "attendees": attendees}
            )
    if errors:
        raise ValidationError(_("Không ghi được biên bản: %(errors)s") % {"errors": "; ".join(errors)})
    earlier = list(
        CommunityMeeting.objects.select_for_update()
        .filter(round=review_round, village=village, superseded_by__isnull=True)
        .order_by("id")
    )
    if earlier and not remeeting_reason.strip():
        raise ValidationError(
            _("%(value)s đã họp dân ngày %(held_on)s. Họp lại phải ghi rõ lý do; biên bản cũ được giữ lại.")
            % {
                "value": village.name if village else _("Xã"),
                "held_on": format(earlier[-1].held_on, "%d/%m/%Y"),
            }
        )
    share = float(procedure.value("meeting_agreement_share"))
    meeting = CommunityMeeting.objects.create(
        round=review_round,
        village=village,
        held_on=held_on,
        attendees=attendees,
        chair_name=chair_name.strip(),
        secretary_name=secretary_name.strip(),
        notes=notes,
        recorded_by=_user(actor),
        votes={entries[pk].household.code: agree for pk, agree in votes.items()},
        remeeting_reason=remeeting_reason.strip() if earlier else "",
    )
    for old in earlier:
        old.superseded_by = meeting
        old.save(update_fields=["superseded_by", "updated_at"])
    outcome = {}
    for pk, agree in votes.items():
        e = entries[pk]
        agreed = meeting_outcome(agree, attendees, share)
        e.meeting = meeting
        e.votes_agree = agree
        e.meeting_agreed = agreed
        e.state = EntryState.AGREED if agreed else EntryState.DISAGREED
        e.save(update_fields=["meeting", "votes_agree", "meeting_agreed", "state", "updated_at"])
        outcome[e.household.code] = {"agree": agree, "agreed": agreed}
    _audit(
        actor,
        "reviews.meeting_record",
        meeting,
        after={
            "attendees": attendees,
            "votes": outcome,
            "village": village.code if village else "",
            "supersedes": [m.pk for m in earlier],
            "remeeting_reason": meeting.remeeting_reason,
        },
        area_code=area.code,
    )
    return meeting


# --- posting and complaints ---------------------------------------------------------------------


@transaction.atomic
def posting_record(
    *,
    actor: Any,
    review_round: ReviewRound,
    posted_from: dt.date,
    places: str,
    proof_note: str = "",
    proof: Any = None,
) -> PublicPosting:
    _require(actor, review_round.commune, OFFICER_ROLES, _("ghi nhận niêm yết"))
    _round_for_step(review_round, RoundState.POSTING)
    if not places.strip():
        raise ValidationError(_("Ghi rõ nơi niêm yết (nhà văn hóa thôn, trụ sở UBND xã…)."))
    posting = PublicPosting(
        round=review_round,
        posted_from=posted_from,
        posted_to=procedure.posting_end(posted_from),
        places=places.strip(),
        proof_note=proof_note,
        recorded_by=_user(actor),
    )
    if proof is not None:
        posting.proof = proof
    posting.save()
    _audit(
        actor,
        "reviews.posting_record",
        posting,
        after=snapshot(posting, ["posted_from", "posted_to", "places"]),
    )
    return posting


@transaction.atomic
def complaint_receive(
    *,
    actor: Any,
    review_round: ReviewRound,
    entry: RoundEntry | None,
    complainant: str,
    content: str,
    on: dt.date,
) -> Complaint:
    _require(actor, review_round.commune, OFFICER_ROLES, _("tiếp nhận khiếu nại"))
    _round_for_step(review_round, RoundState.POSTING, RoundState.COMPLAINTS)
    if entry is not None and entry.round_id != review_round.pk:
        raise ValidationError(_("Hộ không thuộc đợt rà soát."))
    if not complainant.strip() or not content.strip():
        raise ValidationError(_("Khiếu nại phải có người khiếu nại và nội dung."))
    complaint = Complaint.objects.create(
        round=review_round,
        entry=entry,
        complainant=complainant.strip(),
        content=content.strip(),
        received_on=on,
        class_before=entry.current_class if entry else "",
    )
    _audit(
        actor,
        "reviews.complaint_receive",
        complaint,
        after=snapshot(complaint),
        household_code=entry.household.code if entry else "",
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    *, actor: Any, complaint: Complaint, recheck_note: str, new_class: str | None, on: dt.date
) -> Complaint:
    """Phúc tra: record the re-check and, when it changes the result, the household's new class."""
    review_round = complaint.round
    _require(actor, review_round.commune, OFFICER_ROLES, _("phúc tra khiếu nại"))
    _round_for_step(review_round, RoundState.COMPLAINTS, RoundState.POSTING)
    if complaint.status == Complaint.Status.RESOLVED:
        raise Conflict(_("Khiếu nại đã được giải quyết."))
    if not recheck_note.strip():
        raise ValidationError(_("Ghi kết quả phúc tra."))
    if new_class and new_class not in ("poor", "near_poor", "average", "not_poor"):
        raise ValidationError(_("Loại hộ không hợp lệ."))
    if new_class and complaint.entry is None:
        raise ValidationError(_("Khiếu nại không gắn với hộ nào nên không đổi được kết quả."))
    complaint.status = Complaint.Status.RESOLVED
    complaint.recheck_note = recheck_note.strip()
    complaint.resolved_by = _user(actor)
    complaint.resolved_on = on
    if new_class and complaint.entry is not None:
        entry = complaint.entry
        complaint.class_after = new_class
        entry.final_class = new_class
        entry.rechecked = True
        entry.save(update_fields=["final_class", "rechecked", "updated_at"])
    complaint.save()
    _audit(
        actor,
        "reviews.complaint_resolve",
        complaint,
        after={
            "note": recheck_note,
            "class_before": complaint.class_before,
            "class_after": complaint.class_after,
        },
        household_code=complaint.entry.household.code if complaint.entry else "",
    )
    return complaint


# --- decision and certificates ------------------------------------------------------------------


@transaction.atomic
def decision_sign(*, actor: Any, review_round: ReviewRound, number: str, signed_on: dt.date) -> Decision:
    """The commune chairman recognises the lists in one action for the whole round (Mẫu 02):
    final classes are fixed, the ledger records every change, the official status of each
    household is updated and certificates (Mẫu 03) are numbered for poor and near-poor households.
    A user who surveyed or screened a household of the round cannot sign its decision."""
    locked = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    if actor is None or _role(actor) != "commune_chairman" or not user_covers_area(actor, locked.commune):
        raise PermissionDenied(_("Chỉ Chủ tịch UBND xã của địa bàn được ký quyết định."))
    try:
        transition(locked.state, "decide", "commune_chairman")
    except TransitionError as exc:
        raise Conflict(str(exc))
    if not number.strip():
        raise ValidationError(_("Thiếu số quyết định."))
    entries = list(locked.entries.select_related("household", "application", "facts_record"))
    own = [e.household.code for e in entries if actor.pk in (e.surveyed_by_id, e.screened_by_id)]
    if own:
        raise PermissionDenied(
            _("Người đã rà soát hộ không được phê duyệt kết quả của chính mình: %(codes)s")
            % {"codes": ", ".join(own[:5])}
        )
    decision = Decision.objects.create(
        round=locked, number=number.strip(), signed_on=signed_on, signed_by=actor
    )
    status_year = locked.year + 1 if locked.kind == RoundKind.YEARLY else locked.year
    seq = _next_certificate_seq(locked.commune, status_year)
    changes = 0
    joined: list[int] = []
    for e in entries:
        if e.household.provisional:  # verified in this round (Phiếu A): no household stays provisional
            household_confirm(actor=actor, household=e.household, by_decision=decision.number)
        if e.state == EntryState.SCREENED_OUT:
            _close_application(e, accepted=False, on=signed_on)
            continue
        final = e.final_class or e.proposed_class
        if not final:
            continue
        e.final_class = final
        e.state = EntryState.DECIDED
        e.save(update_fields=["final_class", "state", "updated_at"])
        current = status_current(e.household)
        before = e.previous_class or (
            current.classification if current and current.classification in ("poor", "near_poor") else ""
        )
        kind = change_kind(before or None, final, was_ever_poor=was_ever_poor(e.household))
        if kind:
            StatusChange.objects.create(
                household=e.household,
                commune=locked.commune,
                year=status_year,
                round=locked,
                decision=decision,
                from_class=before,
                to_class=final,
                kind=kind,
                effective_on=signed_on,
            )
            changes += 1
        official_status_set(
            actor=actor,
            household=e.household,
            classification=final,
            effective_on=signed_on,
            source=f"Quyết định số {decision.number}",
            decision=decision,
        )
        if e.facts_record is not None:
            # only a record with people joining adds members: two small reads for those alone
            joining = bool((e.facts_record.membership or {}).get("joining"))
            known = set(e.household.members.values_list("pk", flat=True)) if joining else set()
            facts_apply(actor=actor, record=e.facts_record, on=signed_on)
            if joining:
                joined += [pk for pk in e.household.members.values_list("pk", flat=True) if pk not in known]
        if final in ("poor", "near_poor"):
            seq += 1
            Certificate.objects.create(
                number=f"{seq:04d}/GCN-HN.HCN",
                commune=locked.commune,
                year=status_year,
                household=e.household,
                decision=decision,
                classification=final,
                issued_on=signed_on,
            )
        _close_application(e, accepted=True, on=signed_on)
    locked.state = RoundState.CLOSED
    locked.save(update_fields=["state", "updated_at"])
    # people who joined a household at this decision (recorded in the field, decision 0011) are
    # checked against the population data by the worker, as new members are at registration
    linkage.members_match_enqueue(actor=actor, member_ids=joined, source="fieldwork")
    _audit(
        actor,
        "reviews.decision_sign",
        decision,
        after={"number": decision.number, "households": len(entries), "changes": changes},
        area_code=locked.commune.code,
    )
    return decision


def _next_certificate_seq(commune: Area, year: int) -> int:
    last = Certificate.objects.filter(commune=commune, year=year).aggregate(n=Max("number"))["n"]
    return int(last.split("/")[0]) if last else 0


def _close_application(entry: RoundEntry, *, accepted: bool, on: dt.date) -> None:
    application = entry.application
    if application is None or application.status in (Application.Status.ACCEPTED, Application.Status.REFUSED):
        return
    application.status = Application.Status.ACCEPTED if accepted else Application.Status.REFUSED
    if not accepted:
        application.refusal_reason = "Phiếu A: " + "; ".join(entry.screening_reasons)
    application.decided_on = on
    application.save(update_fields=["status", "refusal_reason", "decided_on", "updated_at"])


@transaction.atomic
def status_baseline_set(
    *, actor: Any, household: Household, classification: str, since: dt.date, source: str
) -> OfficialStatus:
    """Record a household's class from an existing list (import of the current poor / near-poor
    list, or a decision made before the system was used), as a period of its official history."""
    if classification not in ("poor", "near_poor", "average", "not_poor"):
        raise ValidationError(_("Loại hộ không hợp lệ."))
    status = official_status_set(
        actor=actor, household=household, classification=classification, effective_on=since, source=source
    )
    _audit(
        actor,
        "reviews.status_baseline_set",
        status,
        after={
            "classification": classification,
            "source": source,
            "valid_from": status.valid_from.isoformat(),
        },
        household_code=household.code,
    )
    return status


# --- generated documents ------------------------------------------------------------------------


@transaction.atomic
def decision_pdf_attach(*, actor: Any, decision: Decision, content: bytes) -> Decision:
    """Keep the decision (Mẫu 02) as printed when it is first printed, so later edits of the
    registry do not change the signed document. Once kept it is never replaced."""
    from django.core.files.base import ContentFile

    _require(
        actor, decision.round.commune, {"commune_chairman", "commune_officer"}, _("in quyết định công nhận")
    )
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if locked.pdf:
        return locked
    locked.pdf.save(f"quyet-dinh-{locked.pk}.pdf", ContentFile(content), save=False)
    locked.save(update_fields=["pdf", "updated_at"])
    _audit(actor, "reviews.decision_pdf_attach", locked, after={"pdf": locked.pdf.name})
    return locked


@transaction.atomic
def meeting_minutes_attach(*, actor: Any, meeting: CommunityMeeting, content: bytes) -> CommunityMeeting:
    """Keep the minutes (biên bản họp dân) as recorded at the meeting, with its votes."""
    from django.core.files.base import ContentFile

    _require(actor, meeting.village or meeting.round.commune, MEETING_ROLES, _("lưu biên bản họp dân"))
    locked = CommunityMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.minutes_pdf:
        return locked
    locked.minutes_pdf.save(f"bien-ban-hop-dan-{locked.pk}.pdf", ContentFile(content), save=False)
    locked.save(update_fields=["minutes_pdf", "updated_at"])
    _audit(actor, "reviews.meeting_minutes_attach", locked, after={"pdf": locked.minutes_pdf.name})
    return locked


@transaction.atomic
def status_household_closed(*, actor: Any, household: Household, on: dt.date) -> StatusChange | None:
    """A poor / near-poor household that ceased to exist (its last members died, moved away or
    joined another household) leaves the commune's lists: the ledger records it as ``died`` or
    ``moved`` (biến động: chết, chuyển đi). Does nothing for a household that still exists or was
    not on the lists."""
    household.refresh_from_db()
    if household.is_active:
        return None
    status = status_current(household)
    if status is None or status.classification not in ("poor", "near_poor"):
        return None
    reasons = set(household.members.exclude(left_reason="").values_list("left_reason", flat=True))
    kind = "died" if reasons == {"died"} else "moved"
    change = StatusChange.objects.create(
        household=household,
        commune=household.commune,
        year=on.year,
        from_class=status.classification,
        to_class="",
        kind=kind,
        effective_on=on,
    )
    before = status.classification
    official_status_close(household=household, on=on)
    _audit(
        actor,
        "reviews.status_household_closed",
        change,
        before={"classification": before},
        after={"kind": kind},
        household_code=household.code,
    )
    return change
