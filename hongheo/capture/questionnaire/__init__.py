"""One questionnaire definition (Phiếu A, Phiếu B) as versioned data, and its one validation.

``data/questionnaire.json`` is the single definition. Three renderings are made from it: the web
form of the review pages (``hongheo.web.reviews.forms``), the offline field app (which receives
:func:`client_definition` as JSON and checks answers as the surveyor types) and the XLSForm/XForm
for ODK Collect (:mod:`.xlsform`). Whatever channel an answer comes from, :func:`validate` is the
one check the server applies before the submission service records anything.

Pure module: no Django, no database. Code lists come from the registry's ``code_lists.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from hongheo.registry import code_lists

TYPES = ("text", "integer", "decimal", "date", "boolean", "select_one", "geopoint", "image", "hidden")
TYPES_ALL = (*TYPES, "repeat", "calculate")
TRUE_WORDS = {"1", "true", "yes", "co", "có"}
FALSE_WORDS = {"0", "false", "no", "khong", "không"}
PHOTO_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,120}$")


class UnknownForm(LookupError):
    """A form id or version the server does not know."""


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: str
    required: bool = False
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    list_name: str = ""
    unit: str = ""
    fact: str = ""  # "household" | "member" | ""
    income: bool = False
    relevant: tuple[str, Any] | None = None
    calculation: str = ""
    questions: tuple[Question, ...] = ()

    def choices(self) -> list[tuple[str, str]]:
        if self.type == "boolean":
            return [("1", "Có"), ("0", "Không")]
        if self.type != "select_one":
            return []
        return list_items(self.list_name)

    def messages(self) -> dict[str, str]:
        """The Vietnamese messages of this question; every rendering shows these same words."""
        out = {"required": f"{self.label}: bắt buộc nhập."}
        if self.type in ("select_one", "boolean"):
            out["required"] = f"{self.label}: chọn một giá trị."
        if self.type == "integer":
            out["number"] = f"{self.label}: phải là số nguyên."
        if self.type == "decimal":
            out["number"] = f"{self.label}: phải là số."
        if self.type in ("integer", "decimal") and self.minimum is not None and self.maximum is not None:
            unit = f" {self.unit}" if self.unit else ""
            out["range"] = (
                f"{self.label}: phải từ {vn_number(self.minimum)} đến {vn_number(self.maximum)}{unit}."
            )
        if self.type == "date":
            out["date"] = f"{self.label}: ngày không hợp lệ (từ {self.minimum or '1900-01-01'} đến hôm nay)."
        if self.type == "select_one":
            out["choice"] = f"{self.label}: giá trị không có trong danh mục."
        if self.type == "text" and self.max_length:
            out["length"] = f"{self.label}: tối đa {self.max_length} ký tự."
        if self.type == "geopoint":
            out["geopoint"] = f"{self.label}: toạ độ không hợp lệ."
        if self.type == "image":
            out["image"] = f"{self.label}: mã ảnh không hợp lệ."
        return out


@dataclass(frozen=True)
class Form:
    key: str  # "phieu_a" | "phieu_b"
    form_id: str
    title: str
    version: str
    questions: tuple[Question, ...]
    lists: Mapping[str, Any] = field(default_factory=dict)

    def question(self, name: str) -> Question:
        for q in self.walk():
            if q.name == name:
                return q
        raise KeyError(name)

    def walk(self) -> list[Question]:
        out: list[Question] = []
        for q in self.questions:
            out.append(q)
            out.extend(q.questions)
        return out

    def question_choices(self, list_name: str) -> list[tuple[str, str]]:
        return list_items(list_name)

    @property
    def repeat(self) -> Question | None:
        return next((q for q in self.questions if q.type == "repeat"), None)


def vn_number(value: float) -> str:
    """1500000 → '1.500.000'; 0.5 → '0,5'"""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:g}".replace(".", ",")


def _question(raw: Mapping[str, Any]) -> Question:
    if raw["type"] not in TYPES_ALL:
        raise ValueError(f"unknown question type {raw['type']!r}")
    relevant = raw.get("relevant")
    return Question(
        name=raw["name"],
        type=raw["type"],
        label=raw["label"],
        required=bool(raw.get("required", False)),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
        max_length=raw.get("max_length"),
        list_name=raw.get("list", ""),
        unit=raw.get("unit", ""),
        fact=raw.get("fact", ""),
        income=bool(raw.get("income", False)),
        relevant=(relevant["field"], relevant["equals"]) if relevant else None,
        calculation=raw.get("calculation", ""),
        questions=tuple(_question(q) for q in raw.get("questions", ())),
    )


@cache
@cache
def _raw() -> dict[str, Any]:
    """The definition as read from the package (once per process; never mutated)."""
    text = resources.files(__package__).joinpath("data/questionnaire.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def current_version() -> str:
    return str(_raw()["version"])


@cache
def load(key: str, version: str | None = None) -> Form:
    """The form ``key`` ("phieu_a" or "phieu_b") of the definition; only the current version is
    served (an older version is refused with :class:`UnknownForm`)."""
    raw = _raw()
    if version is not None and version != raw["version"]:
        raise UnknownForm(f"Phiên bản biểu mẫu không hợp lệ: “{version}” (hiện dùng {raw['version']}).")
    if key not in raw["forms"]:
        raise UnknownForm(f"Biểu mẫu không hợp lệ: “{key}”.")
    spec = raw["forms"][key]
    return Form(
        key=key,
        form_id=spec["form_id"],
        title=spec["title"],
        version=raw["version"],
        questions=tuple(_question(q) for q in spec["questions"]),
        lists=raw.get("lists", {}),
    )


def form_by_id(form_id: str, version: str | None = None) -> Form:
    for key, spec in _raw()["forms"].items():
        if spec["form_id"] == form_id:
            return load(key, version)
    raise UnknownForm(f"Biểu mẫu không hợp lệ: “{form_id}”.")


def forms() -> list[Form]:
    return [load(key) for key in _raw()["forms"]]


def list_items(list_name: str) -> list[tuple[str, str]]:
    own = _raw().get("lists", {}).get(list_name)
    if own is not None:
        return [(i["code"], i["label_vi"]) for i in own["items"]]
    return list(code_lists.labels(list_name).items())


# --- validation ---------------------------------------------------------------------------------


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _relevant(q: Question, values: Mapping[str, Any]) -> bool:
    if q.relevant is None:
        return True
    name, expected = q.relevant
    value = values.get(name)
    if isinstance(expected, bool):
        return _bool(value) is expected if not _blank(value) else False
    return str(value if value is not None else "") == str(expected)


def _geopoint(value: Any) -> dict[str, float] | None:
    """``{"lat":…, "lon":…, "accuracy":…}`` (field app, web) or ODK's "lat lon alt accuracy"."""
    try:
        if isinstance(value, Mapping):
            lat, lon = float(value["lat"]), float(value["lon"])
            acc = value.get("accuracy")
            accuracy = float(acc) if acc not in (None, "") else None
        else:
            parts = [float(p) for p in str(value).split()]
            if len(parts) < 2:
                return None
            lat, lon = parts[0], parts[1]
            accuracy = parts[3] if len(parts) > 3 else None
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or any(math.isnan(x) for x in (lat, lon)):
        return None
    out = {"lat": lat, "lon": lon}
    if accuracy is not None and accuracy >= 0:
        out["accuracy"] = accuracy
    return out


_MESSAGES: dict[Question, dict[str, str]] = {}
_CODES: dict[Question, frozenset[str]] = {}


def _messages(q: Question) -> dict[str, str]:
    """A question's messages, built once per process (the definition is immutable)."""
    msgs = _MESSAGES.get(q)
    if msgs is None:
        msgs = _MESSAGES[q] = q.messages()
    return msgs


def _codes(q: Question) -> frozenset[str]:
    codes = _CODES.get(q)
    if codes is None:
        codes = _CODES[q] = frozenset(code for code, _ in q.choices())
    return codes


def check_value(q: Question, value: Any, *, today: dt.date | None = None) -> tuple[Any, str | None]:
    """One answer: the cleaned value and a Vietnamese error (or None)."""
    msgs = _messages(q)
    if _blank(value):
        return None, (msgs["required"] if q.required else None)
    if q.type == "text":
        text = str(value).strip()
        if q.max_length and len(text) > q.max_length:
            return text, msgs["length"]
        return text, None
    if q.type in ("integer", "decimal"):
        if isinstance(value, bool):
            return value, msgs["number"]
        try:
            number: float = float(str(value).strip().replace(",", "."))
        except ValueError:
            return value, msgs["number"]
        if math.isnan(number) or math.isinf(number):
            return value, msgs["number"]
        if q.type == "integer":
            if not number.is_integer():
                return value, msgs["number"]
            number = int(number)
        if (q.minimum is not None and number < q.minimum) or (q.maximum is not None and number > q.maximum):
            return number, msgs["range"]
        return number, None
    if q.type == "date":
        try:
            day = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            return value, msgs["date"]
        lo = dt.date.fromisoformat(q.minimum) if q.minimum else dt.date(1900, 1, 1)
        if day < lo or day > (today or dt.date.today()):
            return day, msgs["date"]
        return day, None
    if q.type == "boolean":
        flag = _bool(value)
        return (flag, None) if flag is not None else (value, msgs["required"])
    if q.type == "select_one":
        code = str(value).strip()
        return (code, None) if code in _codes(q) else (code, msgs["choice"])
    if q.type == "geopoint":
        point = _geopoint(value)
        return (point, None) if point is not None else (value, msgs["geopoint"])
    if q.type == "image":
        name = str(value).strip()
        return (name, None) if PHOTO_ID_RE.match(name) else (name, msgs["image"])
    if q.type == "hidden":
        text = str(value).strip()
        return (int(text), None) if text.isdigit() else (None, None)
    return value, None


def income_per_person(answers: Mapping[str, Any], form: Form) -> int | None:
    """Income per person per month: the household's income from every source divided by the
    members living in the household (the same formula the XForm and the field app compute)."""
    sources = [q.name for q in form.questions if q.income]
    if not sources or any(not isinstance(answers.get(s), int | float) for s in sources):
        return None
    members = answers.get("member") or []
    present = sum(1 for m in members if m.get("presence") == "present")
    if present == 0:
        return None
    return round(sum(int(answers[s]) for s in sources) / present)


def validate(
    form: Form, answers: Mapping[str, Any], *, today: dt.date | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check every answer of a submission; returns the cleaned answers and ``path → message``
    (``member[2].full_name``). Unknown names are reported, not ignored."""
    if not isinstance(answers, Mapping):
        return {}, {"__all__": "Câu trả lời phải là một đối tượng (tên câu hỏi → giá trị)."}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = {q.name for q in form.questions}
    for name in answers:
        if name not in known:
            errors[str(name)] = f"Câu hỏi không có trong biểu mẫu: “{name}”."
    for q in form.questions:
        if q.type == "calculate":
            continue
        if q.type == "repeat":
            rows = answers.get(q.name) or []
            if not isinstance(rows, list):
                errors[q.name] = f"{q.label}: phải là một danh sách."
                continue
            cleaned_rows = []
            sub_known = {s.name for s in q.questions}
            for i, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    errors[f"{q.name}[{i}]"] = f"{q.label}: mỗi dòng phải là một đối tượng."
                    continue
                out_row: dict[str, Any] = {}
                for name in row:
                    if name not in sub_known:
                        errors[f"{q.name}[{i}].{name}"] = f"Câu hỏi không có trong biểu mẫu: “{name}”."
                for sub in q.questions:
                    if not _relevant(sub, row):
                        continue
                    value, error = check_value(sub, row.get(sub.name), today=today)
                    out_row[sub.name] = value
                    if error:
                        errors[f"{q.name}[{i}].{sub.name}"] = error
                cleaned_rows.append(out_row)
            cleaned[q.name] = cleaned_rows
            continue
        if not _relevant(q, answers):
            continue
        value, error = check_value(q, answers.get(q.name), today=today)
        cleaned[q.name] = value
        if error:
            errors[q.name] = error
    for q in form.questions:
        if q.type == "calculate" and q.calculation == "income_per_person":
            cleaned[q.name] = income_per_person(cleaned, form)
            if cleaned[q.name] is None and form.repeat is not None and not errors:
                errors[q.name] = (
                    "Hộ phải có ít nhất một thành viên đang sống trong hộ để tính thu nhập bình quân."
                )
    return cleaned, errors


# --- the field app's copy ------------------------------------------------------------------------


def _client_question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": q.name,
        "type": q.type,
        "label": q.label,
        "required": q.required,
        "messages": q.messages(),
    }
    for key, value in (
        ("min", q.minimum),
        ("max", q.maximum),
        ("max_length", q.max_length),
        ("unit", q.unit or None),
        ("calculation", q.calculation or None),
    ):
        if value is not None:
            out[key] = value
    if q.income:
        out["income"] = True
    if q.fact:
        out["fact"] = q.fact
    if q.relevant:
        out["relevant"] = {"field": q.relevant[0], "equals": q.relevant[1]}
    if q.choices():
        out["choices"] = [{"value": v, "label": label} for v, label in q.choices()]
    if q.questions:
        out["questions"] = [_client_question(s) for s in q.questions]
    return out


def client_definition() -> dict[str, Any]:
    """What the field app downloads: every form with its questions, choices and messages."""
    return {
        "version": current_version(),
        "forms": {
            f.key: {
                "form_id": f.form_id,
                "title": f.title,
                "version": f.version,
                "questions": [_client_question(q) for q in f.questions],
            }
            for f in forms()
        },
    }
