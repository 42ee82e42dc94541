"""OpenRosa for ODK Collect: the XForms (bytes fixed per definition version, so their md5 is
stable), the households CSV of the manifest, and reading a submission XML back into answers of
the one questionnaire. XML is parsed with defusedxml only."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from hongheo.capture import questionnaire as q
from hongheo.capture.questionnaire.xlsform import HOUSEHOLD_CSV, xform
from hongheo.core.errors import ValidationError
from hongheo.geography.models import Area
from hongheo.registry.access import household_qs_for_user

from .services import household_version

MAX_XML_BYTES = 2 * 1024 * 1024
CSV_NAME = f"{HOUSEHOLD_CSV}.csv"


def odk_server_url(base: str, token_key: str, commune_code: str) -> str:
    """The "server URL" ODK Collect is configured with (it appends /formList, /submission)."""
    return f"{base.rstrip('/')}/odk/v1/key/{token_key}/projects/{commune_code}"


@cache
def form_bytes(form_id: str) -> bytes:
    """The XForm served at the download URL; generated once per process from the definition
    (deterministic, so every worker serves the same bytes and the same md5)."""
    return xform(q.form_by_id(form_id))


def md5(content: bytes) -> str:
    return "md5:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def households_csv(user: Any, commune: Area) -> bytes:
    """The pre-loaded household list of the user's villages in this commune (name = household id,
    label = code and head, version = for conflict detection)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "label", "code", "version"])
    rows = (
        household_qs_for_user(user)
        .filter(commune=commune, is_active=True)
        .select_related("village")
        .order_by("village__name", "head_sort_key", "pk")
    )
    for h in rows:
        village = f" · {h.village.name}" if h.village else ""
        writer.writerow([h.pk, f"{h.code} · {h.head_name}{village}", h.code, household_version(h)])
    return buf.getvalue().encode("utf-8")


@dataclass(frozen=True)
class ParsedSubmission:
    form_id: str
    form_version: str
    instance_id: str
    household_id: str
    base_version: str
    started_at: str
    ended_at: str
    answers: dict[str, Any]
    attachments: list[str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Element, name: str) -> Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def parse_submission(xml: bytes) -> ParsedSubmission:
    if len(xml) > MAX_XML_BYTES:
        raise ValidationError(_("Tệp XML của phiếu quá lớn."), code="xml_too_big")
    try:
        root = SafeET.fromstring(xml)
    except Exception:
        raise ValidationError(
            _("Tệp XML của phiếu không đọc được (sai cú pháp hoặc không an toàn)."), code="bad_xml"
        )
    form_id = root.get("id") or ""
    version = root.get("version") or ""
    try:
        form = q.form_by_id(form_id, version)
    except q.UnknownForm as exc:
        raise ValidationError(str(exc), code="unknown_form")
    meta = _child(root, "meta")
    instance_id = _text(_child(meta, "instanceID")) if meta is not None else ""
    if not instance_id:
        raise ValidationError(_("Phiếu thiếu mã instanceID."), code="bad_id")
    answers: dict[str, Any] = {}
    attachments: list[str] = []
    for question in form.questions:
        if question.type == "calculate":
            continue
        if question.type == "repeat":
            rows = []
            for el in root:
                if _local(el.tag) != question.name:
                    continue
                row = {}
                for sub in question.questions:
                    value = _text(_child(el, sub.name))
                    if value != "":
                        row[sub.name] = value
                rows.append(row)
            answers[question.name] = rows
            continue
        value = _text(_child(root, question.name))
        if value != "":
            answers[question.name] = value
            if question.type == "image":
                attachments.append(value)
    return ParsedSubmission(
        form_id=form.form_id,
        form_version=form.version,
        instance_id=instance_id,
        household_id=_text(_child(root, "household")),
        base_version=_text(_child(root, "base_version")),
        started_at=_text(_child(root, "start")),
        ended_at=_text(_child(root, "end")),
        answers=answers,
        attachments=attachments,
    )
