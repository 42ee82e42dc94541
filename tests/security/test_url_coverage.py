"""Every URL of the project (web and API) has an entry in ACCESS, which says for one acting role
what status it gets on its own area's object, on another commune's, on another province's, and
what an anonymous visitor gets. A new page cannot ship without deciding its access check.

HOW TO ADD YOUR SURFACE (portal, field, linkage, oversight, support, …)
-----------------------------------------------------------------------
1. Run ``pytest tests/security/test_url_coverage.py``: ``test_every_url_has_an_entry`` names every
   pattern (``namespace:name``) that has no entry.
2. Add one line per pattern to ACCESS (keep it grouped by surface), e.g.::

       "web:portal_application": A(PUBLIC, "none", own=200, anon=200),
       "web:field_household": A(CO, "household", 200, 404, 404, anon=302),

   ``A(role, kind, own, other_commune, other_province, anon, method="GET", data=None)``:
   * ``role``: the acting user (a key of ``world.users``; ``CO`` = commune officer of commune A).
   * ``kind``: how the URL's arguments are built for each target, see ``_targets`` below
     ("none" = no arguments: only own and anon are requested). Add a kind when your objects need one:
     return ``{"own": kwargs, "other_commune": kwargs, "other_province": kwargs}``.
   * statuses: what the role gets for the object in its own area / another commune of the same
     province / another province; ``anon`` for a visitor who is not logged in (302 = sent to the
     login page, 401 for the API). "Not yours" must equal "not found" (404), never 403.
   * ``analyst``: what the central analyst WITHOUT a personal-data grant gets on the own area's
     object (its area is the whole country): required for every kind in PERSONAL_KINDS; 404 for
     anything that shows a household or a person (aggregate-only role), 200 only for counting pages.
   * ``method="POST"`` for POST-only views (``data`` is posted; empty by default: the access check
     must answer before the form is validated).
3. A pattern that is truly not a page (e.g. a library's include) goes in SKIP with the reason.

The table is checked both ways: a pattern without an entry fails, and an entry for a pattern that no
longer exists fails too.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hongheo.users.models import Role

from .conftest import review_objects

CO = Role.COMMUNE_OFFICER
ADMIN = Role.ADMINISTRATOR
PO = Role.PROVINCE_OFFICER
CHAIR = Role.COMMUNE_CHAIRMAN
SURV = Role.SURVEYOR
ANALYST = Role.CENTRAL_ANALYST
MISSING = 987654321
# Kinds whose object is a household or hangs off one: the entry must say what an aggregate-only
# central analyst (no personal-data grant) gets on the own area's object (``analyst=``).
PERSONAL_KINDS = {
    "household",
    "api_household",
    "member",
    "member_leave",
    "round",
    "entry",
    "meeting",
    "application",
    "minutes",
    "posting_obj",
    "complaint",
    "decision",
    "certificate",
    "report_area_post",
    "extract",
    "linkage_run",
    "organisation",
    "org_list",
}


@dataclass(frozen=True)
class A:
    role: str
    kind: str
    own: int
    other_commune: int | None = None
    other_province: int | None = None
    anon: int = 302
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    analyst: int | None = None  # the central analyst WITHOUT a personal-data grant, on the own object


# "namespace:name" → what happens. Grouped by surface.
ACCESS: dict[str, A] = {
    # shared pages
    "web:home": A(CO, "none", 200),
    "web:login": A(CO, "none", 302, anon=200),
    "web:logout": A(CO, "none", 302, anon=302, method="POST"),
    "web:password_change": A(CO, "none", 200),
    "web:profile": A(CO, "none", 200),
    "web:area_detail": A(CO, "area", 200, 404, 404),
    "web:job_list": A(CO, "none", 200),
    "web:job_detail": A(CO, "job", 200, 404, 404),
    "web:job_status": A(CO, "job", 200, 404, 404),
    "web:job_result": A(CO, "job", 404, 404, 404),  # the fixture's jobs have not run: no file yet
    "web:job_retry": A(CO, "job", 409, 404, 404, method="POST"),  # only a failed job can be retried
    "web:audit": A(ADMIN, "none", 200),
    ":admin_login_redirect": A(CO, "none", 302, anon=302),
    ":set_language": A(CO, "none", 302, anon=302, method="POST", data={"language": "en"}),
    # registry
    "web:household_list": A(CO, "none", 200),
    "web:household_export": A(CO, "none", 302, method="POST"),
    "web:household_detail": A(CO, "household", 200, 404, 404, analyst=404),
    "web:registry_code_lists": A(CO, "none", 200),
    "web:household_edit": A(CO, "household", 200, 404, 404, analyst=404),
    "web:household_check": A(CO, "household", 200, 404, 404, method="POST", analyst=404),
    "web:household_change_head": A(CO, "household", 200, 404, 404, analyst=404),
    "web:household_split": A(CO, "household", 200, 404, 404, analyst=404),
    "web:household_merge": A(CO, "household", 200, 404, 404, analyst=404),
    "web:household_support_add": A(CO, "household", 200, 404, 404, analyst=404),
    "web:household_score_card": A(CO, "household", 200, 404, 404, analyst=404),
    "web:member_add": A(CO, "household", 200, 404, 404, analyst=404),
    "web:member_check": A(CO, "household", 200, 404, 404, method="POST", analyst=404),
    "web:member_edit": A(CO, "member", 200, 404, 404, analyst=404),
    "web:member_move": A(CO, "member", 200, 404, 404, analyst=404),
    "web:member_leave": A(CO, "member_leave", 200, 404, 404, analyst=404),
    # standards and classification
    "web:area_classify": A(CO, "area", 302, 404, 404, method="POST"),
    "web:household_classify": A(CO, "household", 302, 404, 404, method="POST", analyst=404),
    "web:run_detail": A(CO, "missing", 404, 404, 404),
    "web:standards_list": A(CO, "none", 200),
    "web:standard_draft": A(ADMIN, "none", 200),
    "web:standard_detail": A(CO, "standard", 200, 200, 200),
    "web:standard_publish": A(CO, "standard", 404, 404, 404, method="POST"),
    # survey forms (Phiếu A / Phiếu B tables): administrators and province staff
    "web:survey_forms:index": A(ADMIN, "none", 200),
    "web:survey_forms:template": A(ADMIN, "none", 200),
    "web:survey_forms:sample": A(ADMIN, "none", 200),
    "web:survey_forms:score_table_import": A(ADMIN, "none", 200),
    "web:survey_forms:score_table_detail": A(ADMIN, "missing", 404, 404, 404),
    "web:survey_forms:score_table_reimport": A(ADMIN, "missing", 404, 404, 404),
    "web:survey_forms:score_table_publish": A(ADMIN, "missing", 404, 404, 404, method="POST"),
    "web:survey_forms:screening_list_import": A(ADMIN, "none", 200),
    "web:survey_forms:screening_list_detail": A(ADMIN, "missing", 404, 404, 404),
    "web:survey_forms:screening_list_reimport": A(ADMIN, "missing", 404, 404, 404),
    "web:survey_forms:screening_list_publish": A(ADMIN, "missing", 404, 404, 404, method="POST"),
    # reviews (rà soát)
    "web:review_board": A(CO, "none", 200),
    "web:review_province": A(PO, "none", 200),
    "web:review_applications": A(CO, "none", 200),
    "web:review_application_refuse": A(CHAIR, "application", 302, 404, 404, method="POST", analyst=404),
    "web:review_refusal_pdf": A(CO, "application", 200, 404, 404, analyst=404),
    "web:review_round_open": A(CO, "area", 422, 404, 404, method="POST"),
    "web:review_round": A(CO, "round", 200, 404, 404, analyst=200),  # counts only
    "web:review_round_advance": A(
        CO, "round", 302, 404, 404, method="POST", analyst=404
    ),  # refused step: back to the round
    "web:review_round_cancel": A(
        CO, "round", 200, 404, 404, method="POST", analyst=404
    ),  # the form again (no reason)
    "web:review_entries": A(CO, "round", 200, 404, 404, analyst=404),
    "web:review_screening": A(CO, "entry", 200, 404, 404, analyst=404),
    "web:review_survey": A(CO, "entry", 200, 404, 404, analyst=404),
    "web:review_meeting": A(CO, "meeting", 200, 404, 404, analyst=404),
    "web:review_minutes_pdf": A(CO, "minutes", 200, 404, 404, analyst=404),
    "web:review_posting": A(CO, "round", 200, 404, 404, analyst=404),
    "web:review_posting_end": A(CO, "none", 400),  # no start date given
    "web:review_posting_proof": A(CHAIR, "posting_obj", 200, 404, 404, analyst=404),
    "web:review_complaints": A(CO, "round", 200, 404, 404, analyst=404),
    "web:review_complaint_resolve": A(CO, "complaint", 422, 404, 404, method="POST", analyst=404),
    "web:review_decision": A(CO, "round", 200, 404, 404, analyst=404),
    "web:review_decision_pdf": A(CHAIR, "decision", 200, 404, 404, analyst=404),
    "web:review_certificates_pdf": A(CHAIR, "decision", 200, 404, 404, analyst=404),
    "web:review_certificate_pdf": A(CHAIR, "certificate", 200, 404, 404, analyst=404),
    "web:review_certificates_batch": A(CO, "decision", 302, 404, 404, method="POST", analyst=404),
    "web:review_posting_list_pdf": A(CO, "meeting", 200, 404, 404, analyst=404),
    "web:certificate_verify": A(CO, "token", 404, anon=404),  # public page: unknown token
    # reports
    "web:reports": A(CO, "report_area", 200, 404, 404),
    "web:reports_export": A(CO, "report_area", 200, 404, 404),
    "web:reports_submit": A(CO, "none", 400, method="POST"),  # no year given
    "web:reports_calendar": A(CO, "none", 200),
    "web:reports_household_list": A(
        CO,
        "report_area_post",
        200,
        404,
        404,
        method="POST",
        data={"bieu": "danh_sach_ho_ngheo", "den_ngay": "2024-12-31"},
        analyst=404,
    ),
    # imports
    "web:import_start": A(CO, "none", 200),
    "web:import_template": A(CO, "layout", 200),
    "web:import_detail": A(CO, "import", 200, 404, 404),
    "web:import_mapping": A(CO, "import", 200, 404, 404),
    "web:import_rejected": A(CO, "import", 404, 404, 404),  # the fixture's import rejected nothing
    # field work (issue 11): the offline app's shell is public (it must load offline), its data is not
    "web:field_app": A(SURV, "none", 200, anon=200),
    "web:field_manifest": A(SURV, "none", 200, anon=200),
    "web:field_sw": A(SURV, "none", 200, anon=200),
    "web:field_icon": A(SURV, "icon", 200, anon=200),
    "web:field_conflicts": A(CO, "none", 200),
    "web:field_conflict": A(CO, "missing", 404, 404, 404),
    "web:field_odk": A(SURV, "none", 200),
    "web:field_odk_token_create": A(SURV, "none", 302, method="POST"),
    "web:field_odk_token_revoke": A(SURV, "missing", 302, 302, 302, method="POST"),  # "not found" message
    # ODK Collect (OpenRosa): the device token in the URL is the only credential; an unknown one is refused
    ":odk_form_list": A(SURV, "odk", 400, 400, 400, anon=400),
    ":odk_form": A(SURV, "odk_form", 400, 400, 400, anon=400),
    ":odk_manifest": A(SURV, "odk_form", 400, 400, 400, anon=400),
    ":odk_attachment": A(SURV, "odk_attachment", 400, 400, 400, anon=400),
    ":odk_submission": A(SURV, "odk", 400, 400, 400, anon=400),
    ":odk_basic_form_list": A(SURV, "odk_basic", 400, 400, 400, anon=400),  # no OpenRosa header
    ":odk_basic_form": A(SURV, "odk_basic_form", 400, 400, 400, anon=400),
    ":odk_basic_manifest": A(SURV, "odk_basic_form", 400, 400, 400, anon=400),
    ":odk_basic_attachment": A(SURV, "odk_basic_attachment", 400, 400, 400, anon=400),
    ":odk_basic_submission": A(SURV, "odk_basic", 400, 400, 400, anon=400),
    # field app API: a device token (Bearer) only, never the web session; none → 401
    "api-v1:login": A(SURV, "none", 400, anon=400, method="POST"),
    "api-v1:assignments": A(SURV, "none", 401, anon=401),
    "api-v1:get_questionnaire": A(SURV, "none", 401, anon=401),
    "api-v1:sync": A(SURV, "none", 401, anon=401, method="POST"),
    "api-v1:upload_photo": A(SURV, "photo", 401, anon=401, method="POST"),
    "api-v1:submission_status": A(SURV, "submission", 401, anon=401),
    "api-v1:conflicts": A(CO, "none", 401, anon=401),
    # linkage with the population database (issue 12): province staff; objects by id
    "web:linkage_home": A(PO, "none", 200),
    # (the province officer's own province holds both communes A and B: "other commune" is still its
    # own). The central analyst sees an extract's validity and a run's counts, not who was found.
    "web:linkage_extract": A(PO, "extract", 200, 200, 404, analyst=200),
    "web:linkage_run": A(PO, "linkage_run", 200, 200, 404, analyst=200),
    "web:linkage_findings": A(PO, "linkage_run", 200, 200, 404, analyst=404),
    "web:linkage_review": A(PO, "linkage_run", 200, 200, 404, analyst=404),
    "web:linkage_decide": A(PO, "missing", 404, 404, 404, method="POST"),
    "web:linkage_bulk_accept": A(PO, "linkage_run", 302, 302, 404, method="POST", analyst=404),
    "web:linkage_quality": A(PO, "none", 200),
    "web:linkage_quality_export": A(PO, "none", 200),
    "web:linkage_quality_members": A(PO, "none", 404),  # needs the area and the figure in its query
    # support plans, organisations, integrity checks (issue 14)
    "web:support_index": A(CO, "none", 302),  # to the officer's commune
    "web:support_commune": A(CO, "area", 200, 404, 404),
    "web:support_commune_export": A(CO, "area", 200, 404, 404),
    "web:support_household": A(CO, "household", 200, 404, 404, analyst=403),  # role: support is not its
    "web:support_follow_up": A(CO, "missing", 404, 404, 404, method="POST"),
    "web:support_organisation_add": A(CO, "area", 422, 404, 404, method="POST"),  # empty form
    "web:support_organisation": A(CO, "organisation", 200, 404, 404, analyst=403),  # role
    "web:support_organisation_list": A(CO, "org_list", 200, 404, 404, analyst=403),  # role
    "web:support_assignment_end": A(CO, "org_assignment", 404, 404, 404, method="POST"),
    "web:support_checks": A(PO, "none", 200),
    "web:support_send_back": A(PO, "area", 302, 302, 404, method="POST"),  # no reason: back with a message
    # citizen portal (issue 10): public pages and API, no personal data without the code and PIN
    "web:portal_register": A(CO, "none", 200, anon=200),
    "web:portal_status": A(CO, "none", 200, anon=200),
    "web:portal_sw": A(CO, "none", 200, anon=200),
    "web:portal_stats": A(PO, "none", 200),
    "web:household_confirm": A(CO, "household", 302, 404, 404, method="POST", analyst=404),
    "api-v1:areas": A(CO, "none", 200, anon=200),
    "api-v1:lists": A(CO, "none", 200, anon=200),
    "api-v1:challenge": A(CO, "none", 200, anon=200),
    "api-v1:self_assessment": A(CO, "none", 400, anon=400, method="POST"),
    "api-v1:submit": A(CO, "none", 400, anon=400, method="POST"),
    "api-v1:status": A(CO, "none", 400, anon=400, method="POST"),
    "api-v1:complain": A(CO, "none", 400, anon=400, method="POST"),
    "api-v1:request_exit": A(CO, "none", 400, anon=400, method="POST"),
    # oversight: dashboards, targets, map, federation (issue 13)
    "web:oversight_dashboard": A(PO, "none", 200),
    "web:oversight_export": A(PO, "none", 200),
    "web:oversight_targets": A(PO, "none", 200),
    "web:oversight_target_retire": A(PO, "missing", 404, 404, 404, method="POST"),
    "web:oversight_map": A(PO, "none", 200),
    "web:oversight_map_data": A(PO, "none", 200),
    "web:oversight_federation": A(PO, "none", 404),  # the centre's page: not for a province officer
    "web:oversight_receive": A(PO, "none", 400, anon=400, method="POST"),
    "web:oversight_received_push": A(PO, "missing", 404, 404, 404),
    "web:oversight_outbox": A(PO, "none", 200),
    # API (v1)
    "api-v1:api-root": A(CO, "none", 404, anon=404),
    "api-v1:openapi-json": A(CO, "none", 200, anon=200),
    "api-v1:openapi-view": A(CO, "none", 200, anon=200),
    "api-v1:list_households": A(CO, "none", 200, anon=401),
    "api-v1:get_household": A(CO, "api_household", 200, 404, 404, anon=401, analyst=404),
    "api-v1:get_job": A(CO, "api_job", 200, 404, 404, anon=401),
}

# Includes that are not pages of ours (with the reason), by route.
SKIP = {
    "admin/": "Django admin: its own permission checks (hongheo.core.admin.RoleAdministratorMixin); "
    "registry models are not registered; tested in test_roles_and_admin.py",
}


def _patterns() -> list[tuple[str, str]]:
    """(key, route) of every URL pattern, walking includes; SKIP prefixes left out."""
    out: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver) and route in SKIP:
                continue
            if isinstance(p, URLResolver):
                inner = p.namespace or ""
                walk(p.url_patterns, route, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif isinstance(p, URLPattern):
                out.append((f"{namespace}:{p.name}", route))

    walk(get_resolver().url_patterns, "", "")
    return out


def test_every_url_has_an_entry():
    keys = {key for key, _ in _patterns()}
    missing = sorted(f"{key}  ({route})" for key, route in _patterns() if key not in ACCESS)
    assert not missing, "URL patterns without an access entry (see the module docstring):\n" + "\n".join(
        missing
    )
    stale = sorted(set(ACCESS) - keys)
    assert not stale, f"entries for patterns that no longer exist: {stale}"
    undecided = sorted(k for k, a in ACCESS.items() if a.kind in PERSONAL_KINDS and a.analyst is None)
    assert not undecided, f"personal-data entries that do not say what the central analyst gets: {undecided}"


# --- the objects each kind points at, per target ---------------------------------------------------


@pytest.fixture
def places(world, imp):
    """One object of each kind in commune A (own), commune B (same province) and Hà Nội."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from hongheo.capture.imports.models import ImportBatch
    from hongheo.core.jobs import job_enqueue
    from hongheo.reviews import services as reviews
    from hongheo.users.services import user_create

    officer_b = user_create(actor=None, username="xa-b-url", password=None, role=CO, areas=[world.commune_b])
    officer_c = user_create(actor=None, username="xa-c-url", password=None, role=CO, areas=[world.commune_c])
    officers = {"own": world.users[CO], "other_commune": officer_b, "other_province": officer_c}
    communes = {"own": world.commune_a, "other_commune": world.commune_b, "other_province": world.commune_c}
    households = {"own": world.hh_a1, "other_commune": world.hh_b, "other_province": world.hh_c}
    jobs = {
        t: job_enqueue(actor=u, kind="registry.export_households", title="x", params={"user_id": u.pk})
        for t, u in officers.items()
    }
    rounds = {}
    for t, u in officers.items():
        reviews.status_baseline_set(
            actor=None,
            household=households[t],
            classification="poor",
            since=dt.date(2025, 12, 20),
            source="DS",
        )
        rounds[t] = reviews.round_open(actor=u, commune=communes[t], kind="yearly", year=2026)
    entries = {t: r.entries.get(household=households[t]) for t, r in rounds.items()}
    # real deep objects of each area (minutes, posting proof, complaint, refused application,
    # decision with a certificate), so "not yours = not found" is asserted on them
    deep = {
        t: review_objects(officers[t], communes[t], households[t], tag=t, rnd=rounds[t]) for t in officers
    }
    imports = {}
    for t, u in officers.items():
        rows = imp.household_rows(f"U-{t}", communes[t].code, village="")
        data = imp.to_csv(rows)
        imports[t] = ImportBatch.objects.create(
            created_by=u,
            file=ContentFile(data, name="a.csv"),
            file_name="a.csv",
            file_size=len(data),
            file_sha256=t,
            columns=list(rows[0]),
        )

    def each(fn):
        return {t: fn(t) for t in ("own", "other_commune", "other_province")}

    # support organisations of each commune; population extracts of each province and linkage runs
    # of each commune (made directly: the pages only read them)
    from hongheo.linkage.models import LinkageRun, PopulationExtract
    from hongheo.support.models import Organisation

    organisations = each(
        lambda t: Organisation.objects.create(commune=communes[t], name=f"Hội Phụ nữ {t}", kind="women")
    )
    extracts = each(
        lambda t: PopulationExtract.objects.create(
            province=communes[t].parent, version=1 if t != "other_commune" else 2, file_name="x.csv"
        )
    )
    linkage_runs = each(lambda t: LinkageRun.objects.create(extract=extracts[t], area=communes[t]))

    def member(t):
        return households[t].members.get(relation_to_head="child").pk

    return {
        "none": each(lambda t: {}),
        "missing": each(lambda t: {"pk": MISSING}),
        "household": each(lambda t: {"pk": households[t].pk}),
        "api_household": each(lambda t: {"household_id": households[t].pk}),
        "member": each(lambda t: {"pk": households[t].pk, "member_pk": member(t)}),
        "member_leave": each(lambda t: {"pk": households[t].pk, "member_pk": member(t), "kind": "chet"}),
        "area": each(lambda t: {"code": communes[t].code}),
        "report_area": each(lambda t: {"_query": {"dia_ban": communes[t].code}}),
        "job": each(lambda t: {"pk": str(jobs[t].pk)}),
        "api_job": each(lambda t: {"job_id": str(jobs[t].pk)}),
        "round": each(lambda t: {"pk": rounds[t].pk}),
        "entry": each(lambda t: {"pk": rounds[t].pk, "entry_pk": entries[t].pk}),
        "meeting": each(lambda t: {"pk": rounds[t].pk, "village_code": "xa"}),
        "minutes": each(lambda t: {"pk": deep[t]["meeting"].pk}),
        "posting_obj": each(lambda t: {"pk": deep[t]["posting"].pk}),
        "complaint": each(lambda t: {"pk": deep[t]["complaint"].pk}),
        "application": each(lambda t: {"pk": deep[t]["application"].pk}),
        "decision": each(lambda t: {"pk": deep[t]["decision"].pk}),
        "certificate": each(lambda t: {"pk": deep[t]["certificate"].pk}),
        "import": each(lambda t: {"pk": imports[t].pk}),
        "standard": each(lambda t: {"code": "vn-2026-2030"}),
        "token": each(lambda t: {"token": uuid.UUID(int=7)}),
        "layout": each(lambda t: {"layout": "nhan-khau"}),
        "report_area_post": each(lambda t: {"_post": {"dia_ban": communes[t].code}}),
        "icon": each(lambda t: {"size": 192}),
        "org_list": each(lambda t: {"pk": organisations[t].pk, "fmt": "xlsx"}),
        "organisation": each(lambda t: {"pk": organisations[t].pk}),
        "extract": each(lambda t: {"pk": extracts[t].pk}),
        "linkage_run": each(lambda t: {"pk": linkage_runs[t].pk}),
        "org_assignment": each(lambda t: {"pk": MISSING, "assignment_pk": MISSING}),
        "odk": each(lambda t: {"token": "khong-co-ma-nay", "commune_code": communes[t].code}),
        "odk_form": each(
            lambda t: {"token": "khong-co-ma-nay", "commune_code": communes[t].code, "form_id": "phieu_b"}
        ),
        "odk_attachment": each(
            lambda t: {
                "token": "khong-co-ma-nay",
                "commune_code": communes[t].code,
                "form_id": "phieu_b",
                "name": "households.csv",
            }
        ),
        "odk_basic": each(lambda t: {"commune_code": communes[t].code}),
        "odk_basic_form": each(lambda t: {"commune_code": communes[t].code, "form_id": "phieu_b"}),
        "odk_basic_attachment": each(
            lambda t: {"commune_code": communes[t].code, "form_id": "phieu_b", "name": "households.csv"}
        ),
        "photo": each(lambda t: {"photo_id": str(uuid.UUID(int=9))}),
        "submission": each(lambda t: {"submission_id": str(uuid.UUID(int=11))}),
    }


def _url(key: str, kwargs: dict[str, Any]) -> str:
    namespace, name = key.rsplit(":", 1)
    kwargs = dict(kwargs)
    query = kwargs.pop("_query", None)
    kwargs.pop("_post", None)
    url = reverse(f"{namespace}:{name}" if namespace else name, kwargs=kwargs or None)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def _status(client: Client, entry: A, url: str, post: dict[str, Any] | None = None) -> int:
    if entry.method == "POST":
        return client.post(url, {**entry.data, **(post or {})}).status_code
    return client.get(url).status_code


def test_every_url_answers_as_the_table_says(world, places):
    record = os.environ.get("URL_TABLE_RECORD") == "1"
    wrong = []
    for key, _route in _patterns():
        entry = ACCESS.get(key)
        if entry is None:
            continue  # reported by test_every_url_has_an_entry
        client = Client()  # a fresh session per pattern (one of them logs out)
        client.force_login(world.users[entry.role])
        targets = places[entry.kind]
        checks = [("own", entry.own)]
        if entry.kind != "none":
            checks += [("other_commune", entry.other_commune), ("other_province", entry.other_province)]
        got = {}
        for target, expected in checks:
            if expected is None:
                continue
            got[target] = _status(client, entry, _url(key, targets[target]), targets[target].get("_post"))
        got["anon"] = _status(Client(), entry, _url(key, targets["own"]), targets["own"].get("_post"))
        if entry.analyst is not None:
            analyst = Client()
            analyst.force_login(world.users[ANALYST])
            got["analyst"] = _status(analyst, entry, _url(key, targets["own"]), targets["own"].get("_post"))
        want = {t: e for t, e in [*checks, ("anon", entry.anon), ("analyst", entry.analyst)] if e is not None}
        if got != want:
            wrong.append(f"{key}: expected {want}, got {got}")
        if record:
            print(key, got)
    assert not wrong, "\n".join(wrong)


HOSTILE_PARAMS = [
    "ngay=0001-01-01",
    "den_ngay=9999-12-31",
    "tu=9999-12-31",
    "nam=0",
    "nam=99999999999",
    "thang=13",
    "trang=99999999999999999999",
    "z=99999&bbox=1e309,0,0,0&lop=ho",
    "dia_ban=%00",
    "xa=%00",
    "q=%00",
    "loai=%00&buoc=%00&bieu=%00",
]


def test_no_page_fails_on_hostile_query_parameters(world, places):
    """Issue 8, item 13 on every GET page (new surfaces included): out-of-range dates, years,
    pages, map parameters and NUL bytes in the query (one at a time, so an early 400 on one does not
    hide another) give a page or a 4xx, never a server error."""
    errors = []
    for key, _route in _patterns():
        entry = ACCESS.get(key)
        if entry is None or entry.method != "GET":
            continue
        client = Client(raise_request_exception=False)
        client.force_login(world.users[entry.role])
        url = _url(key, places[entry.kind]["own"])
        for params in HOSTILE_PARAMS:
            status = client.get(url + ("&" if "?" in url else "?") + params).status_code
            if status >= 500:
                errors.append(f"{key} ?{params}: {status}")
    assert not errors, "\n".join(errors)
