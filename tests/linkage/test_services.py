"""Linkage services: extract import (versions, differences, rejection), runs, decisions, gate, audit,
incremental matching and the quality figures."""

from __future__ import annotations

import datetime as dt

import pytest

from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import AuditEvent
from hongheo.linkage import services as svc
from hongheo.linkage.models import LinkageRun, LinkCandidate, LinkFinding, PopulationExtract, PopulationPerson
from hongheo.linkage.quality import quality_table, quality_workbook
from hongheo.users.models import Role

from .worlddata import extract_csv, members


def test_extract_import_and_new_version(world, linked) -> None:  # type: ignore[no-untyped-def]
    extract, _ = linked
    assert extract.state == PopulationExtract.State.DONE and extract.is_current and extract.rows == 5
    assert extract.differences["added"] == 5
    p2 = PopulationPerson.objects.get(extract=extract, person_id="P2")
    assert (p2.dob_y, p2.dob_m, p2.dob_d, p2.sex) == (2012, 3, 1, "female")
    text = extract_csv(world).replace("R3,deceased", "R3,alive") + "P6,,Võ Văn Tám,1950,Nam,,R7,moved\n"
    v2 = svc.extract_upload(
        actor=world.users[Role.PROVINCE_OFFICER], province=world.hue, name="v2.csv", data=text.encode("utf-8")
    )
    run_pending_jobs()
    v2.refresh_from_db()
    extract.refresh_from_db()
    assert v2.version == 2 and v2.is_current and not extract.is_current
    assert v2.differences["added"] == 1 and v2.differences["changed"] == 1
    assert v2.differences["fields"] == {"status": 1}
    assert AuditEvent.objects.filter(action="linkage.extract_import").count() == 2


def test_bad_extract_is_rejected_whole(world, cp1258) -> None:  # type: ignore[no-untyped-def]
    province = world.users[Role.PROVINCE_OFFICER]
    text = extract_csv(world).replace("1975-02-03", "1975-31-31").replace("P5,", "P4,")
    bad = svc.extract_upload(actor=province, province=world.hue, name="x.csv", data=cp1258(text))
    run_pending_jobs()
    bad.refresh_from_db()
    assert bad.state == PopulationExtract.State.REJECTED and not bad.is_current
    assert {(e["row"], e["column"]) for e in bad.errors} == {(3, "dob"), (4, "person_id"), (5, "person_id")}
    assert PopulationPerson.objects.filter(extract=bad).count() == 0
    missing = svc.extract_upload(
        actor=province, province=world.hue, name="y.csv", data=b"person_id,full_name\n1,A\n"
    )
    run_pending_jobs()
    missing.refresh_from_db()
    assert missing.state == PopulationExtract.State.REJECTED
    assert {e["column"] for e in missing.errors} >= {"dob", "sex", "commune_code", "personal_id"}


def test_upload_needs_the_province(world) -> None:  # type: ignore[no-untyped-def]
    data = extract_csv(world).encode()
    with pytest.raises(PermissionDenied):
        svc.extract_upload(
            actor=world.users[Role.COMMUNE_OFFICER], province=world.hue, name="a.csv", data=data
        )
    with pytest.raises(PermissionDenied):
        svc.extract_upload(
            actor=world.users[Role.PROVINCE_OFFICER], province=world.hanoi, name="a.csv", data=data
        )
    with pytest.raises(ValidationError):
        svc.extract_upload(
            actor=world.users[Role.PROVINCE_OFFICER], province=world.hue, name="a.txt", data=data
        )
    with pytest.raises(ValidationError):
        svc.run_start(actor=world.users[Role.PROVINCE_OFFICER], area=world.hue)  # no extract yet
    assert PopulationExtract.objects.count() == 0


def test_run_candidates_and_findings(world, linked) -> None:  # type: ignore[no-untyped-def]
    _, run = linked
    assert run.state == LinkageRun.State.DONE
    (an, _bich_a1), (dao, bich_a2), (duc, bich_b) = members(world)
    cands = {c.member_id: c for c in LinkCandidate.objects.filter(run=run).select_related("person")}
    assert cands[an.pk].person.person_id == "P1" and cands[an.pk].method == "exact"
    assert cands[an.pk].status == LinkCandidate.Status.ACCEPTED and cands[an.pk].differences == ["full_name"]
    assert cands[dao.pk].decision == "review" and cands[dao.pk].status == LinkCandidate.Status.PENDING
    assert cands[dao.pk].weights["dob"]["label"] == "different" and cands[dao.pk].weights["dob"]["weight"] < 0
    assert cands[duc.pk].person.person_id == "P4" and cands[duc.pk].method == "probabilistic"
    assert bich_a2.pk not in cands
    kinds = {(f.member_id, f.kind) for f in LinkFinding.objects.filter(run=run)}
    assert (bich_a2.pk, "not_found") in kinds
    assert (duc.pk, "deceased") in kinds
    assert any(k == "residence_mismatch" and m in (duc.pk, bich_b.pk) for m, k in kinds)
    assert (world.hh_c.members.first().pk, "not_found") not in kinds  # Hà Nội is outside the run
    assert run.model["comparisons"] and run.summary["decisions"]["review"] == 1


def test_decisions_are_gated_and_audited(world, linked) -> None:  # type: ignore[no-untyped-def]
    _, run = linked
    (an, _), (dao, _), (_, bich_b) = members(world)
    officer = world.users[Role.COMMUNE_OFFICER]
    dao_c = LinkCandidate.objects.get(run=run, member=dao)
    # taking a date of birth that disagrees with the member's ID number is refused; nothing changes
    with pytest.raises(ValidationError):
        svc.candidate_accept(actor=officer, candidate=dao_c, take_fields=["date_of_birth"])
    dao_c.refresh_from_db()
    dao.refresh_from_db()
    assert dao_c.status == LinkCandidate.Status.PENDING and dao.date_of_birth == dt.date(1980, 5, 17)
    svc.candidate_field_check(actor=officer, candidate=dao_c, note="hẹn xác minh")
    svc.candidate_accept(actor=officer, candidate=dao_c)
    dao_c.refresh_from_db()
    assert dao_c.status == LinkCandidate.Status.ACCEPTED and dao_c.decided_by == officer
    # take the population's name for An: through the registry service, audited there
    an_c = LinkCandidate.objects.get(run=run, member=an)
    svc.candidate_accept(actor=officer, candidate=an_c, take_fields=["full_name"])
    an.refresh_from_db()
    assert an.full_name == "Nguyễn Văn Ân"
    assert AuditEvent.objects.filter(action="registry.member_update", object_id=str(an.pk)).exists()
    assert AuditEvent.objects.filter(action="linkage.candidate_accept").count() == 2
    with pytest.raises(Exception, match="lấy thông tin"):
        svc.candidate_reject(actor=officer, candidate=an_c)
    # commune B is not the officer's: looks like not found
    b_c = LinkCandidate.objects.get(run=run, member=bich_b)
    with pytest.raises(NotFound):
        svc.candidate_reject(actor=officer, candidate=b_c)
    with pytest.raises(NotFound):
        svc.candidate_for(officer, b_c.pk)
    with pytest.raises(PermissionDenied):
        svc.candidate_reject(actor=world.users[Role.SURVEYOR], candidate=an_c)
    svc.candidate_reject(actor=world.users[Role.PROVINCE_OFFICER], candidate=b_c, note="khác người")
    b_c.refresh_from_db()
    assert b_c.status == LinkCandidate.Status.REJECTED


def test_bulk_accept(world, linked) -> None:  # type: ignore[no-untyped-def]
    _, run = linked
    province = world.users[Role.PROVINCE_OFFICER]
    assert svc.candidates_bulk_accept(actor=province, run=run, min_probability=0.99) == 0
    assert svc.candidates_bulk_accept(actor=province, run=run, min_probability=0.5) == 1
    assert not LinkCandidate.objects.filter(run=run, status=LinkCandidate.Status.PENDING).exists()
    with pytest.raises(ValidationError):
        svc.candidates_bulk_accept(actor=province, run=run, min_probability=0.1)


def test_match_person_incremental(world, linked) -> None:  # type: ignore[no-untyped-def]
    record = {"full_name": "Phạm Minh Đức", "dob": "1980", "sex": "Nam", "commune_code": world.commune_b.code}
    found = svc.match_person(province=world.hue, record=record)
    assert found[0][1].person_id == "P4" and found[0][0].decision == "auto"
    assert svc.match_person(province=world.hue, record={"full_name": "Không Có", "dob": "1901"}) == []
    assert svc.match_person(province=world.hanoi, record=record) == []  # no extract there
    with pytest.raises(ValidationError):
        svc.match_person(province=world.hue, record={"full_name": "A", "dob": "ngày mai"})


def test_quality_figures_and_export(world, linked) -> None:  # type: ignore[no-untyped-def]
    rows, total = quality_table(world.users[Role.PROVINCE_OFFICER], world.hue)
    by = {r["commune"]: r for r in rows}
    a = by[world.commune_a.code]
    assert a["members"] == 4 and a["valid_ids"] == 4 and a["complete"] == 4
    assert a["linked"] == 2  # An and Bích (exact); Đào waits for review, Bích of A2 is not found
    assert by[world.commune_b.code]["not_alive_or_resident"] == 1
    assert total["members"] == 6
    only_a, _ = quality_table(world.users[Role.COMMUNE_OFFICER], world.hue)
    assert [r["commune"] for r in only_a] == [world.commune_a.code]
    assert quality_workbook(rows, total, world.hue)[:2] == b"PK"
