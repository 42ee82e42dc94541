"""Writers of field work: one service receives every submission (field app, ODK Collect, web form),
validates it against the one questionnaire, and records it through the review services; photos,
device tokens and conflict resolution are the others.

Idempotency: a submission's key is the client's id. The same id with the same content is
acknowledged again (nothing written twice); the same id with different content is refused (409)
and kept as a conflict item for a person to look at. A household that changed on the server since
the phone downloaded it is not overwritten: the submission is kept beside it as a conflict the
commune officer resolves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.capture import questionnaire as q
from hongheo.core.audit import AuditRow, audit_write, audit_write_many
from hongheo.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from hongheo.core.text import fold
from hongheo.linkage import services as linkage
from hongheo.registry.access import household_qs_for_user
from hongheo.registry.models import Household, Member
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.reviews.workflow import RoundState
from hongheo.users.access import user_can_write_households, user_covers_area

from . import evidence
from .models import DeviceToken, FieldConflict, Photo, Submission
from .photos import photo_check

OFFICER_ROLES = {"commune_officer"}
#: Rounds that take no more field work (closed by the decision, or cancelled).
ENDED = [RoundState.CLOSED, RoundState.CANCELLED]
FIELD_ROLES = {"commune_officer", "surveyor", "village_head"}


@dataclass(frozen=True)
class Outcome:
    submission: Submission
    status: str  # "accepted" | "duplicate" | "conflict"


def household_version(household: Household) -> str:
    """The household's version as the phone saw it (changes with every write to the household)."""
    return household.updated_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _parse_version(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


def _client_uuid(value: Any, what: str = "Mã phiếu") -> uuid.UUID:
    text = str(value or "").strip()
    if text.startswith("uuid:"):
        text = text[5:]
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise ValidationError(
            _("%(what)s không đúng dạng UUID: “%(value)s”.") % {"what": _(what), "value": str(value)[:60]},
            code="bad_id",
        )
    return parsed


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_time(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return _aware(value)
    try:
        return _aware(dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")))
    except ValueError:
        raise ValidationError(
            _("Thời điểm không hợp lệ: “%(value)s”.") % {"value": str(value)[:40]}, code="bad_time"
        )


def content_hash(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _require_field(actor: Any, household: Household) -> None:
    if str(getattr(actor, "role", "")) not in FIELD_ROLES or not user_can_write_households(actor):
        raise PermissionDenied(_("Vai trò của bạn không gửi được phiếu khảo sát."))
    if not user_covers_area(actor, household.village or household.commune):
        raise NotFound(_("Không tìm thấy hộ gia đình."))


def _round_closed_message() -> str:
    return _("Xã không có đợt rà soát đang mở (đợt đã kết thúc hoặc chưa mở): không ghi được phiếu.")


def open_entry(household: Household) -> RoundEntry:
    """The household's line in its commune's open review round (one query; a second one only to
    tell "no open round" from "not listed" when there is no line)."""
    entry = (
        RoundEntry.objects.filter(household=household, round__commune_id=household.commune_id)
        .exclude(round__state__in=ENDED)
        .select_related("round")
        .order_by("-round_id")
        .first()
    )
    if entry is not None:
        return entry
    if not ReviewRound.objects.filter(commune_id=household.commune_id).exclude(state__in=ENDED).exists():
        raise ValidationError(
            _("Xã không có đợt rà soát đang mở (đợt đã kết thúc hoặc chưa mở): không ghi được phiếu."),
            code="round_closed",
        )
    raise ValidationError(_("Hộ không có trong danh sách của đợt rà soát đang mở."), code="not_in_round")


def _stale(household: Household, sub: Submission) -> bool:
    base_version = sub.base_version
    if not base_version:
        return False
    if household_version(household) == base_version:
        base = _parse_version(base_version)
        if base is None:
            return False
        # the household row did not change, but another field submission may have been recorded
        # (or received earlier and still waiting in the inbox)
        recorded = Q(state__in=[Submission.State.ACCEPTED, Submission.State.APPLIED])
        if sub.received_at is not None:
            recorded |= Q(state=Submission.State.RECEIVED, received_at__lt=sub.received_at)
        return (
            Submission.objects.filter(recorded, household=household, received_at__gt=base)
            .exclude(pk=sub.pk)
            .exists()
        )
    return True


def _household_snapshot(household: Household) -> dict[str, Any]:
    from hongheo.standards.facts import HOUSEHOLD_FACTS, MEMBER_FACTS

    return {
        "version": household_version(household),
        "facts": {k: getattr(household, k) for k in HOUSEHOLD_FACTS},
        "members": [
            {"id": m.pk, "full_name": m.full_name, **{k: getattr(m, k) for k in MEMBER_FACTS}}
            for m in household.members.filter(is_active=True).order_by("pk")
        ],
    }


# --- receiving a submission ----------------------------------------------------------------------


def _payload(
    form_id: str, form_version: str, household_id: Any, answers: Mapping[str, Any], base_version: str
) -> dict[str, Any]:
    return {
        "form_id": form_id,
        "form_version": form_version,
        "household": str(household_id),
        "answers": answers,
        "base_version": base_version,
    }


def _form(form_id: str, form_version: str) -> q.Form:
    try:
        return q.form_by_id(form_id, form_version)
    except q.UnknownForm as exc:
        raise ValidationError(str(exc), code="unknown_form")


def _check_answers(form: q.Form, answers: Mapping[str, Any]) -> dict[str, Any]:
    cleaned, errors = q.validate(form, answers)
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(
            _("Phiếu có %(count)s lỗi: %(first)s") % {"count": len(errors), "first": first},
            code="invalid_answers",
            details={"fields": errors},
        )
    return cleaned


def _locked_household(actor: Any, household_id: Any) -> Household:
    """The area gate and the household lock in one query."""
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    household = (
        household_qs_for_user(actor)
        .select_for_update(of=("self",))
        .select_related("commune", "village")
        .filter(pk=pk)
        .first()
        if actor is not None
        else None
    )
    if household is None:
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    _require_field(actor, household)
    return household


def _new_submission(
    *,
    sub_id: uuid.UUID,
    actor: Any,
    channel: str,
    form: q.Form,
    household_id: int,
    answers: Mapping[str, Any],
    digest: str,
    base_version: str,
    started_at: Any,
    ended_at: Any,
    device_id: str,
    token: DeviceToken | None,
    raw_xml: str,
    photos_expected: Iterable[str],
    gps: Mapping[str, Any],
    entry_id: int | None = None,
) -> Submission:
    return Submission(
        id=sub_id,
        channel=channel,
        form_id=form.form_id,
        form_version=form.version,
        user=actor,
        token=token,
        device_id=device_id[:120],
        household_id=household_id,
        entry_id=entry_id,
        payload_sha256=digest,
        answers=json.loads(json.dumps(answers, default=str)),
        raw_xml=raw_xml,
        base_version=base_version[:40],
        state=Submission.State.RECEIVED,
        photos_expected=[str(p) for p in photos_expected],
        latitude=gps.get("lat"),
        longitude=gps.get("lon"),
        accuracy_m=gps.get("accuracy"),
        started_at=parse_time(started_at),
        ended_at=parse_time(ended_at),
    )


@transaction.atomic
def submission_receive(
    *,
    actor: Any,
    channel: str,
    client_id: Any,
    form_id: str,
    form_version: str,
    household_id: Any,
    answers: Mapping[str, Any],
    base_version: str = "",
    started_at: Any = None,
    ended_at: Any = None,
    device_id: str = "",
    token: DeviceToken | None = None,
    raw_xml: str = "",
    photos_expected: Iterable[str] = (),
) -> Outcome:
    """Receive one Phiếu A or Phiếu B and record it at once (ODK Collect, the web form). Raises a
    domain error for a bad item (nothing written); returns "duplicate" for a retry of a submission
    already recorded. The field app's batches go through :func:`submissions_accept` instead (the
    same checks, recorded by the inbox worker)."""
    sub_id = _client_uuid(client_id)
    payload = _payload(form_id, form_version, household_id, answers, base_version)
    digest = hashlib.sha256(raw_xml.encode("utf-8")).hexdigest() if raw_xml else content_hash(payload)
    existing = Submission.objects.filter(pk=sub_id).first()
    if existing is not None:
        return _known(
            actor, existing, digest, raw_xml or json.dumps(payload, ensure_ascii=False, default=str)
        )
    form = _form(form_id, form_version)
    household = _locked_household(actor, household_id)
    cleaned = _check_answers(form, answers)
    sub = _new_submission(
        sub_id=sub_id,
        actor=actor,
        channel=channel,
        form=form,
        household_id=household.pk,
        answers=answers,
        digest=digest,
        base_version=base_version,
        started_at=started_at,
        ended_at=ended_at,
        device_id=device_id,
        token=token,
        raw_xml=raw_xml,
        photos_expected=photos_expected,
        gps=cleaned.get("gps") or {},
    )
    sub.household = household
    try:
        with transaction.atomic():
            sub.save(force_insert=True)
    except IntegrityError:
        # the same id was committed by a concurrent retry a moment ago
        existing = Submission.objects.get(pk=sub_id)
        return _known(
            actor, existing, digest, raw_xml or json.dumps(payload, ensure_ascii=False, default=str)
        )
    status = _process(sub, household=household)
    return Outcome(sub, status)


def _process(sub: Submission, *, household: Household | None = None) -> str:
    """Record a received submission through the review services (household locked by the caller
    or here). Returns "accepted" or "conflict"; a domain error leaves the caller to undo."""
    actor = sub.user
    form = _form(sub.form_id, sub.form_version)
    if household is None:
        household = _locked_household(actor, sub.household_id)
        sub.household = household
    cleaned = _check_answers(form, sub.answers)
    entry = open_entry(household)
    sub.entry = entry
    if _stale(household, sub):
        sub.state = Submission.State.CONFLICT
        sub.save(update_fields=["state", "entry"])
        FieldConflict.objects.create(
            submission=sub,
            household=household,
            kind=FieldConflict.Kind.HOUSEHOLD_CHANGED,
            server_version=household_version(household),
            server_snapshot=json.loads(json.dumps(_household_snapshot(household), default=str)),
        )
        _audit(actor, "fieldwork.submission_conflict", sub, household)
        evidence.check_submission(sub)
        return "conflict"
    sub.state = Submission.State.ACCEPTED
    _apply(actor, sub, form, cleaned, entry, household)
    evidence.check_submission(sub)
    _audit(actor, "fieldwork.submission_receive", sub, household)
    return "accepted"


# --- the inbox: the field app's batches ---------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    """A bad item of a batch: nothing of it was written."""

    client_id: str
    error: DomainError


def submissions_accept(
    *, actor: Any, items: list[Mapping[str, Any]], token: DeviceToken | None = None, channel: str = "app"
) -> list[Outcome | ItemError]:
    """Accept a batch of Phiếu A/B from the field app into the inbox: every check that does not
    need the household's lock (the questionnaire, the area gate, the open round, the household's
    line) runs here for the whole batch in a few queries, and the good items are stored durably
    with the client's id in one insert (a retry or a concurrent duplicate is recognised by that
    id). The review services record them afterwards (:func:`inbox_process`, the job worker, in
    received order); the phone learns the final state from ``/field/status``. One result per
    item, in order."""
    results: list[Outcome | ItemError | None] = [None] * len(items)
    prepared: list[tuple[int, uuid.UUID, q.Form, dict[str, Any], str, str, dict[str, Any]]] = []
    seen: dict[uuid.UUID, int] = {}
    for i, item in enumerate(items):
        try:
            sub_id = _client_uuid(item.get("id"))
            answers = item.get("answers")
            answers = answers if isinstance(answers, dict) else {}
            payload = _payload(
                str(item.get("form_id", "")),
                str(item.get("form_version", "")),
                item.get("household_id"),
                answers,
                str(item.get("base_version") or ""),
            )
            if sub_id in seen:
                raise Conflict(_("Mã phiếu lặp lại trong cùng một lần gửi."), code="id_repeated")
            seen[sub_id] = i
            form = _form(payload["form_id"], payload["form_version"])
            gps = _check_answers(form, answers).get("gps") or {}
            prepared.append((i, sub_id, form, answers, content_hash(payload), payload["household"], gps))
        except DomainError as exc:
            results[i] = ItemError(str(item.get("id", ""))[:64], exc)
    with transaction.atomic():
        known = {
            s.pk: s
            for s in Submission.objects.filter(pk__in=[p[1] for p in prepared]).select_related("household")
        }
        fresh = []
        for p in prepared:
            i, sub_id, form, answers, digest = p[:5]
            if sub_id in known:
                try:
                    results[i] = _known(actor, known[sub_id], digest, _content_of(items[i]))
                except DomainError as exc:
                    results[i] = ItemError(str(sub_id), exc)
            else:
                fresh.append(p)
        households = _gate_batch(actor, [p[5] for p in fresh])
        new: list[tuple[int, Submission]] = []
        for i, sub_id, form, answers, digest, hh, gps in fresh:
            item = items[i]
            found = households.get(hh)
            if isinstance(found, DomainError) or found is None:
                results[i] = ItemError(str(sub_id), found or NotFound(_("Không tìm thấy hộ gia đình.")))
                continue
            household, line = found
            if form.key == "phieu_b" and line[1] not in ("listed", "surveyed"):
                error = (
                    Conflict(_("Hộ đã bị loại ở Phiếu A."), code="screened_out")
                    if line[1] == "screened_out"
                    else Conflict(
                        _("Hộ đã qua bước họp dân; mở lại Phiếu B khi rà soát lại."), code="entry_closed"
                    )
                )
                results[i] = ItemError(str(sub_id), error)
                continue
            try:
                sub = _new_submission(
                    sub_id=sub_id,
                    actor=actor,
                    channel=channel,
                    form=form,
                    household_id=household.pk,
                    answers=answers,
                    digest=digest,
                    base_version=str(item.get("base_version") or ""),
                    started_at=item.get("started_at"),
                    ended_at=item.get("ended_at"),
                    device_id=str(item.get("device_id") or ""),
                    token=token,
                    raw_xml="",
                    photos_expected=[str(x) for x in item.get("photos") or [] if isinstance(x, str)],
                    gps=gps,
                    entry_id=line[0],
                )
            except DomainError as exc:
                results[i] = ItemError(str(sub_id), exc)
                continue
            sub.household = household
            new.append((i, sub))
        if new:
            Submission.objects.bulk_create([s for _, s in new], ignore_conflicts=True)
            stored = {
                pk: (digest, at)
                for pk, digest, at in Submission.objects.filter(pk__in=[s.pk for _, s in new]).values_list(
                    "pk", "payload_sha256", "received_at"
                )
            }
            accepted = []
            for i, sub in new:
                digest, at = stored.get(sub.pk, ("", None))
                if digest == sub.payload_sha256 and at == sub.received_at:
                    results[i] = Outcome(sub, "accepted")
                    accepted.append(sub)
                elif digest == sub.payload_sha256:
                    # a concurrent retry stored this very submission a moment ago (its own time)
                    results[i] = Outcome(Submission.objects.get(pk=sub.pk), "duplicate")
                else:  # a concurrent request stored other content under this id a moment ago
                    other = Submission.objects.get(pk=sub.pk)
                    try:
                        results[i] = _known(actor, other, sub.payload_sha256, _content_of(items[i]))
                    except DomainError as exc:
                        results[i] = ItemError(str(sub.pk), exc)
            audit_write_many(
                actor=actor,
                action="fieldwork.submission_accept",
                rows=[
                    AuditRow(
                        obj=s,
                        after={"channel": s.channel, "form": s.form_id, "state": s.state},
                        household_code=s.household.code,
                    )
                    for s in accepted
                ],
            )
            if accepted and not inbox_inline():
                inbox_kick()
    return [r for r in results if r is not None]


def _content_of(item: Mapping[str, Any]) -> str:
    answers = item.get("answers")
    payload = _payload(
        str(item.get("form_id", "")),
        str(item.get("form_version", "")),
        item.get("household_id"),
        answers if isinstance(answers, dict) else {},
        str(item.get("base_version") or ""),
    )
    return json.dumps(payload, ensure_ascii=False, default=str)


def _gate_batch(actor: Any, household_ids: list[str]) -> dict[str, Any]:
    """For each household id of a batch: (household, (entry id, entry state)) or the domain error,
    in three queries (the area gate, the round lines, the open rounds)."""
    out: dict[str, Any] = {}
    pks: dict[str, int] = {}
    for raw in household_ids:
        try:
            pks[raw] = int(raw)
        except (TypeError, ValueError):
            out[raw] = NotFound(_("Không tìm thấy hộ gia đình."))
    role_ok = str(getattr(actor, "role", "")) in FIELD_ROLES and user_can_write_households(actor)
    households = (
        {
            h.pk: h
            for h in household_qs_for_user(actor)
            .filter(pk__in=set(pks.values()))
            .select_related("commune", "village")
        }
        if actor is not None and pks
        else {}
    )
    lines = {
        hh: (pk, state)
        for hh, pk, state in RoundEntry.objects.filter(household_id__in=list(households))
        .exclude(round__state__in=ENDED)
        .order_by("household_id", "round_id")
        .values_list("household_id", "pk", "state")
    }
    open_communes: set[int] | None = None
    for raw, pk in pks.items():
        household = households.get(pk)
        if household is None or not user_covers_area(actor, household.village or household.commune):
            out[raw] = NotFound(_("Không tìm thấy hộ gia đình."))
        elif not role_ok:
            out[raw] = PermissionDenied(_("Vai trò của bạn không gửi được phiếu khảo sát."))
        elif pk in lines:
            out[raw] = (household, lines[pk])
        else:
            if open_communes is None:
                open_communes = set(
                    ReviewRound.objects.filter(commune_id__in={h.commune_id for h in households.values()})
                    .exclude(state__in=ENDED)
                    .values_list("commune_id", flat=True)
                )
            out[raw] = (
                ValidationError(
                    _("Hộ không có trong danh sách của đợt rà soát đang mở."), code="not_in_round"
                )
                if household.commune_id in open_communes
                else ValidationError(
                    _round_closed_message(),
                    code="round_closed",
                )
            )
    return out


INBOX_KIND = "fieldwork.inbox"
INBOX_BATCH = 50


def inbox_inline() -> bool:
    """Record accepted items in the request itself (tests, a single-process set-up) instead of the
    job worker."""
    from django.conf import settings

    return bool(getattr(settings, "FIELDWORK_INBOX_INLINE", False))


def inbox_kick() -> None:
    """Make sure a worker job will record the inbox: enqueue one unless one is already waiting
    (one running and one waiting at most)."""
    from hongheo.core.jobs import job_enqueue
    from hongheo.core.models import Job

    if not Job.objects.filter(kind=INBOX_KIND, state=Job.State.QUEUED).exists():
        job_enqueue(actor=None, kind=INBOX_KIND, title="Ghi các phiếu thực địa đã nhận")


def inbox_process(*, ids: Iterable[Any] | None = None, limit: int | None = None) -> dict[str, int]:
    """Record received submissions through the review services, oldest first, a batch per
    transaction. Each submission is taken under a row lock (``SKIP LOCKED``: several workers never
    take the same one) and only while still "received", and its state changes in the same
    transaction as its facts: recorded exactly once. A submission that can no longer be recorded
    (the round closed meanwhile, a member no longer in the household…) becomes "failed" with the
    reason; nothing of it is written."""
    counts = {"accepted": 0, "conflict": 0, "failed": 0}
    only = [uuid.UUID(str(i)) for i in ids] if ids is not None else None
    done = 0
    while limit is None or done < limit:
        size = INBOX_BATCH if limit is None else min(INBOX_BATCH, limit - done)
        with transaction.atomic():
            qs = Submission.objects.filter(state=Submission.State.RECEIVED)
            if only is not None:
                qs = qs.filter(pk__in=only)
            batch = list(
                qs.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .order_by("received_at", "pk")[:size]
            )
            if not batch:
                break
            users: dict[Any, Any] = {}
            for sub in batch:  # one user object per user in a batch: its area scope is read once
                sub.user = users.setdefault(sub.user_id, sub.user)
            for sub in batch:
                try:
                    with transaction.atomic():
                        counts[_process(sub)] += 1
                except DomainError as exc:
                    sub.state = Submission.State.FAILED
                    sub.result = {
                        "error": {
                            "code": exc.code,
                            "message": str(exc.message),
                            "fields": {str(k): str(v) for k, v in (exc.details.get("fields") or {}).items()},
                        }
                    }
                    sub.save(update_fields=["state", "result"])
                    counts["failed"] += 1
            done += len(batch)
    return counts


def _known(actor: Any, existing: Submission, digest: str, content: str) -> Outcome:
    """A submission id seen before: a retry (same content) or a reused id (different content)."""
    if actor is not None and existing.user_id not in (None, getattr(actor, "pk", None)):
        # someone else's id: reveal nothing about it
        raise Conflict(_("Mã phiếu đã được dùng."), code="id_reused")
    if existing.payload_sha256 == digest:
        return Outcome(existing, "duplicate")
    if not existing.conflicts.filter(kind=FieldConflict.Kind.INSTANCE_REUSED, other_content=content).exists():
        # kept for review in the caller's savepoint-free path: commit this even though we refuse
        FieldConflict.objects.create(
            submission=existing,
            household_id=existing.household_id,
            kind=FieldConflict.Kind.INSTANCE_REUSED,
            other_content=content[:200_000],
        )
        _audit(actor, "fieldwork.submission_id_reused", existing, existing.household)
    return Outcome(existing, "reused")


SOURCE_OF_CHANNEL = {"app": "field", "odk": "odk", "web": "survey"}


def _survey_record(
    *,
    actor: Any,
    entry: RoundEntry,
    facts: dict[str, Any],
    member_facts: dict[int, Any],
    source: str,
    source_ref: str,
    observed_on: dt.date,
    joining: list[Any] | None = None,
    leaving: dict[int, str] | None = None,
    new_head_id: int | None = None,
) -> RoundEntry:
    """Phiếu B goes through the review service, the same one the web form uses: it records the
    dated facts (household and members, membership changes included) and classifies exactly
    those."""
    from hongheo.reviews.services import survey_record

    return survey_record(
        actor=actor,
        entry=entry,
        facts=facts,
        member_facts=member_facts,
        joining=joining or [],
        leaving=leaving or {},
        new_head_id=new_head_id,
        source=SOURCE_OF_CHANNEL.get(source, "survey"),
        source_ref=source_ref,
        observed_on=min(observed_on, timezone.localdate()),
    )


def _match_member(row: Mapping[str, Any], members: dict[int, Member]) -> Member | None:
    """ODK rows carry no member id: match by name and date of birth."""
    name = fold(str(row.get("full_name") or ""))
    for m in members.values():
        if fold(m.full_name) == name and m.date_of_birth == row.get("date_of_birth"):
            return m
    return None


def _apply(
    actor: Any,
    sub: Submission,
    form: q.Form,
    cleaned: dict[str, Any],
    entry: RoundEntry,
    household: Household,
) -> None:
    from hongheo.reviews.services import screening_record

    observed = (sub.ended_at or sub.started_at or timezone.now()).date()
    if form.key == "phieu_a":
        reasons = (cleaned.get("screening_reasons") or "").splitlines()
        entry = screening_record(
            actor=actor, entry=entry, excluded=bool(cleaned["screening_excluded"]), reasons=reasons
        )
        sub.result = {"entry_state": entry.state}
    else:
        membership = _apply_members(actor, sub, household, form, cleaned, observed)
        facts = {x.name: cleaned.get(x.name) for x in form.questions if x.fact == "household"}
        entry = _survey_record(
            actor=actor,
            entry=entry,
            facts=facts,
            member_facts=membership.member_facts,
            joining=membership.joining,
            leaving=membership.leaving,
            new_head_id=membership.new_head_id,
            source=sub.channel,
            source_ref=str(sub.pk),
            observed_on=observed,
        )
        sub.result = {
            "entry_state": entry.state,
            "proposed_class": entry.proposed_class,
            "deprived_count": entry.deprived_count,
        }
    sub.result["version"] = household_version(household)
    sub.applied_at = timezone.now()
    sub.save(update_fields=["result", "applied_at", "state", "entry"])


@dataclass
class _Membership:
    """What a Phiếu B says about who lives in the household: facts of the members present, members
    not in the registry yet, members who died or moved away, and who heads the household if its
    head left. Recorded with the survey; the registry changes at the round's decision."""

    member_facts: dict[int, dict[str, Any]]
    joining: list[Any]
    leaving: dict[int, str]
    new_head_id: int | None


def _apply_members(
    actor: Any,
    sub: Submission,
    household: Household,
    form: q.Form,
    cleaned: dict[str, Any],
    observed: dt.date,
) -> _Membership:
    from hongheo.registry.services import MemberInput

    repeat = form.repeat
    if repeat is None:
        return _Membership({}, [], {}, None)
    fact_names = [s.name for s in repeat.questions if s.fact == "member"]
    survey_facts = [k for k in fact_names if k not in ("date_of_birth", "sex", "relation_to_head")]
    members = {m.pk: m for m in household.members.filter(is_active=True)}
    out = _Membership({}, [], {}, None)
    changes: list[dict[str, str]] = []
    for i, row in enumerate(cleaned.get(repeat.name) or []):
        presence = row.get("presence")
        member = (
            members.get(row["member_id"]) if row.get("member_id") is not None else _match_member(row, members)
        )
        if row.get("member_id") is not None and member is None:
            raise ValidationError(
                _("Thành viên thứ %(value)s không thuộc hộ %(code)s.")
                % {"value": i + 1, "code": household.code},
                code="unknown_member",
                details={"fields": {f"{repeat.name}[{i}].member_id": _("Thành viên không thuộc hộ.")}},
            )
        if member is None:
            if presence == "present":
                out.joining.append(
                    MemberInput(
                        full_name=row["full_name"],
                        date_of_birth=row["date_of_birth"],
                        sex=row["sex"],
                        relation_to_head=row["relation_to_head"],
                        facts={k: row.get(k) for k in survey_facts if k in row},
                    )
                )
                changes.append({"member": row["full_name"], "change": "joined"})
            continue
        if presence == "present":
            out.member_facts[member.pk] = {k: row.get(k) for k in survey_facts}
            if row.get("relation_to_head") == "head" and member.relation_to_head != "head":
                out.new_head_id = member.pk
        else:
            out.leaving[member.pk] = str(presence)
            changes.append({"member": member.full_name, "change": str(presence)})
    if not any(members[pk].relation_to_head == "head" for pk in out.leaving):
        out.new_head_id = None  # the head stays: nobody else becomes head here
    if changes:
        # recorded with the survey, applied at the decision (decision 0011): a note for the officer
        evidence.flag_members_changed(sub, changes)
    return out


def _audit(actor: Any, action: str, sub: Submission, household: Household) -> None:
    audit_write(
        actor=actor,
        action=action,
        obj=sub,
        after={"channel": sub.channel, "form": sub.form_id, "state": sub.state},
        household_code=household.code,
    )


# --- photos -------------------------------------------------------------------------------------


@transaction.atomic
def photo_receive(
    *,
    actor: Any,
    submission_id: Any,
    photo_id: Any,
    content: bytes,
    question: str = "",
    filename: str = "",
    taken_at: Any = None,
) -> tuple[Photo, bool]:
    """Store one photo of a submission (idempotent by the client's photo id). Returns the photo and
    whether it was new."""
    pid = _client_uuid(photo_id, _("Mã ảnh"))
    sid = _client_uuid(submission_id)
    sub = Submission.objects.filter(pk=sid).select_related("household").first()
    if sub is None or household_qs_for_user(actor).filter(pk=sub.household_id).count() == 0:
        raise NotFound(
            _("Không tìm thấy phiếu của ảnh (gửi phiếu trước rồi gửi ảnh)."), code="submission_missing"
        )
    existing = Photo.objects.filter(pk=pid).first()
    checked = photo_check(content)
    if existing is not None:
        if existing.sha256 != checked.sha256 or existing.submission_id != sub.pk:
            raise Conflict(_("Mã ảnh đã dùng cho một ảnh khác."), code="photo_id_reused")
        return existing, False
    photo = Photo(
        id=pid,
        submission=sub,
        household_id=sub.household_id,
        question=question[:64],
        filename=filename[:200],
        content=checked.content,
        content_type=checked.content_type,
        size=len(checked.content),
        width=checked.width,
        height=checked.height,
        sha256=checked.sha256,
        dhash=checked.dhash,
        taken_at=parse_time(taken_at) if taken_at else _aware(checked.taken_at),
    )
    try:
        with transaction.atomic():
            photo.save(force_insert=True)
    except IntegrityError:
        again = Photo.objects.get(pk=pid)
        if again.sha256 != checked.sha256:
            raise Conflict(_("Mã ảnh đã dùng cho một ảnh khác."), code="photo_id_reused")
        return again, False
    evidence.check_photo(photo)
    audit_write(
        actor=actor,
        action="fieldwork.photo_receive",
        obj=photo,
        after={"submission": str(sub.pk), "size": photo.size, "question": photo.question},
        household_code=sub.household.code,
    )
    return photo, True


def odk_photo_id(submission_id: Any, filename: str) -> uuid.UUID:
    """ODK attachments have no id of their own: derive a stable one from instanceID and name."""
    return uuid.uuid5(_client_uuid(submission_id), filename)


# --- conflicts ----------------------------------------------------------------------------------


@transaction.atomic
def conflict_resolve(*, actor: Any, conflict: FieldConflict, apply: bool, note: str = "") -> FieldConflict:
    """The commune officer decides: apply the field version, or keep what the server has."""
    conflict = (
        FieldConflict.objects.select_for_update()
        .select_related("submission", "household")
        .get(pk=conflict.pk)
    )
    household = conflict.household
    if str(getattr(actor, "role", "")) not in OFFICER_ROLES or not user_covers_area(actor, household.commune):
        raise PermissionDenied(_("Chỉ cán bộ xã phụ trách mới xử lý được xung đột."))
    if conflict.state != FieldConflict.State.OPEN:
        raise Conflict(_("Xung đột này đã được xử lý."))
    sub = conflict.submission
    if apply and conflict.kind == FieldConflict.Kind.HOUSEHOLD_CHANGED:
        form = q.form_by_id(sub.form_id, sub.form_version)
        cleaned, errors = q.validate(form, sub.answers)
        if errors:
            raise ValidationError(_("Phiếu thực địa không còn hợp lệ."), details={"fields": errors})
        household = Household.objects.select_for_update().get(pk=household.pk)
        entry = open_entry(household)
        sub.state = Submission.State.APPLIED
        _apply(actor, sub, form, cleaned, entry, household)
        conflict.state = FieldConflict.State.APPLIED
    else:
        if conflict.kind == FieldConflict.Kind.HOUSEHOLD_CHANGED:
            sub.state = Submission.State.DISCARDED
            sub.save(update_fields=["state"])
        conflict.state = FieldConflict.State.KEPT
    conflict.resolved_by = actor
    conflict.resolved_at = timezone.now()
    conflict.note = note[:400]
    conflict.save()
    audit_write(
        actor=actor,
        action="fieldwork.conflict_resolve",
        obj=conflict,
        after={"state": conflict.state, "note": conflict.note},
        household_code=household.code,
    )
    return conflict


# --- device tokens ------------------------------------------------------------------------------


@transaction.atomic
def device_token_create(*, actor: Any, user: Any, kind: str, label: str = "") -> DeviceToken:
    if actor is not None and actor.pk != user.pk and str(getattr(actor, "role", "")) != "administrator":
        raise PermissionDenied(_("Chỉ người dùng hoặc quản trị viên tạo được mã thiết bị."))
    token = DeviceToken.objects.create(
        key=secrets.token_urlsafe(32),
        user=user,
        kind=DeviceToken.Kind(kind),
        label=label[:100],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_write(actor=actor, action="fieldwork.device_token_create", obj=token, after={"user": user.username})
    return token


@transaction.atomic
def device_token_revoke(*, actor: Any, token: DeviceToken) -> DeviceToken:
    if actor is not None and actor.pk != token.user_id and str(getattr(actor, "role", "")) != "administrator":
        raise PermissionDenied(_("Không thu hồi được mã thiết bị này."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_write(actor=actor, action="fieldwork.device_token_revoke", obj=token, after={"revoked": True})
    return token


def device_token_user(key: str) -> tuple[DeviceToken, Any]:
    """The token and its user, or NotFound (unknown, revoked, or user inactive look the same)."""
    token = (
        DeviceToken.objects.select_related("user")
        .filter(key=str(key or "")[:64], revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        raise NotFound(_("Mã thiết bị không hợp lệ hoặc đã bị thu hồi."), code="bad_token")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=10):
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, token.user


def field_login(
    *, request: Any, username: str, password: str, address: str, via: str, cache_seconds: int = 0
) -> tuple[Any, int]:
    """A named account's sign-in from a phone (the field app's login, ODK Collect's HTTP Basic):
    the product's one login path (throttled per account and address, audited). Returns (user or
    None, seconds to wait). ODK Collect repeats the credentials on every request once challenged:
    with ``cache_seconds`` a success is remembered for that long in this process (keyed by a hash
    of the name, the password, the stored password hash and the address, so a password change or
    another address checks again), so the password hash is not recomputed — and the audit trail
    not flooded — on every request."""
    from django.core.cache import cache

    from hongheo.users.models import User
    from hongheo.users.services import login_attempt

    key = ""
    if cache_seconds:
        stored = User.objects.filter(username=username, is_active=True).values_list("pk", "password").first()
        if stored is not None:
            raw = "\0".join((username, password, stored[1], address, via)).encode("utf-8")
            key = "field-login:" + hashlib.sha256(raw).hexdigest()
            if cache.get(key) == stored[0]:
                return User.objects.get(pk=stored[0]), 0
    user, wait = login_attempt(
        request=request, username=username, password=password, address=address, via=via
    )
    if user is not None and key:
        cache.set(key, user.pk, cache_seconds)
    return user, wait


@transaction.atomic
def submission_receive_with_photos(*, actor: Any, photos: Mapping[str, bytes], **kwargs: Any) -> Outcome:
    """A submission and its photos as one all-or-nothing write (the web form sends both at once).
    Photo ids are derived from the submission id and the question, so a resent form is idempotent."""
    ids = {name: odk_photo_id(kwargs["client_id"], name) for name in photos}
    answers = dict(kwargs.pop("answers"))
    answers.update({name: str(pid) for name, pid in ids.items()})
    outcome = submission_receive(
        actor=actor, answers=answers, photos_expected=[str(p) for p in ids.values()], **kwargs
    )
    if outcome.status == "reused":
        return outcome
    for name, content in photos.items():
        photo_receive(
            actor=actor,
            submission_id=outcome.submission.pk,
            photo_id=ids[name],
            content=content,
            question=name,
            filename=name,
        )
    return outcome


class _Duplicate(Exception):
    """Raised inside the transaction to undo everything a concurrent duplicate began."""


def new_household_receive(
    *,
    actor: Any,
    client_id: Any,
    village_code: str,
    address: str,
    answers: Mapping[str, Any],
    form_version: str,
    started_at: Any = None,
    ended_at: Any = None,
    device_id: str = "",
    token: DeviceToken | None = None,
) -> Outcome:
    """A household found in the field: registered with its members and Phiếu B facts (registry
    service), its Phiếu B kept, and an item for the commune officer, who puts it into a round."""
    sub_id = _client_uuid(client_id)
    payload = {"new_household": {"village": village_code, "address": address}, "answers": answers}
    digest = content_hash(payload)
    existing = Submission.objects.filter(pk=sub_id).first()
    if existing is not None:
        return _known(actor, existing, digest, json.dumps(payload, ensure_ascii=False, default=str))
    try:
        return _new_household(
            actor,
            sub_id,
            digest,
            village_code,
            address,
            answers,
            form_version,
            started_at,
            ended_at,
            device_id,
            token,
        )
    except _Duplicate:
        existing = Submission.objects.get(pk=sub_id)
        return _known(actor, existing, digest, json.dumps(payload, ensure_ascii=False, default=str))


@transaction.atomic
def _new_household(
    actor: Any,
    sub_id: uuid.UUID,
    digest: str,
    village_code: str,
    address: str,
    answers: Mapping[str, Any],
    form_version: str,
    started_at: Any,
    ended_at: Any,
    device_id: str,
    token: DeviceToken | None,
) -> Outcome:
    from hongheo.geography.models import Area
    from hongheo.registry.services import MemberInput, household_code_next, household_create

    try:
        form = q.form_by_id("hn_phieu_b", form_version)
    except q.UnknownForm as exc:
        raise ValidationError(str(exc), code="unknown_form")
    village = (
        Area.objects.filter(code=str(village_code or ""), level=Area.Level.VILLAGE)
        .select_related("parent")
        .first()
    )
    if village is None or village.parent is None or not user_covers_area(actor, village):
        raise NotFound(_("Không tìm thấy thôn/tổ dân phố trong địa bàn của bạn."), code="not_found")
    if str(getattr(actor, "role", "")) not in FIELD_ROLES:
        raise PermissionDenied(_("Vai trò của bạn không gửi được phiếu khảo sát."))
    cleaned, errors = q.validate(form, answers)
    rows = [r for r in cleaned.get("member") or [] if r.get("presence") == "present"]
    if any(r.get("member_id") for r in rows):
        errors["member"] = "Hộ mới không có thành viên trong sổ hộ."
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(
            _("Phiếu có %(count)s lỗi: %(first)s") % {"count": len(errors), "first": first},
            code="invalid_answers",
            details={"fields": errors},
        )
    repeat = form.repeat
    fact_names = [s.name for s in repeat.questions if s.fact == "member"] if repeat else []
    household = household_create(
        actor=actor,
        code=household_code_next(village.parent),
        commune=village.parent,
        village=village,
        address=" ".join(str(address or "").split())[:300],
        latitude=(cleaned.get("gps") or {}).get("lat"),
        longitude=(cleaned.get("gps") or {}).get("lon"),
        members=[
            MemberInput(
                full_name=r["full_name"],
                date_of_birth=r["date_of_birth"],
                sex=r["sex"],
                relation_to_head=r["relation_to_head"],
                facts={k: r.get(k) for k in fact_names},
            )
            for r in rows
        ],
        facts={x.name: cleaned.get(x.name) for x in form.questions if x.fact == "household"},
    )
    linkage.members_match_enqueue(
        actor=actor, member_ids=household.members.values_list("pk", flat=True), source="fieldwork"
    )
    gps = cleaned.get("gps") or {}
    sub = Submission(
        id=sub_id,
        channel=Submission.Channel.APP,
        form_id=form.form_id,
        form_version=form.version,
        user=actor,
        token=token,
        device_id=device_id[:120],
        household=household,
        payload_sha256=digest,
        answers=json.loads(json.dumps(answers, default=str)),
        state=Submission.State.ACCEPTED,
        latitude=gps.get("lat"),
        longitude=gps.get("lon"),
        accuracy_m=gps.get("accuracy"),
        started_at=parse_time(started_at),
        ended_at=parse_time(ended_at),
        applied_at=timezone.now(),
        result={"version": household_version(household), "household_code": household.code},
    )
    try:
        with transaction.atomic():
            sub.save(force_insert=True)
    except IntegrityError:
        raise _Duplicate()
    _into_running_round(actor, sub, form, cleaned, household)
    FieldConflict.objects.create(
        submission=sub,
        household=household,
        kind=FieldConflict.Kind.NEW_HOUSEHOLD,
        server_snapshot=json.loads(json.dumps(_household_snapshot(household), default=str)),
    )
    evidence.check_submission(sub)
    _audit(actor, "fieldwork.new_household_receive", sub, household)
    return Outcome(sub, "accepted")


def _into_running_round(
    actor: Any, sub: Submission, form: q.Form, cleaned: dict[str, Any], household: Household
) -> None:
    """A household found while the commune's round is listing or surveying joins that round; in
    the survey step its Phiếu B is recorded there as well (dated facts, indicative class)."""
    from hongheo.reviews.services import entry_add_found

    review_round = (
        ReviewRound.objects.filter(
            commune_id=household.commune_id, state__in=[RoundState.LISTING, RoundState.SURVEY]
        )
        .order_by("-pk")
        .first()
    )
    if review_round is None:
        return
    entry = entry_add_found(actor=actor, review_round=review_round, household=household)
    sub.entry = entry
    if review_round.state == RoundState.SURVEY:
        members = {m.pk: m for m in household.members.filter(is_active=True)}
        repeat = form.repeat
        fact_names = [x.name for x in repeat.questions if x.fact == "member"] if repeat else []
        member_facts = {}
        for row in cleaned.get("member") or []:
            member = _match_member(row, members) if row.get("presence") == "present" else None
            if member is not None:
                member_facts[member.pk] = {k: row.get(k) for k in fact_names}
        entry = _survey_record(
            actor=actor,
            entry=entry,
            facts={x.name: cleaned.get(x.name) for x in form.questions if x.fact == "household"},
            member_facts=member_facts,
            source=sub.channel,
            source_ref=str(sub.pk),
            observed_on=(sub.ended_at or sub.started_at or timezone.now()).date(),
        )
        sub.result = {
            **sub.result,
            "entry_state": entry.state,
            "proposed_class": entry.proposed_class,
            "deprived_count": entry.deprived_count,
        }
    sub.save(update_fields=["entry", "result"])
