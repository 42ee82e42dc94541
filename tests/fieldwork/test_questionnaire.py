"""One questionnaire, three renderings: the web form, the field app's copy and the ODK XForm ask
the same questions with the same constraints (required, bounds, choices, messages)."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree as ET

from hongheo.capture import questionnaire as q
from hongheo.capture.questionnaire.xlsform import xform

XF = "{http://www.w3.org/2002/xforms}"
JR = "{http://openrosa.org/javarosa}"
RANGE = re.compile(r"^\. >= ([\d.]+) and \. <= ([\d.]+)$")


def _expected(form: q.Form) -> dict[str, dict]:
    out = {}
    for question in form.walk():
        if question.type in ("repeat", "calculate", "hidden"):
            continue
        bounds = (
            (float(question.minimum), float(question.maximum))
            if question.type in ("integer", "decimal")
            else None
        )
        out[question.name] = {
            "required": question.required,
            "bounds": bounds,
            "choices": sorted(v for v, _ in question.choices()) or None,
            "required_message": question.messages()["required"],
        }
    return out


def _from_xform(form: q.Form) -> dict[str, dict]:
    root = ET.fromstring(xform(form))
    model = root.find(f".//{XF}model")
    instances = {i.get("id"): i for i in model.findall(f"{XF}instance") if i.get("id")}
    choices: dict[str, list[str]] = {}
    for select in root.iter(f"{XF}select1"):
        name = select.get("ref").rsplit("/", 1)[-1]
        itemset = select.find(f"{XF}itemset")
        list_id = re.match(r"instance\('([^']+)'\)", itemset.get("nodeset")).group(1)
        if list_id in instances:
            choices[name] = sorted(n.text for n in instances[list_id].iter(f"{XF}name"))
    out = {}
    for bind in model.findall(f"{XF}bind"):
        name = bind.get("nodeset").rsplit("/", 1)[-1]
        if name in (
            "instanceID",
            "start",
            "end",
            "household",
            "base_version",
            "present",
            "income_per_capita",
        ):
            continue
        if bind.get("type") == "string" and bind.get("readonly") == "true()":
            continue
        match = RANGE.match(bind.get("constraint") or "")
        out[name] = {
            "required": bind.get("required") == "true()",
            "bounds": (float(match.group(1)), float(match.group(2))) if match else None,
            "choices": choices.get(name),
            "required_message": bind.get(f"{JR}requiredMsg")
            or q.form_by_id(form.form_id).question(name).messages()["required"],
        }
    return {k: v for k, v in out.items() if k != "member_id"}


def _from_client(form: q.Form) -> dict[str, dict]:
    spec = q.client_definition()["forms"][form.key]
    out = {}

    def walk(items):
        for item in items:
            if item["type"] in ("repeat",):
                walk(item["questions"])
                continue
            if item["type"] in ("calculate", "hidden"):
                continue
            bounds = (
                (float(item["min"]), float(item["max"])) if item["type"] in ("integer", "decimal") else None
            )
            out[item["name"]] = {
                "required": item["required"],
                "bounds": bounds,
                "choices": sorted(c["value"] for c in item.get("choices", [])) or None,
                "required_message": item["messages"]["required"],
            }

    walk(spec["questions"])
    return out


def _from_web(world) -> dict[str, dict]:
    from hongheo.web.reviews.survey_form import SurveyForm

    form = SurveyForm(household=world.hh_a1)
    definition = q.load("phieu_b")
    out = {}
    for question in definition.walk():
        if question.type in ("repeat", "calculate", "hidden"):
            continue
        if question.type == "geopoint":
            assert {"gps_lat", "gps_lon"} <= set(form.fields)
            out[question.name] = _expected(definition)[question.name]  # two number inputs
            continue
        name = question.name
        if question in definition.repeat.questions:
            name = f"member-0-{question.name}"
        field = form.fields[name]
        attrs = field.widget.attrs
        choices = [v for v, _ in getattr(field, "choices", []) if v != ""]
        out[question.name] = {
            "required": question.required,  # the service requires it; the browser shows data-msg-required
            "bounds": (float(attrs["data-min"]), float(attrs["data-max"])) if "data-min" in attrs else None,
            "choices": sorted(choices) or None,
            "required_message": attrs.get("data-msg-required", question.messages()["required"]),
        }
        if question.required and question.relevant is None and not field.widget.is_hidden:
            assert attrs.get("data-msg-required") == question.messages()["required"]
    return out


@pytest.mark.parametrize("key", ["phieu_a", "phieu_b"])
def test_xform_and_field_app_ask_the_same(key):
    form = q.load(key)
    expected = _expected(form)
    assert _from_client(form) == expected
    assert _from_xform(form) == expected


def test_web_form_asks_the_same(world):
    assert _from_web(world) == _expected(q.load("phieu_b"))


def test_xform_is_byte_stable():
    form = q.load("phieu_b")
    assert xform(form) == xform(form)


def test_one_validation_for_every_channel():
    form = q.load("phieu_b")
    _, errors = q.validate(form, {"floor_area_m2": "0,2", "toilet": "gold", "surprise": 1, "member": [{}]})
    assert errors["floor_area_m2"] == "Diện tích nhà ở: phải từ 0,5 đến 10.000 m²."
    assert errors["toilet"] == "Nhà tiêu: giá trị không có trong danh mục."
    assert errors["surprise"].startswith("Câu hỏi không có trong biểu mẫu")
    assert errors["member[0].presence"] == "Tình trạng: chọn một giá trị."
    with pytest.raises(q.UnknownForm):
        q.load("phieu_b", "2019.1")
