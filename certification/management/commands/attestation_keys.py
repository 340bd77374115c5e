"""List the Open Badges 3.0 signing keys, or add one (rotation: the new key
signs from now on; the old ones stay published so issued credentials keep
verifying)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from certification.signing_keys import key_rotate, signing_keys


class Command(BaseCommand):
    help = "List the attestation signing keys; --rotate adds a new signing key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.ATTESTATION_SIGNING_KEYS_FILE
        if options["rotate"]:
            key = key_rotate(path)
            self.stdout.write(f"New signing key {key.thumbprint()} in {path}")
        for index, key in enumerate(signing_keys(path, create=False)):
            role = "signs" if index == 0 else "published"
            self.stdout.write(
                f"{key.thumbprint()} ({role}) {settings.SITE_URL}/badges/keys/"
                f"{key.thumbprint()}.json"
            )
