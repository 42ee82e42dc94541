"""The questionnaire as an XLSForm (rows of ``survey`` / ``choices`` / ``settings``) and, through
pyxform, as the XForm that ODK Collect downloads.

The household to survey is picked from ``households.csv`` (a pre-loaded CSV the OpenRosa manifest
serves for the surveyor's villages); the household's version at download is pulled from the same
CSV so the server can tell whether the household changed since (conflict).
"""

from __future__ import annotations

from typing import Any

from . import Form, Question

HOUSEHOLD_CSV = "households"
BOOL_LIST = "yes_no"


def constraint(q: Question) -> str:
    """The XPath constraint of a question (the same bounds :func:`validate` applies)."""
    if q.type in ("integer", "decimal") and q.minimum is not None and q.maximum is not None:
        return f". >= {q.minimum} and . <= {q.maximum}"
    if q.type == "text" and q.max_length:
        return f"string-length(.) <= {q.max_length}"
    if q.type == "date":
        return f". >= date('{q.minimum or '1900-01-01'}') and . <= today()"
    return ""


def constraint_message(q: Question) -> str:
    msgs = q.messages()
    for key in ("range", "length", "date"):
        if key in msgs:
            return msgs[key]
    return ""


def relevant(q: Question) -> str:
    if q.relevant is None:
        return ""
    name, expected = q.relevant
    value = ("1" if expected else "0") if isinstance(expected, bool) else str(expected)
    return f"${{{name}}} = '{value}'"


def _type(q: Question) -> str:
    if q.type == "boolean":
        return f"select_one {BOOL_LIST}"
    if q.type == "select_one":
        return f"select_one {q.list_name}"
    return {"repeat": "begin_repeat"}.get(q.type, q.type)


def _row(q: Question) -> dict[str, Any]:
    row: dict[str, Any] = {"type": _type(q), "name": q.name, "label": q.label}
    if q.required and q.type not in ("hidden", "calculate"):
        row["required"] = "yes"
        row["required_message"] = q.messages()["required"]
    if constraint(q):
        row["constraint"] = constraint(q)
        row["constraint_message"] = constraint_message(q)
    if relevant(q):
        row["relevant"] = relevant(q)
    if q.type == "image":
        row["parameters"] = "max-pixels=1600"
    if q.type == "hidden":
        row = {"type": "hidden", "name": q.name, "label": q.label}
    return row


def xlsform(form: Form) -> dict[str, list[dict[str, Any]]]:
    survey: list[dict[str, Any]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {
            "type": f"select_one_from_file {HOUSEHOLD_CSV}.csv",
            "name": "household",
            "label": "Hộ được khảo sát",
            "required": "yes",
            "required_message": "Hộ được khảo sát: chọn một giá trị.",
        },
        {
            "type": "calculate",
            "name": "base_version",
            "calculation": f"pulldata('{HOUSEHOLD_CSV}', 'version', 'name', ${{household}})",
        },
    ]
    lists: list[str] = []
    income = [q.name for q in form.questions if q.income]
    for q in form.questions:
        if q.type == "calculate":
            if q.calculation == "income_per_person":
                total = " + ".join(f"${{{n}}}" for n in income)
                per_person = f"round(({total}) div sum(${{present}}), 0)"
                survey.append(
                    {
                        "type": "calculate",
                        "name": q.name,
                        "label": q.label,
                        "calculation": f"if(sum(${{present}}) > 0, {per_person}, '')",
                    }
                )
            continue
        survey.append(_row(q))
        if q.type == "select_one" and q.list_name not in lists:
            lists.append(q.list_name)
        if q.type == "repeat":
            for sub in q.questions:
                survey.append(_row(sub))
                if sub.type == "select_one" and sub.list_name not in lists:
                    lists.append(sub.list_name)
            survey.append(
                {"type": "calculate", "name": "present", "calculation": "if(${presence} = 'present', 1, 0)"}
            )
            survey.append({"type": "end_repeat"})
    choices: list[dict[str, Any]] = [
        {"list_name": BOOL_LIST, "name": "1", "label": "Có"},
        {"list_name": BOOL_LIST, "name": "0", "label": "Không"},
    ]
    for list_name in lists:
        choices.extend(
            {"list_name": list_name, "name": code, "label": label}
            for code, label in form.question_choices(list_name)
        )
    settings = [{"form_id": form.form_id, "version": form.version, "form_title": form.title}]
    return {"survey": survey, "choices": choices, "settings": settings}


def xform(form: Form) -> bytes:
    """The XForm bytes (deterministic for a given definition version)."""
    from pyxform.xls2xform import convert

    result = convert(xlsform(form), form_name="data", pretty_print=False)
    return result.xform.encode("utf-8")
