from typing import Any

from django.core.management.base import BaseCommand

from hongheo.registry.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo province (Huế, 46): real communes, villages, synthetic households, demo users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--households", type=int, default=3000)
        parser.add_argument("--communes", type=int, default=6)

    def handle(self, *args: Any, **options: Any) -> None:
        from hongheo.core.dbcheck import require_migrated

        require_migrated()
        result = demo_seed(households=options["households"], communes=options["communes"])
        if result.get("households"):
            self.stdout.write(f"Đã tạo {result['households']} hộ, {result['members']} nhân khẩu.")
        self.stdout.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
        for u in result["users"]:
            self.stdout.write(f"  {u['username']:<12} {u['role']:<36} {u['area']}")
