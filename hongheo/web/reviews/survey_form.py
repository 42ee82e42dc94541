"""The web Phiếu B, generated from the one questionnaire definition
(:mod:`hongheo.capture.questionnaire`): household questions, one block per member (repeat group),
income by source with the income per person computed, GPS, photos, remarks.

The form only parses: it turns the POST into the questionnaire's answers, and the one submission
service (:func:`hongheo.fieldwork.services.submission_receive`, channel "web") validates them with
the same rules as the field app and ODK Collect; its field errors are shown beside the fields.
The ``data-*`` attributes give ``static/web/reviews.js`` the same messages to show as the user types.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from hongheo.capture import questionnaire as q

FORM_KEY = "phieu_b"


def member_field_name(index: int, name: str) -> str:
    return f"member-{index}-{name}"


def field_name_for_path(path: str) -> str:
    """``member[2].in_school`` (the service's error path) → ``member-2-in_school``."""
    if path.startswith("member[") and "]." in path:
        index, name = path[len("member[") :].split("].", 1)
        return member_field_name(int(index), name)
    return path


def _attrs(question: q.Question) -> dict[str, Any]:
    msgs = question.messages()
    attrs: dict[str, Any] = {
        "data-msg-required": msgs["required"] if question.required else "",
        "data-label": question.label,
    }
    if not question.required or question.relevant is not None:
        # a question that depends on another answer is checked by the server only
        attrs.pop("data-msg-required")
    if question.type in ("integer", "decimal"):
        attrs.update(
            {
                "data-kind": "int" if question.type == "integer" else "float",
                "data-min": question.minimum,
                "data-max": question.maximum,
                "data-msg-number": msgs["number"],
                "data-msg-range": msgs.get("range", ""),
                "inputmode": "numeric" if question.type == "integer" else "decimal",
            }
        )
    return attrs


def _field(question: q.Question) -> forms.Field:
    attrs = _attrs(question)
    label = gettext(question.label) + (
        f" ({question.unit})" if question.unit and question.unit not in question.label else ""
    )
    if question.type in ("select_one", "boolean"):
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "— chọn —"), *question.choices()],
            widget=forms.Select(attrs=attrs),
        )
    if question.type in ("integer", "decimal"):
        if question.type == "decimal":
            attrs["step"] = "any"
        return forms.CharField(label=label, required=False, widget=forms.NumberInput(attrs=attrs))
    if question.type == "date":
        return forms.CharField(
            label=label, required=False, widget=forms.DateInput(attrs={**attrs, "type": "date"})
        )
    if question.type == "text":
        widget: forms.Widget = (
            forms.Textarea(attrs={**attrs, "rows": 2})
            if (question.max_length or 0) > 200
            else forms.TextInput(attrs=attrs)
        )
        return forms.CharField(label=label, required=False, widget=widget)
    if question.type == "image":
        return forms.FileField(
            label=label,
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
    return forms.CharField(label=label, required=False, widget=forms.HiddenInput)


def _initial_value(question: q.Question, value: Any) -> Any:
    if value is None:
        return ""
    if question.type == "boolean":
        return "1" if value else "0"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class SurveyForm(forms.Form):
    """Phiếu B of one household of the registry (its active members pre-filled)."""

    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    gps_lat = forms.FloatField(
        label=gettext_lazy("Vĩ độ (GPS)"), required=False, widget=forms.NumberInput(attrs={"step": "any"})
    )
    gps_lon = forms.FloatField(
        label=gettext_lazy("Kinh độ (GPS)"), required=False, widget=forms.NumberInput(attrs={"step": "any"})
    )

    def __init__(
        self,
        *args: Any,
        household: Any,
        recorded: Any = None,
        previous: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Initial values: the answers of this round's last Phiếu B (``previous``), else the facts
        it recorded (``recorded``, a FactRecord), else the household's facts of record."""
        super().__init__(*args, **kwargs)
        self.definition = q.load(FORM_KEY)
        self.household = household
        self.members = list(household.members.filter(is_active=True).order_by("pk"))
        self.layout: list[tuple[str, Any]] = []
        initial: dict[str, Any] = {"submission_id": str(uuid.uuid4())}
        previous = previous or {}
        recorded_facts = dict(getattr(recorded, "household_facts", None) or {})
        recorded_members = {
            m.get("member_id"): m
            for m in (getattr(recorded, "member_facts", None) or [])
            if isinstance(m, dict)
        }
        previous_members = {
            row.get("member_id"): row for row in previous.get("member") or [] if isinstance(row, dict)
        }
        if household.latitude is not None:
            initial.update({"gps_lat": household.latitude, "gps_lon": household.longitude})
        for question in self.definition.questions:
            if question.type == "calculate":
                self.layout.append(("calc", question))
            elif question.type == "geopoint":
                self.layout.append(("gps", question))
            elif question.type == "repeat":
                blocks = []
                for i, member in enumerate(self.members):
                    names = []
                    for sub in question.questions:
                        name = member_field_name(i, sub.name)
                        field = _field(sub)
                        if sub.name in ("member_id", "full_name", "date_of_birth", "sex", "relation_to_head"):
                            field.widget = forms.HiddenInput()
                        self.fields[name] = field
                        value = member.pk if sub.name == "member_id" else getattr(member, sub.name, None)
                        known = previous_members.get(member.pk) or recorded_members.get(member.pk) or {}
                        if sub.fact == "member" and sub.name in known:
                            value = known[sub.name]
                        initial[name] = "present" if sub.name == "presence" else _initial_value(sub, value)
                        names.append(name)
                    blocks.append((member, names))
                self.layout.append(("members", blocks))
            else:
                self.fields[question.name] = _field(question)
                if question.name in previous:
                    value = previous[question.name]
                elif question.name in recorded_facts:
                    value = recorded_facts[question.name]
                else:
                    value = getattr(household, question.name, None)
                initial[question.name] = _initial_value(question, value)
                self.layout.append(("field", question.name))
        for name, value in initial.items():
            self.initial.setdefault(name, value)

    def member_blocks(self) -> list[tuple[Any, list[Any]]]:
        for kind, value in self.layout:
            if kind == "members":
                return [(m, [self[n] for n in names]) for m, names in value]
        return []

    def answers(self) -> dict[str, Any]:
        """The POST as questionnaire answers (raw strings: the service validates)."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for question in self.definition.questions:
            if question.type in ("calculate", "image"):
                continue
            if question.type == "geopoint":
                if data.get("gps_lat") is not None and data.get("gps_lon") is not None:
                    out["gps"] = {"lat": data["gps_lat"], "lon": data["gps_lon"]}
                continue
            if question.type == "repeat":
                rows = []
                for i in range(len(self.members)):
                    rows.append(
                        {
                            sub.name: data.get(member_field_name(i, sub.name))
                            for sub in question.questions
                            if data.get(member_field_name(i, sub.name)) not in (None, "")
                        }
                    )
                out["member"] = rows
                continue
            value = data.get(question.name)
            if value not in (None, ""):
                out[question.name] = value
        return out

    def photos(self) -> dict[str, Any]:
        return {
            question.name: self.cleaned_data.get(question.name)
            for question in self.definition.questions
            if question.type == "image" and self.cleaned_data.get(question.name)
        }

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for path, message in errors.items():
            name = field_name_for_path(path)
            if name == "gps":
                name = "gps_lat"
            if name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, message)

    def income_per_person(self) -> int | None:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return getattr(self.household, "income_per_capita", None)
        cleaned, _ = q.validate(self.definition, self.answers())
        return cleaned.get("income_per_capita")
