"""Writers of the portal: submit a Mẫu 01, follow it with code + PIN, complain during posting,
ask for exit (Mẫu 04). Each validates everything first, then writes and audits in one transaction;
a refused submission leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_read, audit_write, audit_write_event
from hongheo.core.dbwrite import can_insert_together, insert_together
from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.core.ids import prefix_kind
from hongheo.linkage import services as linkage
from hongheo.registry.facts import MEMBER_SURVEY_FACTS
from hongheo.registry.models import FactRecord, Household, Member
from hongheo.registry.services import MemberInput, facts_record
from hongheo.reviews import services as reviews
from hongheo.reviews.models import Application, Complaint, RoundEntry
from hongheo.reviews.workflow import FINISHED_STATES, RoundState
from hongheo.users.access import user_covers_area

from .assessment import NextDecision, assess, next_decision_from
from .models import PortalApplication, PortalFollowUp, PortalLookup
from .notify import notify
from .validation import MAX_TEXT, Cleaned, clean_submission

CODE_ALPHABET = "ACDEFHJKLMNPRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
ASSIST_ROLES = {"commune_officer", "village_head"}
OPEN_STATUSES = (Application.Status.RECEIVED, Application.Status.IN_REVIEW)
logger = logging.getLogger(__name__)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _pin_for(client_key: uuid.UUID) -> str:
    """The PIN is derived from the phone's secret key, so a replay shows the same PIN again;
    only its keyed hash is stored."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"pin:" + client_key.bytes, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _pin_hash(code: str, pin: str) -> str:
    return keyed_hash(f"pin:{code}:{pin}")


def _new_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def _payload_hash(payload: dict[str, Any]) -> str:
    data = {k: v for k, v in payload.items() if k not in ("bot", "client_key", "channel")}
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _client_key(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationError(
            _("Thiếu mã gửi của máy (client_key): tải lại trang rồi gửi lại."),
            details={"fields": {"client_key": _("Không hợp lệ.")}},
        ) from None


# --- bot check ----------------------------------------------------------------------------------

_SIGNER_SALT = "hongheo.portal.challenge"


def challenge_new() -> dict[str, Any]:
    """A small arithmetic question in a signed, time-stamped token (no outside service). The token's
    nonce is stored with the submission it let through (unique), so a token serves once."""
    a, b = secrets.randbelow(8) + 1, secrets.randbelow(8) + 1
    token = signing.dumps({"a": a, "b": b, "n": secrets.token_hex(8)}, salt=_SIGNER_SALT)
    return {"token": token, "question": f"{a} cộng {b} bằng mấy?"}


def challenge_check(bot: Any) -> str:
    """The nonce of a correctly answered, unexpired question (the caller stores it: single use)."""
    bot = bot if isinstance(bot, dict) else {}
    if str(bot.get("website") or ""):  # honeypot: people never see this field
        raise ValidationError(_("Không gửi được hồ sơ."), code="bot", details={"fields": {"bot": ""}})
    max_age = int(_setting("PORTAL_BOT_MAX_SECONDS", 86400))
    try:
        data = signing.loads(str(bot.get("token") or ""), salt=_SIGNER_SALT, max_age=max_age)
    except signing.BadSignature:
        raise ValidationError(
            _("Câu hỏi kiểm tra đã hết hạn: trả lời câu hỏi mới."),
            code="bot",
            details={"fields": {"bot.answer": _("Trả lời câu hỏi mới.")}},
        ) from None
    try:
        ok = int(str(bot.get("answer") or "").strip()) == int(data["a"]) + int(data["b"])
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(
            _("Câu trả lời kiểm tra chưa đúng."),
            code="bot",
            details={"fields": {"bot.answer": _("Chưa đúng.")}},
        )
    min_age = float(_setting("PORTAL_BOT_MIN_SECONDS", 3))
    if min_age > 0:
        try:
            signing.loads(str(bot.get("token")), salt=_SIGNER_SALT, max_age=timedelta(seconds=min_age))
        except signing.SignatureExpired:
            return str(data["n"])  # older than the minimum: a person, not a script that posts at once
        raise ValidationError(
            _("Gửi quá nhanh: vui lòng kiểm tra lại thông tin rồi gửi."),
            code="bot",
            details={"fields": {"bot": ""}},
        )
    return str(data["n"])


def _token_used() -> ValidationError:
    return ValidationError(
        _("Câu hỏi kiểm tra này đã được dùng cho một hồ sơ khác: trả lời câu hỏi mới rồi gửi lại."),
        code="bot_replayed",
        details={"fields": {"bot.answer": _("Trả lời câu hỏi mới.")}},
    )


# --- rate limits --------------------------------------------------------------------------------


def _window() -> timedelta:
    return timedelta(seconds=int(_setting("PORTAL_RATE_WINDOW_SECONDS", 3600)))


# Everything the accept path reads, in one round trip (the same SQL on SQLite and PostgreSQL): a
# submission already stored under this client key, the two rate-limit counts (each stops at its
# limit, so a busy address costs no more than the limit's worth of index entries), and the
# commune's open round (its standard is the one the self-assessment uses).
_ACCEPT_READ_SQL = (
    "SELECT (SELECT id FROM capture_portalapplication WHERE client_key = %s), "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM capture_portalapplication WHERE address_hash = %s "
    "AND created_at >= %s LIMIT %s) a), "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM capture_portalapplication WHERE declarant_personal_id = %s "
    "AND created_at >= %s LIMIT %s) b), "
    "(SELECT standard_code FROM reviews_reviewround WHERE commune_id = %s AND state NOT IN (%s, %s) "
    "ORDER BY id DESC LIMIT 1), "
    "(SELECT period_start FROM reviews_reviewround WHERE commune_id = %s AND state NOT IN (%s, %s) "
    "ORDER BY id DESC LIMIT 1)"
)


# PostgreSQL: the new submission's id too, so that it and its audit row go in one statement
_NEXT_PK_SQL = ", nextval(pg_get_serial_sequence('capture_portalapplication', 'id'))"


@dataclass(frozen=True)
class _AcceptRead:
    existing_pk: int | None
    by_address: int
    by_personal_id: int
    open_round: tuple[str, dt.date] | None
    next_pk: int | None


def _accept_read(key: uuid.UUID, address_hash: str, personal_id: str, commune_pk: int) -> _AcceptRead:
    since = connection.ops.adapt_datetimefield_value(timezone.now() - _window())
    key_value = PortalApplication._meta.get_field("client_key").get_db_prep_value(key, connection)
    finished = [str(s) for s in FINISHED_STATES]
    params = [
        key_value,
        address_hash,
        since,
        int(_setting("PORTAL_SUBMITS_PER_ADDRESS", 20)),
        personal_id,
        since,
        int(_setting("PORTAL_SUBMITS_PER_PERSONAL_ID", 3)),
        commune_pk,
        *finished,
        commune_pk,
        *finished,
    ]
    together = can_insert_together()
    with connection.cursor() as cursor:
        cursor.execute(_ACCEPT_READ_SQL + (_NEXT_PK_SQL if together else ""), params)
        row = cursor.fetchone()
    existing, by_address, by_id, round_code, round_start = row[:5]
    open_round = (
        (str(round_code), dt.date.fromisoformat(str(round_start)[:10])) if round_code is not None else None
    )
    return _AcceptRead(existing, int(by_address), int(by_id), open_round, row[5] if together else None)


def _check_rate(read: _AcceptRead) -> None:
    if read.by_address >= int(_setting("PORTAL_SUBMITS_PER_ADDRESS", 20)):
        raise ValidationError(
            _("Có quá nhiều hồ sơ gửi từ địa chỉ mạng này. Vui lòng thử lại sau."), code="rate_limited"
        )
    if read.by_personal_id >= int(_setting("PORTAL_SUBMITS_PER_PERSONAL_ID", 3)):
        raise ValidationError(
            _("Số định danh này đã gửi nhiều hồ sơ trong thời gian ngắn. Vui lòng thử lại sau."),
            code="rate_limited",
            details={"fields": {"declarant.personal_id": _("Đã gửi nhiều lần.")}},
        )


# --- self-assessment ----------------------------------------------------------------------------


def self_assessment(*, payload: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """The indicative result for a form (nothing saved)."""
    today = today or timezone.localdate()
    cleaned = clean_submission(payload, today=today, need_income=False)
    return _assess(cleaned, today)


def _assess(cleaned: Cleaned, today: dt.date, nxt: NextDecision | None = None) -> dict[str, Any]:
    return assess(
        commune=cleaned.commune,
        living=cleaned.living,
        members=cleaned.members,
        income_per_capita=cleaned.income_per_capita,
        today=today,
        nxt=nxt,
    )


# --- submit: accept now, register later ---------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    submission: PortalApplication
    pin: str
    replay: bool


def portal_submit(
    *, actor: Any, payload: dict[str, Any], address: str, today: dt.date | None = None
) -> Receipt:
    """Accept a Mẫu 01 from the portal (decision 0012): validate everything, compute the indicative
    self-assessment, then store the submission with its client key and one audit row, and answer
    with code + PIN. The registry work (match the household by a member's ID number or create a
    provisional one, the commune's application with channel ``portal`` / ``assisted``, the dated
    record of the declared facts) is done by :func:`portal_process_pending` in the worker; until
    then the status is "received". Nothing accepted is lost: an unprocessed submission is taken by
    the next worker pass."""
    today = today or timezone.localdate()
    key = _client_key(payload.get("client_key"))
    digest = _payload_hash(payload)
    assisted = actor is not None and getattr(actor, "is_authenticated", False)
    try:
        nonce = None if assisted else challenge_check(payload.get("bot"))
        cleaned = clean_submission(payload, today=today)
    except ValidationError:
        # a phone sending again what was stored (its question may have expired meanwhile)
        existing = PortalApplication.objects.filter(client_key=key).first()
        if existing is not None:
            return _replay(existing, key, digest)
        raise
    if assisted:
        covers = user_covers_area(actor, cleaned.commune) or (
            cleaned.village is not None and user_covers_area(actor, cleaned.village)
        )
        if str(getattr(actor, "role", "")) not in ASSIST_ROLES or not covers:
            raise PermissionDenied(_("Bạn không được đăng ký giúp hộ ở địa bàn này."))
    address_hash = keyed_hash(f"addr:{address}")
    read = _accept_read(key, address_hash, cleaned.declarant["personal_id"], cleaned.commune.pk)
    if read.existing_pk is not None:
        return _replay(PortalApplication.objects.get(pk=read.existing_pk), key, digest)
    if not assisted:
        _check_rate(read)
    result = _assess(cleaned, today, next_decision_from(cleaned.commune, today, read.open_round))
    for attempt in range(3):
        try:
            return _accept(
                actor if assisted else None,
                cleaned,
                result,
                key,
                digest,
                address_hash,
                nonce,
                today,
                read.next_pk if attempt == 0 else None,
            )
        except IntegrityError:
            # the same key sent twice at once: the other request won; answer as a replay
            existing = PortalApplication.objects.filter(client_key=key).first()
            if existing is not None:
                return _replay(existing, key, digest)
            if nonce and PortalApplication.objects.filter(challenge_nonce=nonce).exists():
                raise _token_used() from None
            if attempt == 2:  # not a tracking-code clash after all
                raise
    raise AssertionError("unreachable")


def _replay(existing: PortalApplication, key: uuid.UUID, digest: str) -> Receipt:
    if existing.payload_hash != digest:
        raise Conflict(
            _("Hồ sơ này đã được gửi với nội dung khác. Muốn khai lại, hãy bắt đầu một hồ sơ mới."),
            code="replay_conflict",
        )
    return Receipt(existing, _pin_for(key), replay=True)


def _accept(
    actor: Any,
    cleaned: Cleaned,
    result: dict[str, Any],
    key: uuid.UUID,
    digest: str,
    address_hash: str,
    nonce: str | None,
    today: dt.date,
    pk: int | None,
) -> Receipt:
    """Store the submission and its audit row together: on PostgreSQL in one statement (one round
    trip, atomic by itself), elsewhere in a transaction."""
    channel = Application.Channel.ASSISTED if actor is not None else Application.Channel.PORTAL
    code = _new_code()  # 24^8 ≈ 1.1e11 codes; a clash fails the unique constraint and is retried
    pin = _pin_for(key)
    submission = PortalApplication(
        pk=pk,
        tracking_code=code,
        pin_hash=_pin_hash(code, pin),
        client_key=key,
        payload_hash=digest,
        challenge_nonce=nonce,
        channel=channel,
        assisted_by=actor,
        commune=cleaned.commune,
        village=cleaned.village,
        declarant_name=cleaned.declarant["full_name"],
        declarant_personal_id=cleaned.declarant["personal_id"],
        phone=cleaned.phone,
        declared={
            "address": cleaned.address,
            "members": cleaned.members,
            "living": cleaned.living,
            "incomes": cleaned.incomes,
            "reason": cleaned.reason,
        },
        income_per_capita=cleaned.income_per_capita,
        self_class=result["classification"],
        self_standard=result["standard"],
        self_result=result,
        address_hash=address_hash,
        received_on=today,
    )
    audit = {
        "actor": actor,
        "action": "capture.portal_submit",
        "after": {"tracking_code": code, "channel": channel},
        "personal_id": cleaned.declarant["personal_id"],
        "area_code": cleaned.commune.code,
    }
    if pk is not None and can_insert_together():
        insert_together(submission, audit_write_event(obj=submission, **audit))
    else:
        with transaction.atomic():
            submission.pk = None
            submission.save(force_insert=True)
            audit_write(obj=submission, **audit)
    return Receipt(submission, pin, replay=False)


# --- the registry work, in the worker -------------------------------------------------------------


def portal_pending_count() -> int:
    return PortalApplication.objects.filter(processed_at__isnull=True).count()


def portal_process_pending(*, limit: int | None = None) -> int:
    """One worker pass: take up to ``limit`` accepted submissions not yet processed (oldest first,
    those that failed before last) and do their registry work, each in its own transaction, rows
    locked so that two workers never take the same one. A failure is recorded on the submission
    (``process_error``, ``process_attempts``) and the rest go on; it is tried again on later passes
    up to ``PORTAL_PROCESS_MAX_ATTEMPTS``. Returns how many were processed."""
    limit = int(limit or _setting("PORTAL_PROCESS_BATCH", 100))
    max_attempts = int(_setting("PORTAL_PROCESS_MAX_ATTEMPTS", 5))
    pending = list(
        PortalApplication.objects.filter(processed_at__isnull=True, process_attempts__lt=max_attempts)
        .order_by("process_attempts", "id")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in pending:
        try:
            with transaction.atomic():
                submission = (
                    PortalApplication.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("commune", "village", "assisted_by")
                    .filter(pk=pk, processed_at__isnull=True)
                    .first()
                )
                if submission is None:  # another worker has it, or it is done
                    continue
                _process(submission)
                done += 1
        except (OperationalError, InterfaceError):
            raise  # the worker loop waits and comes back; nothing of this one was written
        except Exception as exc:
            logger.exception("portal submission %s not processed", pk)
            PortalApplication.objects.filter(pk=pk).update(
                process_attempts=F("process_attempts") + 1, process_error=f"{exc}"[:2000]
            )
    return done


def _declared_members(submission: PortalApplication) -> list[dict[str, Any]]:
    members = []
    for m in submission.declared.get("members", []):
        row = dict(m)
        row["date_of_birth"] = dt.date.fromisoformat(str(row["date_of_birth"])[:10])
        members.append(row)
    return members


def _process(submission: PortalApplication) -> None:
    """The registry work of one accepted submission (what the commune receives)."""
    commune = submission.commune
    received_on = submission.received_on or timezone.localtime(submission.created_at).date()
    declared = submission.declared
    members = _declared_members(submission)
    living = dict(declared.get("living") or {})
    declarant_id = submission.declarant_personal_id
    ids = [m["personal_id"] for m in members if m.get("personal_id")]
    # the household the registry already has: a member's ID on an active member of this commune
    known = (
        Member.objects.filter(personal_id__in=ids, is_active=True, household__commune=commune)
        .select_related("household")
        .order_by("id")
        .first()
        if ids
        else None
    )
    household = known.household if known else None
    joined_app = _open_application_for([declarant_id, *ids], commune.pk)
    if joined_app is None and household is not None:
        joined_app = (
            Application.objects.filter(household=household, status__in=OPEN_STATUSES).order_by("id").first()
        )
    joined_to = (
        PortalApplication.objects.filter(application=joined_app, joined_to__isnull=True)
        .exclude(pk=submission.pk)
        .order_by("id")
        .first()
        if joined_app
        else None
    )
    application = joined_app
    record = None
    if application is None:
        member_inputs = None
        if household is None:
            active = Member.objects.filter(personal_id__in=ids, is_active=True)
            taken = {p for p in active.values_list("personal_id", flat=True) if p}
            member_inputs = [_member_input(m, taken) for m in members]
        application = reviews.application_receive(
            actor=None,
            commune=commune,
            kind=Application.Kind.REVIEW,
            applicant_name=submission.declarant_name,
            received_on=received_on,
            household=household,
            personal_id=declarant_id,
            reason=str(declared.get("reason") or ""),
            channel=submission.channel,
            village=submission.village,
            address=str(declared.get("address") or ""),
            members=member_inputs,
            facts={**living, "income_per_capita": submission.income_per_capita}
            | ({"phone": submission.phone} if submission.phone else {}),
        )
        if application.household is not None:
            record = _record_declared(
                application.household,
                living=living,
                members=members,
                income_per_capita=submission.income_per_capita,
                observed_on=received_on,
                new=household is None,
            )
            if household is None:  # new people: checked against the population data by the worker
                linkage.members_match_enqueue(
                    actor=None,
                    member_ids=application.household.members.values_list("pk", flat=True),
                    source="portal",
                )
    submission.application = application
    submission.joined_to = joined_to if joined_app is not None else None
    submission.matched_existing = household is not None
    submission.facts_record = record
    submission.processed_at = timezone.now()
    submission.process_error = ""
    submission.save(
        update_fields=[
            "application",
            "joined_to",
            "matched_existing",
            "facts_record",
            "processed_at",
            "process_error",
            "updated_at",
        ]
    )
    if submission.phone:  # through the configured gateway, once the work has committed
        text = _(
            "%(commune)s đã tiếp nhận hồ sơ %(code)s. Mã PIN: %(pin)s. Tra cứu tại trang /dang-ky/tra-cuu/."
        ) % {
            "commune": commune.name,
            "code": submission.tracking_code,
            "pin": _pin_for(submission.client_key),
        }
        phone = submission.phone
        transaction.on_commit(lambda: notify(phone=phone, text=text))
    audit_write(
        actor=None,
        action="capture.portal_process",
        obj=submission,
        after={
            "application": application.pk,
            "joined": joined_app is not None,
            "matched_existing": household is not None,
        },
        household_code=application.household.code if application.household else "",
        personal_id=declarant_id,
        area_code=commune.code,
    )


def _open_application_for(personal_ids: list[str], commune_pk: int) -> Application | None:
    """An open application of this commune made by one of these people."""
    return (
        Application.objects.filter(
            commune_id=commune_pk, status__in=OPEN_STATUSES, personal_id__in=personal_ids
        )
        .order_by("id")
        .first()
    )


def _record_declared(
    household: Household,
    *,
    living: dict[str, Any],
    members: list[dict[str, Any]],
    income_per_capita: int,
    observed_on: dt.date,
    new: bool,
) -> FactRecord:
    """The declared facts as a dated record of the household (source: the portal). For a household the
    registry already has, the declaration is laid over its facts of record (members matched by ID
    number); nothing of record changes until a round's decision applies a survey."""
    household_facts: dict[str, Any] = {}
    member_facts: dict[int, dict[str, Any]] = {}
    if not new:
        household_facts = {**living, "income_per_capita": income_per_capita}
        ids = [m["personal_id"] for m in members if m.get("personal_id")]
        by_id = dict(
            household.members.filter(is_active=True, personal_id__in=ids).values_list("personal_id", "pk")
        )
        for m in members:
            pk = by_id.get(m.get("personal_id"))
            if pk is not None:
                member_facts[pk] = {k: m[k] for k in MEMBER_SURVEY_FACTS if m.get(k) is not None}
    return facts_record(
        actor=None,
        household=household,
        source=FactRecord.Source.PORTAL,
        observed_on=observed_on,
        household_facts=household_facts,
        member_facts=member_facts,
        source_ref="Người dân tự khai trên cổng đăng ký",
    )


def _member_input(m: dict[str, Any], taken: set[str]) -> MemberInput:
    facts: dict[str, Any] = {
        k: m[k]
        for k in (
            "in_school",
            "education_level",
            "has_qualification",
            "health_insurance",
            "disability",
            "employment",
        )
        if k in m and m[k] is not None
    }
    pid = m.get("personal_id")
    return MemberInput(
        full_name=m["full_name"],
        date_of_birth=m["date_of_birth"],
        sex=m["sex"],
        relation_to_head=m["relation_to_head"],
        # an ID already on a household of another commune is kept on the submission for the
        # officer to resolve (the person may have moved), not put on a second membership
        personal_id=pid if pid and pid not in taken and prefix_kind(pid) != "unknown" else None,
        facts=facts,
    )


# --- status ---------------------------------------------------------------------------------------

STATUS_LABELS = {
    "received": "Đã tiếp nhận",
    "joined": "Đã tiếp nhận (gộp vào hồ sơ đang xử lý của hộ)",
    "verifying": "Đang xác minh (rà soát, Phiếu A, Phiếu B)",
    "meeting": "Đang đưa ra họp dân ở thôn",
    "posted": "Đang niêm yết công khai kết quả",
    "decided": "Đã có quyết định",
    "refused": "Không được công nhận (có văn bản trả lời)",
}
_STEP = {
    RoundState.LISTING: "verifying",
    RoundState.SURVEY: "verifying",
    RoundState.MEETING: "meeting",
    RoundState.POSTING: "posted",
    RoundState.COMPLAINTS: "posted",
    RoundState.DECISION: "posted",
}


def _lookup_failures(address_hash: str) -> int:
    since = timezone.now() - _window()
    return PortalLookup.objects.filter(address_hash=address_hash, ok=False, at__gte=since).count()


def portal_find(*, code: str, pin: str, address: str) -> PortalApplication:
    """The submission for code + PIN; every try is logged, and too many wrong tries from one
    address are refused for a while. A wrong code and a wrong PIN look the same."""
    address_hash = keyed_hash(f"addr:{address}")
    limit = int(_setting("PORTAL_LOOKUP_FAILURES_PER_ADDRESS", 10))
    if _lookup_failures(address_hash) >= limit:
        raise ValidationError(_("Nhập sai quá nhiều lần. Vui lòng thử lại sau."), code="rate_limited")
    code = str(code or "").strip().upper().replace(" ", "")
    if len(code) == 8:
        code = f"{code[:4]}-{code[4:]}"
    pin = str(pin or "").strip()
    submission = (
        PortalApplication.objects.filter(tracking_code=code[:12]).select_related("application").first()
        if code
        else None
    )
    # a 6-digit PIN must not be guessable from many addresses: wrong PINs against one code are
    # counted too (issue 8, item 3 on the portal); the refusal reads like the per-address one
    per_code = int(_setting("PORTAL_LOOKUP_FAILURES_PER_CODE", 20))
    if (
        submission is not None
        and PortalLookup.objects.filter(
            submission=submission, ok=False, at__gte=timezone.now() - _window()
        ).count()
        >= per_code
    ):
        PortalLookup.objects.create(address_hash=address_hash, submission=submission, ok=False)
        raise ValidationError(_("Nhập sai quá nhiều lần. Vui lòng thử lại sau."), code="rate_limited")
    ok = submission is not None and hmac.compare_digest(
        submission.pin_hash, _pin_hash(submission.tracking_code, pin)
    )
    PortalLookup.objects.create(address_hash=address_hash, submission=submission, ok=ok)
    if not ok:
        raise NotFound(_("Mã hồ sơ hoặc mã PIN không đúng."))
    assert submission is not None
    return submission


def _entry(application: Application | None) -> RoundEntry | None:
    if application is None:
        return None
    return (
        RoundEntry.objects.filter(application=application)
        .exclude(round__state=RoundState.CANCELLED)
        .select_related("round", "round__decision")
        .order_by("-round_id")
        .first()
    )


def portal_status(*, submission: PortalApplication) -> dict[str, Any]:
    """What the holder of code + PIN may see: this application's step, and when decided the
    decision number and class, when refused the reason. Nothing about anyone else. Logged."""
    audit_read(
        actor=None,
        action="capture.portal_status_view",
        fields=["status"],
        object_type="capture.portalapplication",
        object_id=str(submission.pk),
        area_code=submission.commune.code,
    )
    out: dict[str, Any] = {
        "tracking_code": submission.tracking_code,
        "submitted_on": timezone.localtime(submission.created_at).date().isoformat(),
        "commune": submission.commune.name,
        "self_assessment": submission.self_result,
        "decision_number": None,
        "decision_date": None,
        "classification": None,
        "classification_vi": None,
        "refusal_reason": None,
        "can_complain": False,
        "can_request_exit": False,
    }
    if submission.joined_to_id is not None:
        # joined to an application or household the commune already has: the holder of this code
        # sees "received" like anyone else. Saying "joined" (or following the other application)
        # would tell an anonymous sender that an ID number is known in this commune (issue 8, the
        # personal-ID oracle); the commune sees the join on its applications list.
        return {**out, "status": "received", "status_vi": STATUS_LABELS["received"]}
    application = submission.application
    entry = _entry(application)
    status = "received"
    if application is not None and application.status == Application.Status.REFUSED:
        status = "refused"
        out["refusal_reason"] = application.refusal_reason
    elif application is not None and application.status == Application.Status.ACCEPTED and entry is not None:
        status = "decided"
        decision = getattr(entry.round, "decision", None)
        if decision is not None:
            out["decision_number"] = decision.number
            out["decision_date"] = decision.signed_on.isoformat()
            out["decision_date_vi"] = f"{decision.signed_on:%d/%m/%Y}"
        out["classification"] = entry.final_class
        out["classification_vi"] = dict(_class_names()).get(entry.final_class, "")
        out["can_request_exit"] = entry.final_class in ("poor", "near_poor")
    elif entry is not None:
        status = _STEP.get(RoundState(entry.round.state), "verifying")
        out["can_complain"] = entry.round.state in (RoundState.POSTING, RoundState.COMPLAINTS)
    return {**out, "status": status, "status_vi": STATUS_LABELS[status]}


def _class_names() -> list[tuple[str, str]]:
    from hongheo.reviews.models import CLASS_CHOICES

    return [(k, str(v)) for k, v in CLASS_CHOICES]


# --- complaint, exit ------------------------------------------------------------------------------


def _content(text: Any, label: str) -> str:
    content = str(text or "").strip()
    if not content:
        raise ValidationError(
            _("Nhập nội dung %(label)s.") % {"label": label}, details={"fields": {"content": _("Bắt buộc.")}}
        )
    if len(content) > MAX_TEXT:
        raise ValidationError(
            _("Nội dung quá dài (tối đa %(MAX_TEXT)s ký tự).") % {"MAX_TEXT": MAX_TEXT},
            details={"fields": {"content": _("Quá dài.")}},
        )
    return content


@transaction.atomic
def portal_complain(
    *, submission: PortalApplication, content: str, today: dt.date | None = None
) -> Complaint:
    """A complaint about this application's posted result, while the posting is open."""
    text = _content(content, _("khiếu nại"))
    entry = _entry(submission.application) if submission.joined_to_id is None else None
    if entry is None or entry.round.state not in (RoundState.POSTING, RoundState.COMPLAINTS):
        raise Conflict(_("Chỉ gửi khiếu nại khi kết quả đang niêm yết công khai."))
    complaint = reviews.complaint_receive(
        actor=None,
        review_round=entry.round,
        entry=entry,
        complainant=submission.declarant_name,
        content=text,
        on=today or timezone.localdate(),
    )
    PortalFollowUp.objects.create(
        submission=submission, kind=PortalFollowUp.Kind.COMPLAINT, content=text, complaint=complaint
    )
    audit_write(
        actor=None,
        action="capture.portal_complain",
        obj=submission,
        after={"complaint": complaint.pk},
        area_code=submission.commune.code,
    )
    return complaint


@transaction.atomic
def portal_request_exit(
    *, submission: PortalApplication, content: str, today: dt.date | None = None
) -> Application:
    """Mẫu 04 for the household of this application, once it is on the poor / near-poor list."""
    text = _content(content, _("đề nghị"))
    application = (
        Application.objects.select_related("household").filter(pk=submission.application_id).first()
        if submission.application_id
        else None
    )
    if submission.joined_to_id is not None or application is None or application.household is None:
        raise Conflict(_("Hồ sơ này chưa gắn với hộ nào."))
    if application.status != Application.Status.ACCEPTED:
        raise Conflict(_("Chỉ đề nghị thoát nghèo khi hộ đã có quyết định công nhận."))
    if Application.objects.filter(
        household=application.household, kind=Application.Kind.EXIT, status__in=OPEN_STATUSES
    ).exists():
        raise Conflict(_("Hộ đã có đề nghị thoát nghèo đang được xử lý."))
    exit_app = reviews.application_receive(
        actor=None,
        commune=submission.commune,
        kind=Application.Kind.EXIT,
        applicant_name=submission.declarant_name,
        received_on=today or timezone.localdate(),
        household=application.household,
        personal_id=submission.declarant_personal_id,
        reason=text,
        channel=application.channel,
    )
    PortalFollowUp.objects.create(
        submission=submission, kind=PortalFollowUp.Kind.EXIT, content=text, application=exit_app
    )
    audit_write(
        actor=None,
        action="capture.portal_request_exit",
        obj=submission,
        after={"application": exit_app.pk},
        area_code=submission.commune.code,
    )
    return exit_app
