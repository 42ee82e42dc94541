"""The indicative self-assessment equals the official classification of the same facts: over
random households, what the portal tells the person equals what the Phiếu B step computes from the
household the portal put in the registry (same engine, same standard, same reference date)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hongheo.capture.portal import services as portal
from hongheo.capture.portal.assessment import next_decision
from hongheo.registry import code_lists
from hongheo.standards.facts import classify_record, classify_registered_household
from tests.portal.test_portal_services import TODAY, payload, pid

_address = itertools.count()

maybe_bool = st.sampled_from([True, False, None])


def code(list_name: str):
    return st.sampled_from(["", *code_lists.codes(list_name)])


member = st.fixed_dictionaries(
    {
        "date_of_birth": st.dates(dt.date(1930, 1, 1), dt.date(2026, 9, 1)),
        "sex": st.sampled_from(["male", "female"]),
        "relation_to_head": st.sampled_from(["spouse", "child", "parent", "grandchild", "other"]),
        "in_school": maybe_bool,
        "health_insurance": maybe_bool,
        "has_qualification": maybe_bool,
        "disability": st.booleans(),
        "education_level": code("education_level"),
        "employment": code("employment"),
    }
)
living = st.fixed_dictionaries(
    {
        "housing_quality": code("housing_quality"),
        "floor_area_m2": st.one_of(st.none(), st.integers(1, 400)),
        "water_source": code("water_source"),
        "toilet": code("toilet"),
        "waste_handling": code("waste_handling"),
        "internet": maybe_bool,
        "information_devices": st.one_of(st.none(), st.integers(0, 6)),
    }
)
income = st.fixed_dictionaries(
    {
        "source": st.sampled_from(list(code_lists.codes("income_source"))),
        "amount": st.integers(0, 90_000_000),
        "period": st.sampled_from(["month", "year"]),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head=member,
    others=st.lists(member, max_size=5),
    living=living,
    incomes=st.lists(income, max_size=4),
    urban=st.booleans(),
)
def test_self_assessment_equals_the_official_result(world, head, others, living, incomes, urban):
    commune = world.commune_a
    commune.setting = "urban" if urban else "rural"
    commune.save(update_fields=["setting"])
    data = payload(commune, world.village_a1)
    head = {**head, "relation_to_head": "head", "full_name": "Chủ Hộ Thử"}
    head["personal_id"] = pid(head["date_of_birth"], head["sex"])
    rows = [head] + [{**m, "full_name": f"Người {i}", "personal_id": ""} for i, m in enumerate(others)]
    for r in rows:
        r["date_of_birth"] = r["date_of_birth"].isoformat()
    data.update(
        client_key=str(uuid.uuid4()),
        members=rows,
        living={k: v for k, v in living.items() if v not in ("", None)},
        incomes=incomes,
    )
    data["declarant"].update(
        personal_id=head["personal_id"],
        date_of_birth=head["date_of_birth"],
        sex=head["sex"],
        full_name="Chủ Hộ Thử",
    )
    indicative = portal.self_assessment(payload=data, today=TODAY)
    receipt = portal.portal_submit(actor=None, payload=data, address=f"10.9.{next(_address)}", today=TODAY)
    portal.portal_process_pending()
    receipt.submission.refresh_from_db()
    household = receipt.submission.application.household
    household.refresh_from_db()
    nxt = next_decision(commune, TODAY)
    official = classify_registered_household(
        nxt.standard, household, household.members.filter(is_active=True), reference_date=nxt.reference_date
    )
    assert indicative["standard"] == official.standard
    assert indicative["classification"] == official.classification
    assert indicative["income_per_capita"] == official.income_used
    assert [i["deprived"] for i in indicative["indicators"]] == [i.deprived for i in official.indicators]
    assert receipt.submission.self_result == indicative
    # the dated record of what was declared, classified the way Phiếu B classifies its record
    record = receipt.submission.facts_record
    assert record.source == "portal" and record.household == household
    from_record = classify_record(nxt.standard, record, reference_date=nxt.reference_date)
    assert (from_record.classification, from_record.income_used, from_record.deprived_count) == (
        official.classification,
        official.income_used,
        official.deprived_count,
    )
