from __future__ import annotations

import datetime as dt

from ninja import Schema


class MemberRead(Schema):
    personal_id: str | None
    full_name: str
    date_of_birth: dt.date
    sex: str
    relation_to_head: str
    ethnicity: str
    disability: bool
    health_insurance: bool | None


class HouseholdListItem(Schema):
    id: int
    code: str
    head_name: str
    size: int
    commune_code: str
    commune_name: str
    village_name: str | None


class HouseholdRead(HouseholdListItem):
    address: str
    latitude: float | None
    longitude: float | None
    income_per_capita: int | None
    members: list[MemberRead]


class HouseholdPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HouseholdListItem]


class JobRead(Schema):
    id: str
    kind: str
    title: str
    state: str
    percent: int
    message: str
    error: str


class ErrorOut(Schema):
    code: str
    message: str
