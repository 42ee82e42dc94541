"""Messages people read have English: the errors services raise (shown on forms and pages), flash
messages, form errors, and the audit trail's action names.

The scan reads the source: a Vietnamese literal in the message of a ``raise`` of a domain error or
a form error, of ``messages.success/error/…`` or of ``form.add_error`` must be inside ``_()`` (or
another gettext call), so it reaches the catalogue (``test_catalogue`` then demands its English)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "ngettext", "gettext_noop", "pgettext_lazy"}
ERRORS = {
    "DomainError",
    "ValidationError",
    "BadInput",
    "NotFound",
    "PermissionDenied",
    "Conflict",
    "TooManyLookups",
    "ImportFileError",
}
MESSAGES = {"success", "error", "warning", "info"}
#: not read by people in the product's pages: pure engines (no Django), command-line tools and the
#: machine-to-machine endpoints (ODK Collect, province → central reports), whose messages stay Vietnamese
SKIPPED = (
    "hongheo/cli/",
    "hongheo/api/openrosa.py",
    "hongheo/oversight/federation.py",
    "hongheo/oversight/management/",
    "hongheo/core/management/",
    "hongheo/web/management/",
    "hongheo/reports/builders.py",
    "hongheo/reports/catalog.py",  # the report catalogue's own consistency check at start-up
    "hongheo/core/backup.py",  # backup/restore command (bilingual messages)
    "hongheo/core/dbcheck.py",  # start-up database check (bilingual messages)
    "hongheo/oversight/microdata.py",  # operator's national store command
)
#: modules kept free of Django on purpose, whose rare messages (a tampered code, a corrupt archive, a
#: step the role's buttons never offer) stay Vietnamese for now — listed so a new one is noticed
VIETNAMESE_ONLY = (
    "hongheo/registry/code_lists.py",
    "hongheo/core/xlsx.py",
    "hongheo/standards/survey/workbook.py",
    "hongheo/reviews/workflow.py",
)
PURE = (
    "hongheo/standards/rules/",
    "hongheo/core/ids.py",
    "hongheo/registry/synth.py",
    "hongheo/capture/questionnaire/",
    "hongheo/linkage/engine/",
    "hongheo/support/checks.py",
    "hongheo/support/lists.py",
    "hongheo/oversight/progress.py",
)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return getattr(node, "id", "")


def _message_argument(call: ast.Call) -> ast.AST | None:
    name = _name(call.func)
    if name in ERRORS and call.args:
        return call.args[0]
    if name in MESSAGES and isinstance(call.func, ast.Attribute) and _name(call.func.value) == "messages":
        return call.args[1] if len(call.args) > 1 else None
    if name == "add_error" and len(call.args) > 1:
        return call.args[1]
    return None


def _unmarked(node: ast.AST, inside: bool = False) -> list[ast.AST]:
    """Vietnamese literals under ``node`` not inside a gettext call."""
    if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and VIETNAMESE.search(node.value):
        return [node]
    if isinstance(node, ast.JoinedStr):
        text = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        return [node] if VIETNAMESE.search(text) else []
    found: list[ast.AST] = []
    for child in ast.iter_child_nodes(node):
        found += _unmarked(child, inside)
    return found


def _source_files() -> list[Path]:
    files = []
    for path in sorted((ROOT / "hongheo").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel.startswith(SKIPPED + PURE + VIETNAMESE_ONLY):
            continue
        files.append(path)
    return files


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def untranslated_message_sites(files: list[Path]) -> list[str]:
    sites = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                argument = _message_argument(node)
                if argument is None:
                    continue
                for literal in _unmarked(argument):
                    sites.append(f"{_where(path)}:{literal.lineno}")
            elif (
                isinstance(node, ast.Raise)
                and node.exc is not None
                and "FederationError" not in ast.unparse(node.exc)
            ):
                # (a province's report rejected by the central server: the reason is stored with the report)
                # field messages in details={"fields": {...}} and any literal of the raised error
                for literal in _unmarked(node.exc):
                    sites.append(f"{_where(path)}:{literal.lineno}")
    return sorted(set(sites))


def test_every_user_visible_message_is_marked_for_translation():
    sites = untranslated_message_sites(_source_files())
    assert not sites, f"{len(sites)} messages without _(): {sites[:20]}"


def test_the_scan_finds_an_unmarked_message(tmp_path):
    """The scan itself can fail: an f-string error, a plain flash message and a field message in
    ``details`` are found; the marked forms are not."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(request, household):\n"
        '    raise ValidationError(f"Hộ {household.code} không hợp lệ.")\n'
        "def g(request):\n"
        '    messages.success(request, "Đã lưu.")\n'
        "def h():\n"
        '    raise ValidationError(_("Sai."), details={"fields": {"x": "Bắt buộc."}})\n'
        "def ok(request, household):\n"
        '    raise ValidationError(_("Hộ %(code)s không hợp lệ.") % {"code": household.code})\n'
        "def ok2(request):\n"
        '    messages.success(request, _("Đã lưu."))\n',
        encoding="utf-8",
    )
    found = [site.rsplit(":", 1)[1] for site in untranslated_message_sites([bad])]
    assert found == ["2", "4", "6"]


def test_domain_errors_reach_english_through_the_catalogue(db):
    """Raised in a request whose language is English, a service error reads in English; the same
    call in Vietnamese keeps the Vietnamese source (named parameters filled in both)."""
    from hongheo.core.errors import BadInput
    from hongheo.core.inputs import parse_year

    with translation.override("en"), pytest.raises(BadInput) as english:
        parse_year("abc", 2026)
    assert english.value.message == "Year is not valid: abc"
    with translation.override("vi"), pytest.raises(BadInput) as vietnamese:
        parse_year("1800", 2026)
    assert vietnamese.value.message.startswith("Năm phải từ 1900 đến ")


def _audit_actions_in_code() -> set[str]:
    actions = set()
    for path in (ROOT / "hongheo").rglob("*.py"):
        if "/migrations/" in path.as_posix():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            arguments = [k.value for k in node.keywords if k.arg == "action"]
            if _name(node.func).startswith(("audit", "_audit")):
                arguments += node.args
            for argument in arguments:
                options = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
                for option in options:
                    value = option.value if isinstance(option, ast.Constant) else None
                    if isinstance(value, str) and re.fullmatch(r"[a-z_]+\.[a-z_.]+", value):
                        actions.add(value)
    return actions


def test_every_audit_action_has_a_name_in_both_languages():
    from hongheo.web.audit_labels import ACTIONS_VI, action_label
    from hongheo.web.i18n_data import display

    actions = _audit_actions_in_code()
    assert len(actions) > 80  # the scan really found the audit calls
    missing = sorted(actions - set(ACTIONS_VI))
    assert not missing, f"audit actions without a name on the audit trail: {missing}"
    with translation.override("en"):
        untranslated = [a for a in ACTIONS_VI if display(action_label(a)) == ACTIONS_VI[a]]
    assert not untranslated, untranslated[:20]
    with translation.override("vi"):
        assert display(action_label("reviews.decision_sign")) == "Ký quyết định công nhận"
    with translation.override("en"):
        assert display(action_label("reviews.decision_sign")) != "Ký quyết định công nhận"


def test_round_steps_read_in_english(db):
    """A round's step (``get_state_display``), shown on many pages and in flash messages."""
    from hongheo.reviews.models import ReviewRound
    from hongheo.reviews.workflow import STATE_LABELS_VI, RoundState

    round_ = ReviewRound(state=RoundState.SURVEY)
    with translation.override("en"):
        shown = {
            state: str(dict(ReviewRound._meta.get_field("state").choices)[state]) for state in RoundState
        }
        assert str(round_.get_state_display()) == "Form B, scoring, classification"
    assert all(shown[s] != STATE_LABELS_VI[s] for s in RoundState), shown
    with translation.override("vi"):
        assert str(round_.get_state_display()) == "Phiếu B, chấm điểm, xếp loại"
