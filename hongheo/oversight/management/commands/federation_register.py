"""At the centre: register the public key a province signs its pushes with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hongheo.core.errors import DomainError
from hongheo.geography.models import Area
from hongheo.oversight import services
from hongheo.oversight.federation import FederationError


class Command(BaseCommand):
    help = "Đăng ký khoá công khai Ed25519 của một tỉnh tại trung ương."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--province", required=True, help="Mã tỉnh (2 chữ số)")
        parser.add_argument("--public-key", required=True, help="Khoá công khai (base64)")

    def handle(self, *args: Any, **opts: Any) -> None:
        province = Area.objects.filter(code=opts["province"], level=Area.Level.PROVINCE).first()
        if province is None:
            raise CommandError(f"Không có tỉnh mã {opts['province']}.")
        try:
            services.province_key_register(actor=None, province=province, public_key=opts["public_key"])
        except (FederationError, DomainError) as exc:
            raise CommandError(getattr(exc, "reason", None) or getattr(exc, "message", str(exc)))
        self.stdout.write(f"Đã đăng ký khoá của {province.name}.")
