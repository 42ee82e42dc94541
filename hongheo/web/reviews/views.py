"""Pages of the review procedure (rà soát): the round board, the entry list, Phiếu A / Phiếu B,
community meetings and their minutes, posting, complaints, applications, the chairman's decision,
certificates with their public verification page, and the province's overview.

Thin, like every view: parse, authorise through the gate (``hongheo.reviews.selectors`` builds on
``hongheo.registry.access``), call a service, render. Out-of-scope objects are "not found";
a role that may see an object but not use a page gets 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from hongheo.capture.portal.selectors import self_assessments_for
from hongheo.core.audit import audit_read
from hongheo.core.errors import BadInput, Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from hongheo.core.inputs import parse_date
from hongheo.core.text import natural_key
from hongheo.fieldwork import selectors as field_selectors
from hongheo.fieldwork import services as field_services
from hongheo.geography.models import Area
from hongheo.registry.access import access_household_by_code
from hongheo.registry.models import SENSITIVE_HOUSEHOLD_FIELDS
from hongheo.registry.selectors import household_sensitive_read
from hongheo.registry.services import MemberInput
from hongheo.reviews import documents, procedure, selectors, services
from hongheo.reviews.models import (
    Application,
    Certificate,
    CommunityMeeting,
    Complaint,
    Decision,
    PublicPosting,
    ReviewRound,
)
from hongheo.reviews.workflow import (
    SEND_BACK_ACTIONS,
    STATE_LABELS_VI,
    EntryState,
    RoundState,
    TransitionError,
    transition,
    transitions_from,
)
from hongheo.users.access import user_covers_area
from hongheo.web.areas import with_display_names
from hongheo.web.i18n_data import display
from hongheo.web.templatetags.hongheo import round_title

from ..errors import domain_errors
from ..linkage.links import population_links
from .forms import (
    ApplicationForm,
    ComplaintForm,
    DecisionForm,
    MeetingForm,
    PostingForm,
    RefusalForm,
    ResolveForm,
    RoundOpenForm,
    ScreeningForm,
)
from .survey_form import SurveyForm

OFFICER = {"commune_officer"}
CHAIRMAN = {"commune_chairman"}
FIELD = {"commune_officer", "surveyor", "village_head"}
MEETING = {"commune_officer", "village_head"}
COMMUNE_STAFF = {"commune_officer", "commune_chairman", "surveyor", "village_head"}
DECISION_READERS = {"commune_officer", "commune_chairman"}
PROVINCE = {"province_officer", "central_analyst", "administrator"}
PAGE_SIZE = 50


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _need(request: HttpRequest, roles: set[str]) -> None:
    if _role(request) not in roles:
        raise PermissionDenied(_("Vai trò của bạn không dùng được chức năng này."))


def _today() -> dt.date:
    return timezone.localdate()


def _fail(form: Any, exc: DomainError) -> None:
    """A service refused the input: show its Vietnamese message on the form (nothing changed)."""
    form.add_error(None, exc.message)


def _pdf(content: bytes | Any, filename: str) -> HttpResponseBase:
    if isinstance(content, bytes | bytearray):
        response: HttpResponseBase = HttpResponse(bytes(content), content_type="application/pdf")
    else:
        response = FileResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the round board ------------------------------------------------------------------------------


def _commune_for(request: HttpRequest, code: str | None) -> Area:
    communes = selectors.communes_for_user(request.user)
    commune = communes.filter(code=code).first() if code else communes.first()
    if commune is None:
        raise NotFound(_("Không tìm thấy xã/phường."))
    return commune


def _round_summary(request: HttpRequest, review_round: ReviewRound) -> dict[str, Any]:
    # An aggregate-only user (central analyst without a personal-data grant) sees the round's
    # step, deadline and counts, never its households, votes or documents.
    personal = selectors.user_reads_round_personal_data(request.user, review_round)
    entries = (
        selectors.entries_for_user(request.user, review_round)
        if personal
        else selectors.entries_for_counting(request.user, review_round)
    )
    role = _role(request)
    actions = [
        t
        for t in transitions_from(RoundState(review_round.state), role)
        if t.action != "decide" and t.action not in SEND_BACK_ACTIONS.values()
    ]
    can_decide = role in CHAIRMAN and review_round.state == RoundState.DECISION
    meetings = list(review_round.meetings.select_related("village").order_by("-held_on", "-id"))
    return {
        "personal": personal,
        "round": review_round,
        "deadline": selectors.step_deadline(review_round, today=_today()),
        "progress": selectors.round_progress(entries),
        "steps": [(s, STATE_LABELS_VI[s]) for s in RoundState],
        "actions": actions,
        "can_decide": can_decide,
        "meetings": meetings,
        "role": role,
        "is_officer": role in OFFICER,
        "is_field": role in FIELD,
        "is_meeting": role in MEETING,
        "can_read_decision": role in DECISION_READERS,
    }


@login_required
@domain_errors
def board_view(request: HttpRequest) -> HttpResponse:
    if _role(request) in PROVINCE:
        return redirect("web:review_province")
    _need(request, COMMUNE_STAFF)
    commune = _commune_for(request, request.GET.get("xa"))
    return _render_board(request, commune, RoundOpenForm(initial={"kind": "yearly", "year": _today().year}))


def _render_board(
    request: HttpRequest, commune: Area, form: RoundOpenForm, status: int = 200
) -> HttpResponse:
    rounds = list(selectors.round_qs_for_user(request.user).filter(commune=commune))
    open_round = next((r for r in rounds if r.state != RoundState.CLOSED), None)
    context: dict[str, Any] = {
        "commune": commune,
        "communes": selectors.communes_for_user(request.user),
        "rounds": rounds,
        "open_round": open_round,
        "form": form,
        "can_open": _role(request) in OFFICER and open_round is None,
        "can_applications": _role(request) in DECISION_READERS,
        # applications without an outcome yet (received or in review): none may be forgotten
        "pending_applications": list(
            Application.objects.filter(
                commune=commune, status__in=(Application.Status.RECEIVED, Application.Status.IN_REVIEW)
            )
            .select_related("household")
            .order_by("received_on", "id")[:PAGE_SIZE]
        ),
    }
    if open_round is not None:
        context.update(_round_summary(request, open_round))
    return render(request, "web/reviews/board.html", context, status=status)


@login_required
@require_POST
@domain_errors
def round_open_view(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune_for(request, code)
    _need(request, OFFICER)
    form = RoundOpenForm(request.POST)
    if form.is_valid():
        try:
            review_round = services.round_open(
                actor=request.user,
                commune=commune,
                kind=form.cleaned_data["kind"],
                year=form.cleaned_data["year"],
                month=form.cleaned_data.get("month"),
            )
        except (ValidationError, Conflict) as exc:
            _fail(form, exc)
        else:
            messages.success(
                request,
                _("Đã mở %(review_round)s: %(count)s hộ trong danh sách.")
                % {
                    "review_round": strip_tags(round_title(review_round)),
                    "count": review_round.entries.count(),
                },
            )
            return redirect("web:review_round", pk=review_round.pk)
    return _render_board(request, commune, form, status=422)


@login_required
@domain_errors
def round_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    # the round board counts: open to aggregate-only users too (no household on it)
    review_round = selectors.round_get_for_user(request.user, pk, personal=False)
    context = _round_summary(request, review_round)
    context["villages"] = Area.objects.filter(parent=review_round.commune, level=Area.Level.VILLAGE).order_by(
        "name"
    )
    return render(request, "web/reviews/round.html", context)


@login_required
@require_POST
@domain_errors
def round_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the procedure, after a confirmation page that says what will happen."""
    review_round = selectors.round_get_for_user(request.user, pk)
    action = request.POST.get("action", "")
    step = next((t for t in transitions_from(RoundState(review_round.state)) if t.action == action), None)
    if step is None:
        messages.error(request, _("Bước này không thực hiện được ở trạng thái hiện tại của đợt rà soát."))
        return redirect("web:review_round", pk=review_round.pk)
    try:
        transition(review_round.state, action, str(getattr(request.user, "role", "")))
    except TransitionError as exc:
        raise PermissionDenied(str(exc))
    early = services.posting_end_is_early(review_round)
    if request.POST.get("confirm") != "1":
        consequences = [
            _("Đợt rà soát chuyển từ bước “%(source)s” sang bước “%(target)s”.")
            % {
                "source": display(STATE_LABELS_VI[RoundState(review_round.state)]),
                "target": display(STATE_LABELS_VI[step.target]),
            },
            *(_(line) for line in ADVANCE_CONSEQUENCES.get(action, [])),
        ]
        if early is not None:
            consequences.append(
                _(
                    "Niêm yết công khai kéo dài đến hết ngày %(date)s: "
                    "kết thúc sớm phải ghi lý do (được lưu vào nhật ký)."
                )
                % {"date": f"{early.posted_to:%d/%m/%Y}"}
            )
        return render(
            request,
            "web/reviews/confirm.html",
            {
                "round": review_round,
                "title": display(step.label_vi),
                "consequences": consequences,
                "action_url": reverse("web:review_round_advance", args=[review_round.pk]),
                "hidden": [("action", action)],
                "button": _("Xác nhận: %(step)s") % {"step": display(step.label_vi)},
                "reason_label": _("Lý do kết thúc niêm yết sớm") if early is not None else "",
                "reason_name": "override_reason",
                "reason_required": early is not None,
            },
        )
    try:
        review_round = services.round_advance(
            actor=request.user,
            review_round=review_round,
            action=action,
            override_reason=request.POST.get("override_reason", ""),
        )
    except (ValidationError, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đợt rà soát chuyển sang bước: %(state)s.") % {"state": review_round.get_state_display()},
        )
    return redirect("web:review_round", pk=review_round.pk)


ADVANCE_CONSEQUENCES = {  # translated where shown
    "start_survey": [
        gettext_noop("Danh sách hộ rà soát (Phụ lục I) được chốt: không thêm hộ vào đợt này nữa.")
    ],
    "start_meetings": [gettext_noop("Phiếu B của mọi hộ không còn sửa được; kết quả được đưa ra họp dân.")],
    "start_posting": [gettext_noop("Kết quả họp dân được chốt để niêm yết công khai.")],
    "end_posting": [gettext_noop("Kết thúc niêm yết; chỉ còn xử lý khiếu nại, phúc tra.")],
    "submit_for_decision": [gettext_noop("Danh sách được trình Chủ tịch UBND xã ký quyết định công nhận.")],
    "reopen_survey": [gettext_noop("Các hộ có dưới 50% người dự họp đồng ý quay lại bước Phiếu B.")],
    "return_for_recheck": [gettext_noop("Danh sách được trả lại cho cán bộ để phúc tra.")],
}


@login_required
@require_POST
@domain_errors
def round_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a round opened by mistake (with reason), after confirmation."""
    review_round = selectors.round_get_for_user(request.user, pk)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "web/reviews/confirm.html",
            {
                "round": review_round,
                "title": _("Hủy đợt rà soát mở nhầm"),
                "consequences": [
                    _("Đợt rà soát bị hủy; mọi phiếu, biên bản đã ghi được giữ lại để tra cứu."),
                    _("Các giấy đề nghị đang rà soát trong đợt này trở lại chờ đợt sau."),
                    _("Chỉ hủy được khi đợt chưa có quyết định công nhận."),
                ],
                "action_url": reverse("web:review_round_cancel", args=[review_round.pk]),
                "hidden": [],
                "button": _("Xác nhận hủy đợt rà soát"),
                "reason_label": _("Lý do hủy"),
                "reason_name": "reason",
                "reason_required": True,
            },
        )
    try:
        services.round_cancel(
            actor=request.user, review_round=review_round, reason=request.POST.get("reason", "")
        )
    except (ValidationError, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã hủy đợt rà soát."))
    return redirect("web:review_round", pk=review_round.pk)


# --- entries, Phiếu A, Phiếu B ---------------------------------------------------------------------


@login_required
@domain_errors
def entries_view(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.round_get_for_user(request.user, pk)
    query = request.GET.get("q", "")
    state = request.GET.get("buoc", "")
    qs = selectors.entries_search(selectors.entries_for_user(request.user, review_round), query)
    if state in {s.value for s in EntryState}:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "web/reviews/entries.html",
        {
            "round": review_round,
            "page": page,
            "query": query,
            "state": state,
            "states": selectors.ENTRY_STATE_LABELS_VI.items(),
            "state_labels": {k.value: v for k, v in selectors.ENTRY_STATE_LABELS_VI.items()},
            "is_field": _role(request) in FIELD,
            "can_screen": review_round.state in (RoundState.LISTING, RoundState.SURVEY),
            "can_survey": review_round.state == RoundState.SURVEY,
        },
    )


@login_required
@domain_errors
def screening_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    review_round = selectors.round_get_for_user(request.user, pk)
    entry = selectors.entry_get_for_user(request.user, review_round, entry_pk)
    _need(request, FIELD)
    initial = {}
    if entry.screening_excluded is not None:
        initial = {
            "excluded": "1" if entry.screening_excluded else "0",
            "reasons": "\n".join(entry.screening_reasons),
        }
    form = ScreeningForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.screening_record(
                    actor=request.user,
                    entry=entry,
                    excluded=form.cleaned_data["excluded"],
                    reasons=form.reason_list(),
                )
            except (ValidationError, Conflict) as exc:
                _fail(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi Phiếu A của hộ %(code)s.") % {"code": entry.household.code}
                )
                return redirect(reverse("web:review_entries", args=[review_round.pk]))
    return render(
        request,
        "web/reviews/screening.html",
        {"round": review_round, "entry": entry, "form": form},
        status=status,
    )


@login_required
@domain_errors
def survey_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Phiếu B on the web, generated from the one questionnaire; it goes through the same
    submission service (and the same validation) as the field app and ODK Collect."""
    review_round = selectors.round_get_for_user(request.user, pk)
    entry = selectors.entry_get_for_user(request.user, review_round, entry_pk)
    _need(request, FIELD)
    previous = field_selectors.last_answers(entry)
    form = SurveyForm(
        request.POST or None,
        request.FILES or None,
        household=entry.household,
        recorded=entry.facts_record,
        previous=previous,
    )
    # Once the survey step is past (or the household moved on to the meeting) the Phiếu B is read-only.
    editable = review_round.state == RoundState.SURVEY and entry.state in (
        EntryState.LISTED,
        EntryState.SURVEYED,
    )
    status = 200
    if request.method == "POST" and not editable:
        raise Conflict(_("Bước Phiếu B đã qua: phiếu chỉ còn để xem."))
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                outcome = field_services.submission_receive_with_photos(
                    actor=request.user,
                    channel="web",
                    client_id=form.cleaned_data["submission_id"],
                    form_id=form.definition.form_id,
                    form_version=form.definition.version,
                    household_id=entry.household.pk,
                    answers=form.answers(),
                    photos={name: f.read() for name, f in form.photos().items()},
                )
            except (ValidationError, Conflict, NotFound) as exc:
                form.add_service_errors(exc.details.get("fields") or {})
                if not exc.details.get("fields"):
                    _fail(form, exc)
            else:
                entry.refresh_from_db()
                if outcome.status == "conflict":
                    messages.warning(
                        request,
                        _("Hộ %(code)s đã thay đổi: phiếu được giữ để xử lý xung đột.")
                        % {"code": entry.household.code},
                    )
                else:
                    code, result = entry.household.code, entry.get_proposed_class_display()
                    messages.success(
                        request,
                        _("Đã ghi Phiếu B của hộ %(code)s: %(result)s.") % {"code": code, "result": result},
                    )
                return redirect(reverse("web:review_entries", args=[review_round.pk]))
    household_sensitive_read(  # Phiếu B shows income and the household's facts
        user=request.user,
        household=entry.household,
        action="reviews.survey_view",
        fields=SENSITIVE_HOUSEHOLD_FIELDS,
    )
    return render(
        request,
        "web/reviews/survey.html",
        {"round": review_round, "entry": entry, "form": form, "editable": editable},
        status=status,
    )


# --- community meeting ------------------------------------------------------------------------------


NO_VILLAGE = "xa"


def _meeting_village(review_round: ReviewRound, code: str) -> Area | None:
    if code == NO_VILLAGE:
        return None
    village = Area.objects.filter(parent=review_round.commune, level=Area.Level.VILLAGE, code=code).first()
    if village is None:
        raise NotFound(_("Không tìm thấy thôn/tổ dân phố."))
    return village


@login_required
@domain_errors
def meeting_view(request: HttpRequest, pk: int, village_code: str) -> HttpResponse:
    review_round = selectors.round_get_for_user(request.user, pk)
    village = _meeting_village(review_round, village_code)
    if not user_covers_area(request.user, village or review_round.commune):
        raise NotFound(_("Không tìm thấy thôn/tổ dân phố."))
    _need(request, MEETING)
    entries_qs = selectors.entries_for_user(request.user, review_round)
    entries_qs = (
        entries_qs.filter(household__village=village)
        if village
        else entries_qs.filter(household__village=None)
    )
    candidates = list(
        entries_qs.filter(state__in=[EntryState.SURVEYED, EntryState.AGREED, EntryState.DISAGREED])
    )
    form = MeetingForm(request.POST or None, initial={"held_on": _today()})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            votes, errors = form.votes(request.POST, [e.pk for e in candidates])
            for e in errors:
                form.add_error(None, e)
            if not errors:
                try:
                    meeting = services.meeting_record(
                        actor=request.user,
                        review_round=review_round,
                        village=village,
                        votes=votes,
                        **form.cleaned_data,
                    )
                except (ValidationError, Conflict) as exc:
                    _fail(form, exc)
                else:
                    services.meeting_minutes_attach(
                        actor=request.user, meeting=meeting, content=documents.minutes_pdf(meeting)
                    )
                    messages.success(
                        request,
                        _("Đã ghi biên bản họp dân ngày %(held_on)s.")
                        % {"held_on": format(meeting.held_on, "%d/%m/%Y")},
                    )
                    return redirect("web:review_meeting", pk=review_round.pk, village_code=village_code)
    meetings = (
        CommunityMeeting.objects.filter(round=review_round, village=village)
        .select_related("superseded_by")
        .order_by("-held_on", "-id")
    )
    share = float(procedure.value("meeting_agreement_share"))
    return render(
        request,
        "web/reviews/meeting.html",
        {
            "round": review_round,
            "village": village,
            "village_code": village_code,
            "rows": [(e, request.POST.get(f"agree_{e.pk}", "")) for e in candidates],
            "form": form,
            "meetings": meetings,
            "share_percent": round(share * 100),
            "can_record": review_round.state == RoundState.MEETING,
        },
        status=status,
    )


@login_required
@domain_errors
def minutes_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    meeting = CommunityMeeting.objects.select_related("round", "village").filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("Không tìm thấy biên bản."))
    with _as_missing(_("Không tìm thấy biên bản.")):
        selectors.round_get_for_user(request.user, meeting.round_id)
        if not user_covers_area(request.user, meeting.village or meeting.round.commune):
            raise NotFound(_("Không tìm thấy biên bản."))
    _need(request, MEETING | CHAIRMAN)
    filename = f"bien-ban-hop-dan-{meeting.pk}.pdf"
    if meeting.minutes_pdf:
        return _pdf(meeting.minutes_pdf.open("rb"), filename)
    return _pdf(documents.minutes_pdf(meeting), filename)


# --- posting -------------------------------------------------------------------------------------------


@login_required
@domain_errors
def posting_view(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.round_get_for_user(request.user, pk)
    _need(request, OFFICER)
    form = PostingForm(request.POST or None, request.FILES or None, initial={"posted_from": _today()})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                posting = services.posting_record(
                    actor=request.user,
                    review_round=review_round,
                    posted_from=form.cleaned_data["posted_from"],
                    places=form.cleaned_data["places"],
                    proof_note=form.cleaned_data["proof_note"],
                    proof=form.cleaned_data.get("proof"),
                )
            except (ValidationError, Conflict) as exc:
                _fail(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ghi nhận niêm yết từ %(posted_from)s đến %(posted_to)s.")
                    % {
                        "posted_from": format(posting.posted_from, "%d/%m/%Y"),
                        "posted_to": format(posting.posted_to, "%d/%m/%Y"),
                    },
                )
                return redirect("web:review_posting", pk=review_round.pk)
    return render(
        request,
        "web/reviews/posting.html",
        {
            "round": review_round,
            "form": form,
            "postings": review_round.postings.order_by("-posted_from", "-id"),
            "note": selectors.posting_note(),
            "villages": sorted(
                Area.objects.filter(parent=review_round.commune, level=Area.Level.VILLAGE),
                key=lambda v: natural_key(v.name),
            ),
            "can_record": review_round.state == RoundState.POSTING,
        },
        status=status,
    )


@login_required
@require_GET
def posting_end_view(request: HttpRequest) -> JsonResponse:
    """The end of a posting that starts on ``?tu=YYYY-MM-DD`` (the same rule as the service)."""
    try:
        start = parse_date(request.GET.get("tu", ""), dt.date.min)
        if start == dt.date.min:
            raise BadInput(_("Ngày không hợp lệ."))
        end = procedure.posting_end(start)
    except (BadInput, OverflowError) as exc:
        return JsonResponse({"error": str(getattr(exc, "message", _("Ngày không hợp lệ.")))}, status=400)
    return JsonResponse({"from": start.isoformat(), "to": end.isoformat(), "to_vi": f"{end:%d/%m/%Y}"})


@login_required
@domain_errors
def posting_proof_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    posting = PublicPosting.objects.filter(pk=pk).first()
    if posting is None or not posting.proof:
        raise NotFound(_("Không tìm thấy minh chứng."))
    with _as_missing(_("Không tìm thấy minh chứng.")):
        selectors.round_get_for_user(request.user, posting.round_id)
    _need(request, DECISION_READERS)
    name = posting.proof.name.rsplit("/", 1)[-1]
    return FileResponse(posting.proof.open("rb"), as_attachment=True, filename=name)


# --- complaints ---------------------------------------------------------------------------------------


@login_required
@domain_errors
def complaints_view(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.round_get_for_user(request.user, pk)
    _need(request, OFFICER)
    entries = list(
        selectors.entries_for_user(request.user, review_round).exclude(state=EntryState.SCREENED_OUT)
    )
    form = ComplaintForm(request.POST or None, entries=entries, initial={"received_on": _today()})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            entry_pk = form.cleaned_data["entry"]
            entry = next((e for e in entries if e.pk == entry_pk), None) if entry_pk else None
            try:
                services.complaint_receive(
                    actor=request.user,
                    review_round=review_round,
                    entry=entry,
                    complainant=form.cleaned_data["complainant"],
                    content=form.cleaned_data["content"],
                    on=form.cleaned_data["received_on"],
                )
            except (ValidationError, Conflict) as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("Đã tiếp nhận khiếu nại."))
                return redirect("web:review_complaints", pk=review_round.pk)
    return _render_complaints(request, review_round, form, status=status)


def _render_complaints(
    request: HttpRequest,
    review_round: ReviewRound,
    form: ComplaintForm | None,
    *,
    status: int = 200,
    resolve_forms: dict[int, ResolveForm] | None = None,
) -> HttpResponse:
    if form is None:
        entries = list(
            selectors.entries_for_user(request.user, review_round).exclude(state=EntryState.SCREENED_OUT)
        )
        form = ComplaintForm(entries=entries, initial={"received_on": _today()})
    complaints = list(selectors.complaints_for_round(review_round))
    resolve_forms = resolve_forms or {}
    rows = [
        (c, resolve_forms.get(c.pk) or ResolveForm(initial={"on": _today()}, prefix=f"c{c.pk}"))
        for c in complaints
    ]
    return render(
        request,
        "web/reviews/complaints.html",
        {
            "round": review_round,
            "form": form,
            "rows": rows,
            "can_receive": review_round.state in (RoundState.POSTING, RoundState.COMPLAINTS),
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def complaint_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = Complaint.objects.select_related("round", "entry", "entry__household").filter(pk=pk).first()
    if complaint is None:
        raise NotFound(_("Không tìm thấy khiếu nại."))
    with _as_missing(_("Không tìm thấy khiếu nại.")):
        review_round = selectors.round_get_for_user(request.user, complaint.round_id)
        if complaint.entry is not None:
            selectors.entry_get_for_user(request.user, review_round, complaint.entry_id)  # type: ignore[arg-type]
    _need(request, OFFICER)
    form = ResolveForm(request.POST, prefix=f"c{complaint.pk}")
    if form.is_valid():
        try:
            services.complaint_resolve(
                actor=request.user,
                complaint=complaint,
                recheck_note=form.cleaned_data["recheck_note"],
                new_class=form.cleaned_data["new_class"] or None,
                on=form.cleaned_data["on"],
            )
        except (ValidationError, Conflict) as exc:
            _fail(form, exc)
        else:
            messages.success(
                request,
                _("Đã phúc tra khiếu nại của %(complainant)s.") % {"complainant": complaint.complainant},
            )
            return redirect("web:review_complaints", pk=review_round.pk)
    return _render_complaints(request, review_round, None, status=422, resolve_forms={complaint.pk: form})


# --- applications (Mẫu 01 / Mẫu 04) and the written refusal -------------------------------------


def _application_for(request: HttpRequest, pk: int) -> Application:
    communes = selectors.communes_for_user(request.user)
    application = (
        Application.objects.select_related("commune", "commune__parent", "household")
        .filter(pk=pk, commune__in=communes)
        .first()
    )
    if application is None:
        raise NotFound(_("Không tìm thấy giấy đề nghị."))
    return application


@login_required
@domain_errors
def applications_view(request: HttpRequest) -> HttpResponse:
    _need(request, DECISION_READERS)
    commune = _commune_for(request, request.GET.get("xa") or request.POST.get("xa"))
    villages = Area.objects.filter(parent=commune, level=Area.Level.VILLAGE).order_by("name")
    form = ApplicationForm(
        request.POST or None,
        initial={"received_on": _today(), "kind": "review", "channel": "direct"},
        villages=villages,
    )
    status = 200
    if request.method == "POST":
        _need(request, OFFICER)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                household = (
                    access_household_by_code(request.user, data["household_code"].strip())
                    if data["household_code"].strip()
                    else None
                )
                members = None
                if household is None and data["kind"] == "review":
                    members = [
                        MemberInput(
                            full_name=data["applicant_name"],
                            date_of_birth=data["date_of_birth"],
                            sex=data["sex"],
                            relation_to_head="head",
                            personal_id=data["personal_id"] or None,
                        )
                    ]
                application = services.application_receive(
                    actor=request.user,
                    commune=commune,
                    kind=data["kind"],
                    applicant_name=data["applicant_name"],
                    received_on=data["received_on"],
                    household=household,
                    personal_id=data["personal_id"] or "",
                    reason=data["reason"],
                    channel=data["channel"],
                    village=villages.filter(code=data["village"]).first() if data["village"] else None,
                    address=data["address"],
                    members=members,
                )
            except NotFound:
                form.add_error("household_code", _("Không tìm thấy hộ có mã này trong địa bàn của bạn."))
            except (ValidationError, Conflict) as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("Đã tiếp nhận: %(application)s.") % {"application": application})
                return redirect(f"{reverse('web:review_applications')}?xa={commune.code}")
    applications = Application.objects.filter(commune=commune).select_related("household")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("trang"))
    assessments = self_assessments_for(a.pk for a in page)
    links = population_links(
        request,
        [
            a.household
            for a in page
            if a.household is not None
            and a.status in (Application.Status.RECEIVED, Application.Status.IN_REVIEW)
        ],
    )
    for a in page:
        a.self_assessment = assessments.get(a.pk)  # type: ignore[attr-defined]
        a.population_links = links.get(a.household_id or 0, [])  # type: ignore[attr-defined]
    return render(
        request,
        "web/reviews/applications.html",
        {
            "commune": commune,
            "form": form,
            "page": page,
            "is_officer": _role(request) in OFFICER,
            "is_chairman": _role(request) in CHAIRMAN,
            "refuse_form": RefusalForm(initial={"on": _today()}),
            "open_statuses": (Application.Status.RECEIVED, Application.Status.IN_REVIEW),
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def application_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_for(request, pk)
    _need(request, CHAIRMAN)
    form = RefusalForm(request.POST)
    target = f"{reverse('web:review_applications')}?xa={application.commune.code}"
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect(target)
    try:
        services.application_refuse(
            actor=request.user,
            application=application,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
        )
    except (ValidationError, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã trả lời bằng văn bản: %(applicant_name)s.")
            % {"applicant_name": application.applicant_name},
        )
    return redirect(target)


@login_required
@domain_errors
def refusal_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    application = _application_for(request, pk)
    _need(request, DECISION_READERS)
    if application.status != Application.Status.REFUSED:
        raise NotFound(_("Giấy đề nghị chưa có văn bản từ chối."))
    return _pdf(documents.refusal_pdf(application), f"van-ban-tra-loi-{application.pk}.pdf")


# --- decision (Mẫu 02) and certificates (Mẫu 03) -------------------------------------------------------


@login_required
@domain_errors
def decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.round_get_for_user(request.user, pk)
    _need(request, DECISION_READERS)
    entries = selectors.entries_for_user(request.user, review_round)
    form = DecisionForm(request.POST or None, initial={"signed_on": _today()})
    lists = selectors.decision_lists(entries)
    counted = {k: len(v) for k, v in lists.items()}
    listed = counted.get("poor", 0) + counted.get("near_poor", 0)
    form.fields["confirm"].label = _(
        "Tôi xác nhận ký quyết định công nhận cho %(total)s hộ (%(poor)s hộ nghèo, %(near_poor)s hộ cận "
        "nghèo) "
        "và cấp %(listed)s giấy chứng nhận; quyết định đã ký không thể sửa."
    ) % {
        "total": sum(counted.values()),
        "poor": counted.get("poor", 0),
        "near_poor": counted.get("near_poor", 0),
        "listed": listed,
    }
    status = 200
    if request.method == "POST":
        _need(request, CHAIRMAN)
        status = 422
        if form.is_valid():
            try:
                signed = services.decision_sign(
                    actor=request.user,
                    review_round=review_round,
                    number=form.cleaned_data["number"],
                    signed_on=form.cleaned_data["signed_on"],
                )
            except (ValidationError, Conflict) as exc:
                _fail(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ký %(signed)s; đã cấp %(count)s giấy chứng nhận.")
                    % {"signed": signed, "count": signed.certificates.count()},
                )
                return redirect("web:review_decision", pk=review_round.pk)
    review_round.refresh_from_db()
    changes = selectors.round_changes(review_round, entries)
    decision = Decision.objects.filter(round=review_round).first()
    certificates = (
        selectors.certificate_qs_for_user(request.user).filter(decision=decision).order_by("number")
        if decision
        else Certificate.objects.none()
    )
    return render(
        request,
        "web/reviews/decision.html",
        {
            "round": review_round,
            "changes": selectors.changes_grouped(changes),
            "change_count": len(changes),
            "lists": lists,
            "form": form,
            "can_sign": _role(request) in CHAIRMAN and review_round.state == RoundState.DECISION,
            "decision": decision,
            "certificates": certificates,
        },
        status=status,
    )


@contextmanager
def _as_missing(message: str) -> Iterator[None]:
    """ "Not yours" says exactly what "not found" says for the object asked for (issue 8)."""
    try:
        yield
    except NotFound:
        raise NotFound(message) from None


def _decision_for(request: HttpRequest, pk: int) -> Decision:
    decision = Decision.objects.select_related("round", "round__commune", "signed_by").filter(pk=pk).first()
    if decision is None:
        raise NotFound(_("Không tìm thấy quyết định."))
    with _as_missing(_("Không tìm thấy quyết định.")):
        selectors.round_get_for_user(request.user, decision.round_id)
    _need(request, DECISION_READERS)
    return decision


@login_required
@domain_errors
def decision_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    decision = _decision_for(request, pk)
    if not decision.pdf:
        decision = services.decision_pdf_attach(
            actor=request.user, decision=decision, content=documents.decision_pdf(decision)
        )
    return _pdf(decision.pdf.open("rb"), f"quyet-dinh-{decision.pk}.pdf")


def _verify_url(request: HttpRequest) -> Any:
    def build(c: Certificate) -> str:
        return request.build_absolute_uri(reverse("web:certificate_verify", args=[c.token]))

    return build


def _certificates_pdf(
    request: HttpRequest, certificates: list[Certificate], filename: str
) -> HttpResponseBase:
    for c in certificates:
        audit_read(
            actor=request.user,
            action="reviews.certificate_print",
            fields=["personal_id", "ethnicity", "members"],
            object_type="reviews.certificate",
            object_id=str(c.pk),
            household_code=c.household.code,
            area_code=c.commune.code,
        )
    return _pdf(documents.certificates_pdf(certificates, _verify_url(request)), filename)


@login_required
@domain_errors
def certificates_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    decision = _decision_for(request, pk)
    certificates = list(
        selectors.certificate_qs_for_user(request.user)
        .filter(decision=decision)
        .select_related("household__commune__parent", "household__village", "decision__signed_by")
        .order_by("number")
    )
    if not certificates:
        raise NotFound(_("Quyết định không cấp giấy chứng nhận nào."))
    return _certificates_pdf(request, certificates, f"giay-chung-nhan-qd-{decision.pk}.pdf")


@login_required
@domain_errors
def certificate_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    certificate = (
        selectors.certificate_qs_for_user(request.user)
        .select_related("household__commune__parent", "household__village", "decision__signed_by")
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise NotFound(_("Không tìm thấy giấy chứng nhận."))
    _need(request, DECISION_READERS)
    return _certificates_pdf(request, [certificate], f"giay-chung-nhan-{certificate.pk}.pdf")


@login_required
@domain_errors
@require_POST
def certificates_batch_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Print every certificate of a decision as a background job (a commune of several hundred
    households takes longer than a page request may); the job page shows progress and the file."""
    from hongheo.core.jobs import job_enqueue

    decision = _decision_for(request, pk)
    if not selectors.certificate_qs_for_user(request.user).filter(decision=decision).exists():
        raise NotFound(_("Quyết định không cấp giấy chứng nhận nào."))
    job = job_enqueue(
        actor=request.user,
        kind="reviews.certificates_batch",
        title=f"In giấy chứng nhận theo Quyết định {decision.number}",
        params={
            "user_id": request.user.pk,
            "decision_id": decision.pk,
            "verify_base": request.build_absolute_uri("/"),
        },
    )
    return redirect("web:job_detail", pk=job.pk)


@login_required
@domain_errors
def posting_list_pdf_view(request: HttpRequest, pk: int, village_code: str) -> HttpResponseBase:
    """Danh sách niêm yết of one village ("xa": the whole commune) for the notice board."""
    review_round = selectors.round_get_for_user(request.user, pk)
    _need(request, OFFICER | {"commune_chairman", "village_head"})
    village = None
    if village_code != "xa":
        village = Area.objects.filter(
            code=village_code, parent=review_round.commune, level=Area.Level.VILLAGE
        ).first()
        if village is None or not user_covers_area(request.user, village):
            raise NotFound(_("Không tìm thấy thôn, tổ dân phố."))
    posted = (
        review_round.entries.all()
        if village is None
        else review_round.entries.filter(household__village=village)
    )
    lists = selectors.decision_lists(posted)
    audit_read(
        actor=request.user,
        action="reviews.posting_list_print",
        fields=["head_name"],
        object_type="reviews.reviewround",
        object_id=str(review_round.pk),
        area_code=village.code if village else review_round.commune.code,
        kind="export",
        rows=sum(len(v) for k, v in lists.items() if k not in ("other", "screened_out")),
    )
    content = documents.posting_list_pdf(review_round, village)
    return _pdf(content, f"danh-sach-niem-yet-{village_code}.pdf")


def certificate_verify_view(request: HttpRequest, token: Any) -> HttpResponse:
    """Public page the QR code opens: number, commune, year, class and validity, and the head's
    initials. Nothing else about the household."""
    certificate = (
        Certificate.objects.select_related("commune", "commune__parent", "household")
        .filter(token=token)
        .first()
    )
    if certificate is None:
        return render(request, "web/reviews/verify.html", {"certificate": None}, status=404)
    current_year = _today().year
    valid = not certificate.revoked and certificate.year >= current_year
    return render(
        request,
        "web/reviews/verify.html",
        {
            "certificate": certificate,
            "initials": documents.head_initials(certificate.household.head_name),
            "class_label": documents.CLASS_LABELS_VI.get(certificate.classification, ""),
            "valid": valid,
        },
    )


# --- the province ---------------------------------------------------------------------------------


@login_required
@domain_errors
def province_view(request: HttpRequest) -> HttpResponse:
    _need(request, PROVINCE)
    rows = selectors.province_overview(request.user, today=_today())
    query = request.GET.get("q", "").strip().lower()
    if query:
        rows = [r for r in rows if query in r.commune.name.lower()]
    only = request.GET.get("loc", "")
    if only == "qua-han":
        rows = [r for r in rows if r.deadline and r.deadline.overdue]
    elif only == "co-dot":
        rows = [r for r in rows if r.review_round is not None]
    page = Paginator(rows, 100).get_page(request.GET.get("trang"))
    shown = [r.commune for r in page]
    prefetch_related_objects(shown, "parent")
    with_display_names(shown)  # "Xã Tân Lập (Tỉnh …)" when the name occurs in another province
    counts = {
        "communes": len(rows),
        "with_round": sum(1 for r in rows if r.review_round is not None),
        "closed": sum(1 for r in rows if r.review_round and r.review_round.state == RoundState.CLOSED),
        "overdue": sum(1 for r in rows if r.deadline and r.deadline.overdue),
    }
    return render(
        request,
        "web/reviews/province.html",
        {"page": page, "counts": counts, "query": request.GET.get("q", ""), "only": only},
    )
