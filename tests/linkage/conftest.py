"""Fixtures of the linkage tests."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

import pytest

from .worlddata import extract_csv, members


def _services():  # type: ignore[no-untyped-def]
    from hongheo.core.jobs import run_pending_jobs
    from hongheo.linkage import services as svc
    from hongheo.registry.services import member_update
    from hongheo.users.models import Role

    return run_pending_jobs, svc, member_update, Role


TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: a precomposed base letter plus a combining tone."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(c for c in parts if c in TONES)
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


@pytest.fixture
def cp1258() -> Callable[[str], bytes]:
    return _cp1258


@pytest.fixture
def linked(world):  # type: ignore[no-untyped-def]
    """The world's Huế registry linked with :func:`extract_csv` (uploaded and run by the province)."""
    run_pending_jobs, svc, member_update, Role = _services()
    officer = world.users[Role.COMMUNE_OFFICER]
    (_, _), (_, bich_a2), _ = members(world)
    # another child of the same name and year, with an ID number far from her namesake's
    member_update(
        actor=officer,
        member=bich_a2,
        changes={"date_of_birth": dt.date(2012, 9, 20), "personal_id": "046312987654"},
    )
    province = world.users[Role.PROVINCE_OFFICER]
    data = b"\xef\xbb\xbf" + extract_csv(world).encode("utf-8")
    extract = svc.extract_upload(actor=province, province=world.hue, name="dan-cu.csv", data=data)
    run_pending_jobs()
    run = svc.run_start(actor=province, area=world.hue)
    run_pending_jobs()
    run.refresh_from_db()
    extract.refresh_from_db()
    return extract, run
