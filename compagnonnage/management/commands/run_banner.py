from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from .seed_demo import demo_logins_text


class Command(BaseCommand):
    help = "Print where `make run` serves the site and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://127.0.0.1:{options['port']}/"
        # An attestation of the demo to check, as an employer would.
        from certification.models import Attestation

        demo = Attestation.objects.filter(revoked_at=None).order_by("pk").first()
        check = (
            f"  An attestation to check: {url}verify/{demo.display_code}/\n\n"
            if demo
            else ""
        )
        self.stdout.write(
            "\n"
            "  Compagnonnage is starting at " + self.style.SUCCESS(url) + "\n"
            "  Admin: " + url + "admin/  (the staff account sets up two-step\n"
            "  verification with an authenticator app at its first log-in)\n\n"
            "  Demo logins (e-mail / password):\n"
            + demo_logins_text()
            + "\n\n"
            + check
            + "  Mails (verification, password reset) are printed in this terminal.\n"
            "  Ctrl-C stops everything.\n"
        )
