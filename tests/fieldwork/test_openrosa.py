"""Conformance replay: the requests ODK Collect sends, one by one, with its headers, its token-in-URL
authentication and its multipart layout (XML + photos, split uploads), and what it requires back."""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import urlparse

import pytest
from defusedxml import ElementTree as ET
from django.test import Client

from hongheo.fieldwork import services as fs
from hongheo.fieldwork.models import FieldConflict, Photo, Submission
from hongheo.reviews.models import RoundEntry

from .conftest import jpeg

XFORMS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
COLLECT = {
    "HTTP_USER_AGENT": "Dalvik/2.1.0 (Linux; U; Android 13) org.odk.collect.android/v2024.3.1",
    "HTTP_X_OPENROSA_VERSION": "1.0",
    "HTTP_DATE": "Mon, 30 Nov 2026 05:10:00 GMT+07:00",
    "HTTP_ACCEPT_ENCODING": "gzip",
}


@pytest.fixture
def odk(field):
    token = fs.device_token_create(actor=field.surveyor, user=field.surveyor, kind="odk")
    field.base = f"/odk/v1/key/{token.key}/projects/{field.commune_a.code}"
    field.token = token
    return field


def _path(url: str) -> str:
    return urlparse(url).path


def _openrosa(r) -> None:
    assert r["X-OpenRosa-Version"] == "1.0"
    assert r["Date"]


def submission_xml(world, household, instance, *, income=1_200_000, photos=("1732940001.jpg",), base=""):
    members = "".join(
        f"<member><member_id>{m.pk}</member_id><full_name>{m.full_name}</full_name>"
        f"<date_of_birth>{m.date_of_birth.isoformat()}</date_of_birth><sex>{m.sex}</sex>"
        f"<relation_to_head>{m.relation_to_head}</relation_to_head><presence>present</presence>"
        "<health_insurance>1</health_insurance><in_school>0</in_school>"
        "<education_level>primary</education_level><has_qualification>0</has_qualification>"
        "<employment>self_employed</employment><disability>0</disability>"
        "<disability_allowance>0</disability_allowance><undernourished>0</undernourished>"
        "<present>1</present></member>"
        for m in household.members.filter(is_active=True).order_by("pk")
    )
    photo_tags = "".join(
        f"<{name}>{file}</{name}>" for name, file in zip(("photo_house", "photo_extra"), photos, strict=False)
    )
    return (
        '<?xml version=\'1.0\' ?><data id="hn_phieu_b" version="2025.1" '
        'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        'xmlns:odk="http://www.opendatakit.org/xforms" xmlns:ev="http://www.w3.org/2001/xml-events" '
        'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        "<start>2026-10-05T08:00:00.000+07:00</start><end>2026-10-05T08:25:00.000+07:00</end>"
        f"<household>{household.pk}</household><base_version>{base}</base_version>"
        "<housing_quality>semi_durable</housing_quality><floor_area_m2>38.5</floor_area_m2>"
        "<water_source>piped</water_source><toilet>flush_septic</toilet><waste_handling>collected</waste_handling>"
        "<internet>1</internet><information_devices>1</information_devices>"
        f"{members}<income_wages>{income}</income_wages><income_farming>0</income_farming>"
        "<income_business>0</income_business><income_other>0</income_other>"
        f"<income_per_capita>{income // 2}</income_per_capita>"
        f"<gps>16.4637 107.5909 12.0 5.0</gps>{photo_tags}<remarks/>"
        f"<meta><instanceID>uuid:{instance}</instanceID></meta></data>"
    ).encode()


def multipart(xml: bytes, files: dict[str, bytes], *, incomplete: bool = False) -> tuple[bytes, str]:
    """The body OkHttp builds in Collect's OpenRosaServerInstanceUploader."""
    boundary = "2c0e7a5e-6f0a-4b7c-9b8e-0a2f9c1d3e4f"
    parts = [
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            'filename="hn_phieu_b_2026-10-05_08-25-00.xml"\r\nContent-Type: text/xml\r\n'
            f"Content-Length: {len(xml)}\r\n\r\n"
        ).encode()
        + xml
        + b"\r\n"
    ]
    for name, content in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                f"Content-Type: image/jpeg\r\nContent-Length: {len(content)}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    if incomplete:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="*isIncomplete*"\r\n\r\nyes\r\n'.encode()
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(client, base, body_ct, **headers):
    body, ct = body_ct
    return client.generic(
        "POST", f"{base}/submission?deviceID=collect%3AAbC123", body, content_type=ct, **COLLECT, **headers
    )


def test_collect_session_replay(odk):
    c = Client()
    # 1. form list
    r = c.get(f"{odk.base}/formList", **COLLECT)
    assert r.status_code == 200 and "text/xml" in r["Content-Type"]
    _openrosa(r)
    root = ET.fromstring(r.content)
    assert root.tag == f"{XFORMS}xforms"
    forms = {}
    for xf in root.findall(f"{XFORMS}xform"):
        entry = {child.tag.replace(XFORMS, ""): child.text for child in xf}
        assert {"formID", "name", "version", "hash", "downloadUrl"} <= set(entry)
        assert entry["hash"].startswith("md5:")
        forms[entry["formID"]] = entry
    assert set(forms) == {"hn_phieu_a", "hn_phieu_b"}
    b = forms["hn_phieu_b"]
    # 2. form download: md5 of the exact bytes, id and version as listed, instanceID declared
    r = c.get(_path(b["downloadUrl"]), **COLLECT)
    assert r.status_code == 200
    assert "md5:" + hashlib.md5(r.content, usedforsecurity=False).hexdigest() == b["hash"]
    xml = r.content.decode()
    assert 'id="hn_phieu_b"' in xml and f'version="{b["version"]}"' in xml and "<instanceID/>" in xml
    assert c.get(_path(b["downloadUrl"]), **COLLECT).content == r.content  # never re-serialised differently
    # 3. manifest and 4. the households CSV
    r = c.get(_path(b["manifestUrl"]), **COLLECT)
    assert r.status_code == 200 and "text/xml" in r["Content-Type"]
    _openrosa(r)
    media = ET.fromstring(r.content).find(f"{MANIFEST}mediaFile")
    assert media.find(f"{MANIFEST}filename").text == "households.csv"
    r2 = c.get(_path(media.find(f"{MANIFEST}downloadUrl").text), **COLLECT)
    csv_md5 = hashlib.md5(r2.content, usedforsecurity=False).hexdigest()
    assert "md5:" + csv_md5 == media.find(f"{MANIFEST}hash").text
    rows = r2.content.decode().splitlines()
    assert rows[0] == "name,label,code,version" and len(rows) == 3  # HH-A1, HH-A2 only
    version_a1 = next(line.split(",")[3] for line in rows[1:] if line.split(",")[2] == "HH-A1")
    # 5. pre-flight
    r = c.head(f"{odk.base}/submission?deviceID=collect%3AAbC123", **COLLECT)
    assert r.status_code == 204 and r["X-OpenRosa-Accept-Content-Length"]
    _openrosa(r)
    # 6. the submission with its photo
    instance = uuid.uuid4()
    xml = submission_xml(odk, odk.hh_a1, instance, base=version_a1)
    r = post(c, odk.base, multipart(xml, {"1732940001.jpg": jpeg(7)}))
    assert r.status_code == 201, r.content
    _openrosa(r)
    assert b"submit_success" in r.content
    sub = Submission.objects.get(pk=instance)
    assert sub.channel == "odk" and sub.device_id == "collect:AbC123" and sub.photos.count() == 1
    assert RoundEntry.objects.get(round=odk.round, household=odk.hh_a1).state == "surveyed"
    # 7. Collect retries after a lost response: accepted once
    assert post(c, odk.base, multipart(xml, {"1732940001.jpg": jpeg(7)})).status_code == 201
    assert Submission.objects.count() == 1 and Photo.objects.count() == 1
    # 8. same instanceID, different XML: 409 and an item for review
    other = submission_xml(odk, odk.hh_a1, instance, income=9_000_000)
    r = post(c, odk.base, multipart(other, {}))
    assert r.status_code == 409
    assert FieldConflict.objects.filter(kind="reused", submission=sub).exists()


def test_split_upload_collects_every_photo(odk):
    c = Client()
    instance = uuid.uuid4()
    xml = submission_xml(odk, odk.hh_a2, instance, photos=("a.jpg", "b.jpg"))
    assert post(c, odk.base, multipart(xml, {"a.jpg": jpeg(1)}, incomplete=True)).status_code == 201
    assert Photo.objects.filter(submission_id=instance).count() == 1
    assert post(c, odk.base, multipart(xml, {"b.jpg": jpeg(2)})).status_code == 201
    assert sorted(Photo.objects.filter(submission_id=instance).values_list("filename", flat=True)) == [
        "a.jpg",
        "b.jpg",
    ]
    assert Submission.objects.count() == 1


def test_openrosa_refusals(odk):
    c = Client()
    no_header = {k: v for k, v in COLLECT.items() if k != "HTTP_X_OPENROSA_VERSION"}
    assert c.get(f"{odk.base}/formList", **no_header).status_code == 400
    fs.device_token_revoke(actor=odk.surveyor, token=odk.token)
    r = c.get(f"{odk.base}/formList", **COLLECT)
    assert r.status_code == 401 and r["X-OpenRosa-Version"] == "1.0"
    token = fs.device_token_create(actor=odk.surveyor, user=odk.surveyor, kind="odk")
    base = f"/odk/v1/key/{token.key}/projects/{odk.commune_a.code}"
    assert (
        c.get(f"/odk/v1/key/{token.key}/projects/{odk.commune_b.code}/formList", **COLLECT).status_code == 404
    )
    bad = post(c, base, multipart(b"<data id='hn_phieu_b'><unclosed>", {}))
    assert bad.status_code == 400 and "XML" in bad.content.decode()
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><data>&b;</data>'
    assert post(c, base, multipart(bomb, {})).status_code == 400
    unknown = submission_xml(odk, odk.hh_a1, uuid.uuid4()).replace(b'version="2025.1"', b'version="1.0"')
    assert post(c, base, multipart(unknown, {})).status_code == 400
    outside = submission_xml(odk, odk.hh_b, uuid.uuid4())
    assert post(c, base, multipart(outside, {})).status_code == 404
    not_image = submission_xml(odk, odk.hh_a1, uuid.uuid4())
    assert post(c, base, multipart(not_image, {"1732940001.jpg": b"%PDF-1.7"})).status_code == 400
    assert Submission.objects.count() == 0  # nothing half-written


def _basic(username: str, password: str) -> dict[str, str]:
    import base64

    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_named_account_replay_basic_over_https(field):
    """Collect configured with a server URL and a username/password: it sends nothing until
    challenged, then HTTP Basic (HTTPS only) on every request."""
    from django.core.cache import cache

    from hongheo.core.models import AuditEvent

    cache.clear()
    c = Client()
    base = f"/odk/v1/projects/{field.commune_a.code}"
    # 1. first request without credentials: a Basic challenge, with the OpenRosa headers
    r = c.get(f"{base}/formList", secure=True, **COLLECT)
    assert r.status_code == 401 and r["WWW-Authenticate"] == 'Basic realm="Ho Ngheo", charset="UTF-8"'
    _openrosa(r)
    # 2. the same request with the credentials: every URL handed out stays on the named-account path
    auth = _basic("surveyor", "mat-khau-thu-nghiem")
    r = c.get(f"{base}/formList", secure=True, **COLLECT, **auth)
    assert r.status_code == 200, r.content
    entry = next(
        {child.tag.replace(XFORMS, ""): child.text for child in xf}
        for xf in ET.fromstring(r.content).findall(f"{XFORMS}xform")
        if xf.find(f"{XFORMS}formID").text == "hn_phieu_b"
    )
    assert _path(entry["downloadUrl"]) == f"{base}/forms/hn_phieu_b.xml"
    assert entry["downloadUrl"].startswith("https://")
    r = c.get(_path(entry["downloadUrl"]), secure=True, **COLLECT, **auth)
    assert "md5:" + hashlib.md5(r.content, usedforsecurity=False).hexdigest() == entry["hash"]
    r = c.get(_path(entry["manifestUrl"]), secure=True, **COLLECT, **auth)
    media = ET.fromstring(r.content).find(f"{MANIFEST}mediaFile")
    assert (
        c.get(_path(media.find(f"{MANIFEST}downloadUrl").text), secure=True, **COLLECT, **auth).status_code
        == 200
    )
    assert c.head(f"{base}/submission", secure=True, **COLLECT, **auth).status_code == 204
    # 3. the submission with its photo, recorded for the named user (no device token)
    instance = uuid.uuid4()
    xml = submission_xml(field, field.hh_a1, instance)
    body, ct = multipart(xml, {"1732940001.jpg": jpeg(3)})
    r = c.generic("POST", f"{base}/submission", body, content_type=ct, secure=True, **COLLECT, **auth)
    assert r.status_code == 201, r.content
    sub = Submission.objects.get(pk=instance)
    assert sub.user == field.surveyor and sub.token is None and sub.photos.count() == 1
    # the password was checked, and the login audited, once for the whole session
    logins = AuditEvent.objects.filter(action="auth.login", actor_username="surveyor")
    assert logins.count() == 1 and logins.get().after["via"] == "odk"


def test_named_account_refusals_and_throttle(field):
    from django.core.cache import cache
    from django.test import override_settings

    from hongheo.core.models import AuditEvent

    cache.clear()
    c = Client()
    base = f"/odk/v1/projects/{field.commune_a.code}"
    # plain HTTP: no Basic challenge at all (credentials must not travel in clear)
    r = c.get(f"{base}/formList", **COLLECT, **_basic("surveyor", "mat-khau-thu-nghiem"))
    assert r.status_code == 401 and "WWW-Authenticate" not in r and b"HTTPS" in r.content
    # a role that does no field work
    r = c.get(f"{base}/formList", secure=True, **COLLECT, **_basic("commune_chairman", "mat-khau-thu-nghiem"))
    assert r.status_code == 403
    # another commune than the account's area reads as not found
    other = f"/odk/v1/projects/{field.commune_b.code}/formList"
    assert (
        c.get(other, secure=True, **COLLECT, **_basic("surveyor", "mat-khau-thu-nghiem")).status_code == 404
    )
    # garbage credentials are challenged again
    r = c.get(f"{base}/formList", secure=True, HTTP_AUTHORIZATION="Basic ***", **COLLECT)
    assert r.status_code == 401 and "WWW-Authenticate" in r
    # wrong passwords: challenged, audited; after the limit the pair waits even with the right one
    cache.clear()
    with override_settings(LOGIN_THROTTLE_FAILURES=3):
        for _ in range(3):
            r = c.get(f"{base}/formList", secure=True, **COLLECT, **_basic("surveyor", "sai-mat-khau"))
            assert r.status_code == 401 and "WWW-Authenticate" in r
        r = c.get(f"{base}/formList", secure=True, **COLLECT, **_basic("surveyor", "mat-khau-thu-nghiem"))
        assert r.status_code == 429 and int(r["Retry-After"]) > 0
        _openrosa(r)
    failed = AuditEvent.objects.filter(action="auth.login_failed", object_id="surveyor")
    assert failed.count() == 3 and all(e.after["via"] == "odk" for e in failed)
