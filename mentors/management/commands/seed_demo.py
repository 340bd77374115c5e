from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the demo data (idempotent). Refused under production settings."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("seed_demo never runs under production settings.")
        results = demo_accounts_ensure()
        created = sum(1 for _user, was_created in results if was_created)
        self.stdout.write(
            f"demo accounts: {created} created, {len(results) - created} kept"
        )


def demo_logins_text() -> str:
    lines = [f"  {a.role:<9} {a.email:<24} {DEMO_PASSWORD}" for a in DEMO_ACCOUNTS]
    return "\n".join(lines)
