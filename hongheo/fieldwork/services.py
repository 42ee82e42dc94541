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
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.capture import questionnaire as q
from hongheo.core.audit import audit_write
from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.core.text import fold
from hongheo.linkage import services as linkage
from hongheo.registry.access import access_household_by_id, household_qs_for_user
from hongheo.registry.models import Household, Member
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.reviews.workflow import RoundState
from hongheo.users.access import user_can_write_households, user_covers_area

from . import evidence
from .models import DeviceToken, FieldConflict, Photo, Submission
from .photos import photo_check

OFFICER_ROLES = {"commune_officer"}
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


def open_entry(household: Household) -> RoundEntry:
    """The household's line in its commune's open review round."""
    review_round = (
        ReviewRound.objects.filter(commune_id=household.commune_id)
        .exclude(state=RoundState.CLOSED)
        .order_by("-pk")
        .first()
    )
    if review_round is None:
        raise ValidationError(
            _("Xã không có đợt rà soát đang mở (đợt đã kết thúc hoặc chưa mở): không ghi được phiếu."),
            code="round_closed",
        )
    entry = RoundEntry.objects.filter(round=review_round, household=household).select_related("round").first()
    if entry is None:
        raise ValidationError(_("Hộ không có trong danh sách của đợt rà soát đang mở."), code="not_in_round")
    return entry


def _stale(household: Household, base_version: str, this: uuid.UUID) -> bool:
    if not base_version:
        return False
    if household_version(household) == base_version:
        base = _parse_version(base_version)
        if base is None:
            return False
        # the household row did not change, but another field submission may have been recorded
        return (
            Submission.objects.filter(
                household=household,
                received_at__gt=base,
                state__in=[Submission.State.ACCEPTED, Submission.State.APPLIED],
            )
            .exclude(pk=this)
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
    """Receive one Phiếu A or Phiếu B. Raises a domain error for a bad item (nothing written);
    returns "duplicate" for a retry of a submission already recorded."""
    sub_id = _client_uuid(client_id)
    payload = {
        "form_id": form_id,
        "form_version": form_version,
        "household": str(household_id),
        "answers": answers,
        "base_version": base_version,
    }
    digest = hashlib.sha256(raw_xml.encode("utf-8")).hexdigest() if raw_xml else content_hash(payload)
    existing = Submission.objects.filter(pk=sub_id).first()
    if existing is not None:
        return _known(
            actor, existing, digest, raw_xml or json.dumps(payload, ensure_ascii=False, default=str)
        )
    try:
        form = q.form_by_id(form_id, form_version)
    except q.UnknownForm as exc:
        raise ValidationError(str(exc), code="unknown_form")
    household = access_household_by_id(actor, household_id) if actor is not None else None
    if household is None:
        raise NotFound(_("Không tìm thấy hộ gia đình."))
    _require_field(actor, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    cleaned, errors = q.validate(form, answers)
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(
            _("Phiếu có %(count)s lỗi: %(first)s") % {"count": len(errors), "first": first},
            code="invalid_answers",
            details={"fields": errors},
        )
    entry = open_entry(household)
    started, ended = parse_time(started_at), parse_time(ended_at)
    gps = cleaned.get("gps") or {}
    sub = Submission(
        id=sub_id,
        channel=channel,
        form_id=form.form_id,
        form_version=form.version,
        user=actor,
        token=token,
        device_id=device_id[:120],
        household=household,
        entry=entry,
        payload_sha256=digest,
        answers=json.loads(json.dumps(answers, default=str)),
        raw_xml=raw_xml,
        base_version=base_version[:40],
        state=Submission.State.ACCEPTED,
        photos_expected=[str(p) for p in photos_expected],
        latitude=gps.get("lat"),
        longitude=gps.get("lon"),
        accuracy_m=gps.get("accuracy"),
        started_at=started,
        ended_at=ended,
    )
    try:
        with transaction.atomic():
            sub.save(force_insert=True)
    except IntegrityError:
        # the same id was committed by a concurrent retry a moment ago
        existing = Submission.objects.get(pk=sub_id)
        return _known(
            actor, existing, digest, raw_xml or json.dumps(payload, ensure_ascii=False, default=str)
        )
    if _stale(household, base_version, sub_id):
        sub.state = Submission.State.CONFLICT
        sub.save(update_fields=["state"])
        FieldConflict.objects.create(
            submission=sub,
            household=household,
            kind=FieldConflict.Kind.HOUSEHOLD_CHANGED,
            server_version=household_version(household),
            server_snapshot=json.loads(json.dumps(_household_snapshot(household), default=str)),
        )
        _audit(actor, "fieldwork.submission_conflict", sub, household)
        evidence.check_submission(sub)
        return Outcome(sub, "conflict")
    _apply(actor, sub, form, cleaned, entry, household)
    evidence.check_submission(sub)
    _audit(actor, "fieldwork.submission_receive", sub, household)
    return Outcome(sub, "accepted")


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
) -> RoundEntry:
    """Phiếu B goes through the review service, the same one the web form uses: it records the
    dated facts (household and members) and classifies exactly those."""
    from hongheo.reviews.services import survey_record

    return survey_record(
        actor=actor,
        entry=entry,
        facts=facts,
        member_facts=member_facts,
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
        member_facts = _apply_members(actor, household, form, cleaned, observed)
        facts = {x.name: cleaned.get(x.name) for x in form.questions if x.fact == "household"}
        entry = _survey_record(
            actor=actor,
            entry=entry,
            facts=facts,
            member_facts=member_facts,
            source=sub.channel,
            source_ref=str(sub.pk),
            observed_on=observed,
        )
        sub.result = {
            "entry_state": entry.state,
            "proposed_class": entry.proposed_class,
            "deprived_count": entry.deprived_count,
        }
    household.refresh_from_db()
    sub.result["version"] = household_version(household)
    sub.applied_at = timezone.now()
    sub.save(update_fields=["result", "applied_at", "state"])


def _apply_members(
    actor: Any, household: Household, form: q.Form, cleaned: dict[str, Any], observed: dt.date
) -> dict[int, dict[str, Any]]:
    from hongheo.registry.services import (
        MemberInput,
        member_add,
        member_record_death,
        member_record_move_away,
    )

    repeat = form.repeat
    if repeat is None:
        return {}
    fact_names = [s.name for s in repeat.questions if s.fact == "member"]
    members = {m.pk: m for m in household.members.filter(is_active=True)}
    member_facts: dict[int, dict[str, Any]] = {}
    leaving: list[tuple[Member, str]] = []
    new_head: Member | None = None
    added: list[int] = []
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
            if presence != "present":
                continue
            member = member_add(
                actor=actor,
                household=household,
                data=MemberInput(
                    full_name=row["full_name"],
                    date_of_birth=row["date_of_birth"],
                    sex=row["sex"],
                    relation_to_head=row["relation_to_head"],
                    facts={k: row.get(k) for k in fact_names if k in row},
                ),
                date=observed,
            )
            members[member.pk] = member
            added.append(member.pk)
        if presence == "present":
            member_facts[member.pk] = {k: row.get(k) for k in fact_names}
            if row.get("relation_to_head") == "head" and member.relation_to_head != "head":
                new_head = member
        else:
            leaving.append((member, str(presence)))
    for member, presence in leaving:
        head = new_head if member.relation_to_head == "head" else None
        if presence == "died":
            member_record_death(actor=actor, member=member, date=observed, new_head=head)
        else:
            member_record_move_away(actor=actor, member=member, date=observed, new_head=head)
    # new people: checked against the population data by the worker, not in the surveyor's request
    linkage.members_match_enqueue(actor=actor, member_ids=added, source="fieldwork")
    return member_facts


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
    FieldConflict.objects.create(
        submission=sub,
        household=household,
        kind=FieldConflict.Kind.NEW_HOUSEHOLD,
        server_snapshot=json.loads(json.dumps(_household_snapshot(household), default=str)),
    )
    evidence.check_submission(sub)
    _audit(actor, "fieldwork.new_household_receive", sub, household)
    return Outcome(sub, "accepted")
