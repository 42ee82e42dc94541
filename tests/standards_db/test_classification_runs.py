from __future__ import annotations

import datetime as dt

import pytest

from hongheo.core.errors import Conflict, PermissionDenied
from hongheo.registry.services import household_update_facts
from hongheo.standards.classification import classification_run
from hongheo.standards.models import ClassificationRun, HouseholdClassification
from hongheo.standards.rules.catalog import get_standard
from hongheo.standards.rules.engine import classify_household
from hongheo.users.models import Role

REF = dt.date(2026, 9, 1)


@pytest.fixture
def seeded(db):
    from hongheo.geography.models import Area
    from hongheo.registry.demo import population_load

    population_load(actor=None, province_code=46, households=400, communes=2, seed=3)
    return Area.objects.get(code="46")


def _facts(h):
    return {
        "area": h.commune.setting,
        **{
            k: getattr(h, k)
            for k in (
                "housing_quality",
                "floor_area_m2",
                "water_source",
                "toilet",
                "waste_handling",
                "internet",
                "information_devices",
                "income_per_capita",
            )
        },
    }


def _members(h):
    fields = (
        "date_of_birth",
        "sex",
        "relation_to_head",
        "health_insurance",
        "in_school",
        "education_level",
        "has_qualification",
        "employment",
        "disability",
        "disability_allowance",
        "undernourished",
    )
    return [{k: getattr(m, k) for k in fields} for m in h.members.all()]


def test_official_run_classifies_every_household_like_the_single_path(seeded):
    run = classification_run(actor=None, area=seeded, reference_date=REF)
    assert run.state == "done" and run.standard_code == "vn-2022-2025"
    results = list(HouseholdClassification.objects.filter(run=run).select_related("household__commune"))
    assert len(results) == 400 == run.households
    assert all(r.is_current for r in results)
    std = get_standard("vn-2022-2025")
    for r in results[:150]:
        single = classify_household(
            std, _facts(r.household), members=_members(r.household), reference_date=REF
        )
        assert (r.classification, r.deprived_count, r.reason) == (
            single.classification,
            single.deprived_count,
            single.reason,
        )
        assert sorted(r.deprived_codes) == sorted(i.code for i in single.indicators if i.deprived)
    poor = sum(c.get("poor", 0) for c in run.summary["communes"].values())
    assert poor == sum(1 for r in results if r.classification == "poor")


def test_rerun_records_what_changed_and_keeps_one_current(seeded):
    first = classification_run(actor=None, area=seeded, reference_date=REF)
    target = (
        HouseholdClassification.objects.filter(run=first, classification="poor")
        .select_related("household")
        .first()
    )
    assert target is not None, "the synthetic province has poor households"
    household_update_facts(actor=None, household=target.household, facts={"income_per_capita": 9_000_000})
    second = classification_run(actor=None, area=seeded, reference_date=REF)
    commune = str(target.household.commune_id)
    assert (
        second.changes[commune].get("poor→not_poor", 0) + second.changes[commune].get("poor→average", 0) == 1
    )
    assert HouseholdClassification.objects.filter(household=target.household, is_current=True).count() == 1
    assert HouseholdClassification.objects.get(household=target.household, is_current=True).run == second
    # the changed household keeps its previous result as history; an unchanged one keeps one row
    assert HouseholdClassification.objects.filter(household=target.household).count() == 2
    unchanged = HouseholdClassification.objects.filter(run=second).exclude(household=target.household).first()
    assert HouseholdClassification.objects.filter(household=unchanged.household).count() == 1
    assert HouseholdClassification.objects.filter(run=second).count() == 400


def test_crash_while_writing_keeps_previous_results(seeded, monkeypatch):
    first = classification_run(actor=None, area=seeded, reference_date=REF)
    from hongheo.standards import classification as module

    calls = {"n": 0}
    original = module.insert_frame

    def flaky(model, frame, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return original(model, frame, **kwargs)

    monkeypatch.setattr(module, "WRITE_CHUNK", 100)
    monkeypatch.setattr(module, "insert_frame", flaky)
    with pytest.raises(OSError):
        classification_run(actor=None, area=seeded, reference_date=REF)
    failed = ClassificationRun.objects.exclude(pk=first.pk).get()
    assert failed.state == "failed"
    assert not HouseholdClassification.objects.filter(run=failed).exists()
    assert HouseholdClassification.objects.filter(is_current=True, run=first).count() == 400


def test_what_if_counts_without_touching_official_results(seeded):
    official = classification_run(actor=None, area=seeded, reference_date=REF)
    what_if = classification_run(
        actor=None, area=seeded, standard_code="vn-2026-2030", reference_date=REF, kind="what_if"
    )
    assert what_if.households == 400
    assert not HouseholdClassification.objects.filter(run=what_if).exists()
    from hongheo.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="standards.what_if_run", object_id=str(what_if.pk)).exists()
    assert HouseholdClassification.objects.filter(is_current=True, run=official).count() == 400
    # higher income lines under 2026–2030: never fewer poor
    poor = lambda run: sum(c.get("poor", 0) for c in run.summary["communes"].values())  # noqa: E731
    assert poor(what_if) >= poor(official)


def test_who_may_classify(world):
    with pytest.raises(PermissionDenied):
        classification_run(actor=world.users[Role.SURVEYOR], area=world.commune_a)
    with pytest.raises(PermissionDenied):
        classification_run(actor=world.users[Role.COMMUNE_OFFICER], area=world.commune_b)
    run = classification_run(
        actor=world.users[Role.COMMUNE_OFFICER], area=world.commune_a, reference_date=REF
    )
    assert run.households == 2


def test_provincial_standard_published_as_data(world):
    from hongheo.standards.selectors import standard_in_force
    from hongheo.standards.services import standard_draft_save, standard_publish

    doc = {
        **{k: v for k, v in get_standard("vn-2022-2025").document.items() if k not in ("dimensions",)},
        "code": "hue-2026",
        "title": "Chuẩn nghèo riêng của Huế (thử nghiệm)",
        "scope": "province",
        "province_code": "46",
        "based_on": "vn-2022-2025",
        "effective_from": "2026-01-01",
        "effective_to": "2026-12-31",
    }
    admin = world.users[Role.ADMINISTRATOR]
    with pytest.raises(PermissionDenied):
        standard_draft_save(actor=world.users[Role.PROVINCE_OFFICER], document=doc)
    draft = standard_draft_save(actor=admin, document=doc)
    assert standard_in_force(dt.date(2026, 6, 1), province_code="46").code == "vn-2022-2025"
    standard_publish(actor=admin, standard=draft)
    assert standard_in_force(dt.date(2026, 6, 1), province_code="46").code == "hue-2026"
    assert standard_in_force(dt.date(2026, 6, 1), province_code="01").code == "vn-2022-2025"
    with pytest.raises(Conflict):
        standard_draft_save(actor=admin, document={**doc, "title": "sửa"})
    with pytest.raises(Conflict):
        standard_publish(actor=admin, standard=draft)


def test_rerun_keeps_when_an_unchanged_result_holds_since(seeded):
    """An identical re-run replaces the unchanged results by rows of the new run that keep the time
    since when they hold, so a report on a past date (which reads the result computed on or before
    it) still finds them; a changed result is new from now."""
    import datetime as dt

    from django.utils import timezone

    first = classification_run(actor=None, area=seeded, reference_date=REF)
    past = timezone.make_aware(dt.datetime(2025, 3, 4, 5, 6, 7, 891011))
    HouseholdClassification.objects.filter(run=first).update(classified_at=past)
    target = HouseholdClassification.objects.filter(run=first, classification="poor").first()
    assert target is not None
    household_update_facts(actor=None, household=target.household, facts={"income_per_capita": 9_000_000})
    before_second = timezone.now()
    second = classification_run(actor=None, area=seeded, reference_date=REF)
    rows = HouseholdClassification.objects.filter(run=second)
    assert rows.count() == 400
    unchanged = rows.exclude(household=target.household)
    assert set(unchanged.values_list("classified_at", flat=True)) == {past}
    changed = rows.get(household=target.household)
    assert changed.classified_at >= before_second
    # the old result of the changed household stays as history with its own time
    old = HouseholdClassification.objects.get(household=target.household, is_current=False)
    assert old.classified_at == past
