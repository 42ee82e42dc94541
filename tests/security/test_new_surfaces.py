"""Issue 8, items 1–4 re-checked on the surfaces added since (portal, field app, ODK, linkage,
support, oversight): every workbook through the one safe writer, every export audited with its row
count, the linkage extract under the shared archive limits and the parse memory ceiling, the field
app's login on the one throttled login path, and the portal's 6-digit PIN not guessable from many
addresses."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import io
from pathlib import Path

import openpyxl
import pytest
from django.test import Client, override_settings

from hongheo.core.models import AuditEvent
from hongheo.users.models import Role

from .test_spreadsheets import HOSTILE, formula_cells

SOURCE = Path(__file__).resolve().parents[2] / "hongheo"


def _modules():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text("utf-8"))


def test_every_workbook_is_made_by_the_safe_writer():
    """``xlsxwriter.Workbook(…)`` only inside hongheo/core/xlsx.py; an openpyxl ``Workbook()`` only
    in a module that writes its cells through ``hongheo.core.xlsx`` (``append_row``/``set_cell``)."""
    wrong = []
    for path, tree in _modules():
        if path == SOURCE / "core" / "xlsx.py":
            continue
        text = path.read_text("utf-8")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                owner = getattr(f.value, "id", "") if isinstance(f, ast.Attribute) else ""
                if name == "Workbook" and (owner == "xlsxwriter" or "append_row" not in text):
                    wrong.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert not wrong, f"workbooks made outside hongheo.core.xlsx: {wrong}"


def _is_export(node: ast.Call) -> bool:
    for kw in node.keywords:
        if kw.arg == "kind":
            v = kw.value
            return (isinstance(v, ast.Constant) and v.value == "export") or (
                isinstance(v, ast.Attribute) and v.attr == "EXPORT"
            )
    return False


def test_every_export_is_audited_with_its_row_count():
    missing = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_read"
                and _is_export(node)
                and not any(kw.arg == "rows" for kw in node.keywords)
            ):
                missing.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert not missing, f"exports audited without their row count: {missing}"


def test_support_and_linkage_workbooks_keep_hostile_text_as_text(world):
    from hongheo.linkage.quality import quality_workbook
    from hongheo.support.exports import commune_workbook, help_list_workbook
    from hongheo.support.models import Organisation
    from hongheo.support.selectors import CommuneSupport, HelpLine

    org = Organisation.objects.create(commune=world.commune_a, name=HOSTILE[0], kind="women")
    lines = [HelpLine(HOSTILE[0], HOSTILE[1], "poor", ("capital",), HOSTILE[2])]
    world.hh_a1.head_name = HOSTILE[3]
    summary = CommuneSupport(world.commune_a, 2026, 1, 1, 0, [(world.hh_a1, ["capital"])], [], [], [], [])
    row = {"commune": HOSTILE[1], "name": HOSTILE[0], "members": 3}
    books = {
        "help_list": help_list_workbook(org, lines, on=dt.date(2026, 6, 1)),
        "commune": commune_workbook(summary),
        "quality": quality_workbook([row], {"name": HOSTILE[2], "members": 3}, world.hue),
    }
    for name, data in books.items():
        assert formula_cells(data) == [], name
        text = " ".join(
            str(c.value)
            for ws in openpyxl.load_workbook(io.BytesIO(data)).worksheets
            for r in ws.iter_rows()
            for c in r
            if c.value is not None
        )
        assert any(h in text for h in HOSTILE), name


def _extract_xlsx(world) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(
        [
            "person_id",
            "personal_id",
            "full_name",
            "dob",
            "sex",
            "commune_code",
            "residence_household_no",
            "status",
        ]
    )
    ws.append(["P1", "", "Nguyễn Văn An", "1980-05-17", "Nam", world.commune_a.code, "R1", "alive"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_linkage_extract_upload_uses_the_shared_archive_limits(world, settings):
    from hongheo.core.errors import ValidationError
    from hongheo.linkage import services as svc

    data = _extract_xlsx(world)
    settings.HONGHEO_XLSX_MAX_RATIO = 2  # stricter than any real workbook: the setting must apply
    settings.HONGHEO_XLSX_MAX_MEMBER_MB = 0
    with pytest.raises(ValidationError, match="bom nén"):
        svc.extract_upload(
            actor=world.users[Role.PROVINCE_OFFICER], province=world.hue, name="dan-cu.xlsx", data=data
        )


def test_linkage_extract_is_parsed_under_the_memory_ceiling(world, settings):
    from hongheo.core.jobs import run_pending_jobs
    from hongheo.linkage import services as svc
    from hongheo.linkage.models import PopulationExtract

    extract = svc.extract_upload(
        actor=world.users[Role.PROVINCE_OFFICER],
        province=world.hue,
        name="dan-cu.xlsx",
        data=_extract_xlsx(world),
    )
    settings.HONGHEO_PARSE_MEMORY_MB = 64  # far too little for the parser: refused in the child
    run_pending_jobs()
    extract.refresh_from_db()
    assert extract.state == PopulationExtract.State.REJECTED
    assert "bộ nhớ" in extract.errors[0]["message"]


def test_field_app_login_is_throttled_and_audited(world):
    user = world.users[Role.SURVEYOR]
    client = Client()
    url = "/api/v1/field/login"

    def attempt(password):
        return client.post(
            url, {"username": user.username, "password": password}, content_type="application/json"
        )

    for _ in range(5):
        assert attempt("sai-mat-khau").status_code == 401
    refused = attempt("mat-khau-thu-nghiem")  # the right password, but the pair must wait
    assert refused.status_code == 429 and "thử lại sau" in refused.json()["message"]
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() == 5 and all(e.after["via"] == "field_app" for e in failures)


def _portal_payload():
    path = Path(__file__).parents[1] / "portal" / "test_portal_services.py"
    spec = importlib.util.spec_from_file_location("_portal_helpers", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.payload


@override_settings(PORTAL_LOOKUP_FAILURES_PER_ADDRESS=1000, PORTAL_LOOKUP_FAILURES_PER_CODE=5)
def test_portal_pin_is_not_guessable_from_many_addresses(world):
    from hongheo.capture.portal import services as portal
    from hongheo.core.errors import NotFound, ValidationError

    receipt = portal.portal_submit(
        actor=None, payload=_portal_payload()(world.commune_a), address="10.9.0.1", today=dt.date(2026, 10, 1)
    )
    code = receipt.submission.tracking_code
    for i in range(5):
        with pytest.raises(NotFound):
            portal.portal_find(
                code=code, pin=f"{i:06d}" if f"{i:06d}" != receipt.pin else "x", address=f"10.9.1.{i}"
            )
    with pytest.raises(ValidationError, match="quá nhiều"):
        portal.portal_find(code=code, pin=receipt.pin, address="10.9.2.1")  # a new address: still refused
