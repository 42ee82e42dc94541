"""``hongheo odk-url --user``: prints the user's Collect URL, creating a token only when needed;
the ODK page shows it as a QR code."""

from __future__ import annotations

from django.test import Client

from hongheo.cli import main
from hongheo.fieldwork.models import DeviceToken


def test_odk_url_creates_one_token_and_reuses_it(world, capsys):
    assert main(["odk-url", "--user", "surveyor", "--base-url", "https://tinh.example"]) == 0
    first = capsys.readouterr().out.strip()
    assert first.startswith("https://tinh.example/odk/v1/key/")
    assert first.endswith(f"/projects/{world.commune_a.code}")
    assert main(["odk-url", "--user", "surveyor", "--base-url", "https://tinh.example"]) == 0
    assert capsys.readouterr().out.strip() == first
    assert DeviceToken.objects.filter(user__username="surveyor", kind="odk").count() == 1
    assert main(["odk-url", "--user", "village_head"]) == 0
    assert (
        capsys.readouterr().out.strip().endswith(f"/projects/{world.commune_a.code}")
    )  # the village's commune
    assert main(["odk-url", "--user", "nobody"]) == 2
    assert "no such active user" in capsys.readouterr().err
    assert main(["odk-url", "--user", "commune_chairman"]) == 2


def test_odk_page_shows_a_qr_and_revokes(world):
    c = Client()
    c.force_login(world.users["surveyor"])
    assert c.post("/thuc-dia/odk/tao-ma/", {"label": "Máy A"}).status_code == 302
    html = c.get("/thuc-dia/odk/").content.decode()
    assert "<svg" in html and "/odk/v1/key/" in html
    token = DeviceToken.objects.get(user__username="surveyor")
    assert c.post(f"/thuc-dia/odk/thu-hoi/{token.pk}/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "/odk/v1/key/" not in c.get("/thuc-dia/odk/").content.decode()


def test_field_shell_manifest_and_worker(client):
    shell = client.get("/thuc-dia/")
    assert shell.status_code == 200 and b'rel="manifest"' in shell.content
    manifest = client.get("/thuc-dia/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and {i["sizes"] for i in manifest["icons"]} == {
        "192x192",
        "512x512",
    }
    sw = client.get("/thuc-dia/sw.js")
    assert sw["Service-Worker-Allowed"] == "/thuc-dia/" and b"hn-field-" in sw.content
    assert client.get("/thuc-dia/icon-512.png")["Content-Type"] == "image/png"
