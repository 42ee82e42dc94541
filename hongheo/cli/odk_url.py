"""``hongheo odk-url --user USERNAME``: print the ODK Collect server URL of a user, one line per
commune they work in, creating a device token for ODK Collect if the user has none.

The URL carries the device token (per user, area-scoped, revocable on the page /thuc-dia/odk/),
so Collect needs no password: paste it as the server URL, or scan the QR code of that page.
Exit codes: 0 printed, 2 unknown user, a role that does not survey, or no commune assigned.
"""

from __future__ import annotations

import argparse
import os

from hongheo.cli import CommandError

HELP = "print the ODK Collect server URL of a user (creates a device token if needed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="USERNAME", help="the surveyor or village head")
    parser.add_argument(
        "--base-url",
        default=os.environ.get("HONGHEO_BASE_URL", "http://127.0.0.1:8000"),
        help="the server's public address (default: $HONGHEO_BASE_URL or http://127.0.0.1:8000)",
    )
    parser.add_argument("--new", action="store_true", help="create a new token even if one exists")
    parser.add_argument("--qr", action="store_true", help="also draw the URL as a QR code in the terminal")


def run(args: argparse.Namespace) -> int:
    from hongheo.cli.backup import setup_django

    setup_django()
    from django.db import transaction

    from hongheo.fieldwork.models import DeviceToken
    from hongheo.fieldwork.openrosa import odk_server_url
    from hongheo.fieldwork.selectors import communes_of
    from hongheo.fieldwork.services import device_token_create
    from hongheo.users.models import User

    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None:
        raise CommandError(f"Không có người dùng “{args.user}” / no such active user", 2)
    if user.role not in ("surveyor", "village_head", "commune_officer"):
        raise CommandError(f"Vai trò {user.role} không dùng ODK Collect / this role does not survey", 2)
    communes = communes_of(user)
    if not communes:
        raise CommandError("Người dùng chưa được giao xã/thôn nào / the user has no commune or village", 2)
    with transaction.atomic():
        token = (
            None
            if args.new
            else DeviceToken.objects.filter(user=user, kind=DeviceToken.Kind.ODK, revoked_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if token is None:
            token = device_token_create(
                actor=None, user=user, kind=DeviceToken.Kind.ODK, label="hongheo odk-url"
            )
    for commune in communes:
        url = odk_server_url(args.base_url, token.key, commune.code)
        print(url)
        if args.qr:
            import segno

            segno.make(url, error="l").terminal(compact=True)
    return 0
