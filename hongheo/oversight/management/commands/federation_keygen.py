"""Create a province's Ed25519 signing key (PEM, readable by its owner only) and print the public
key to register at the centre."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hongheo.oversight import federation


class Command(BaseCommand):
    help = "Tạo khoá ký Ed25519 của tỉnh; in khoá công khai để đăng ký với trung ương."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="Tệp khoá bí mật (PEM) sẽ tạo")
        parser.add_argument("--force", action="store_true", help="Ghi đè tệp đã có")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["out"])
        if path.exists() and not opts["force"]:
            raise CommandError(f"Tệp {path} đã có; dùng --force để ghi đè.")
        pem = federation.new_private_key_pem()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        self.stdout.write(federation.public_key_b64(federation.load_private_key(pem)))
