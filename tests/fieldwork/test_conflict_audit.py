"""Issue 8, item 6 on the field surface: the officer's conflict page shows the household's and the
members' facts on both sides (income, health insurance, disability…): each view is an audited read."""

from __future__ import annotations

from django.test import Client

from hongheo.core.models import AuditEvent
from hongheo.fieldwork import services as fs
from hongheo.fieldwork.models import FieldConflict

from .conftest import answers_for


def test_conflict_page_is_an_audited_sensitive_read(field, new_id):
    base = fs.household_version(field.hh_a1)

    def send(income):
        return fs.submission_receive(
            actor=field.surveyor,
            channel="app",
            client_id=new_id(),
            form_id="hn_phieu_b",
            form_version="2025.1",
            household_id=field.hh_a1.pk,
            answers=answers_for(field.hh_a1, income=income),
            base_version=base,
        )

    send(1_000_000)
    conflict = FieldConflict.objects.get(submission=send(4_000_000).submission)
    client = Client()
    client.force_login(field.officer)
    assert client.get(f"/thuc-dia/xung-dot/{conflict.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="fieldwork.conflict_view")
    assert event.kind == "read" and event.household_code == field.hh_a1.code and event.actor == field.officer
    assert "income_per_capita" in event.fields and "health_insurance" in event.fields
