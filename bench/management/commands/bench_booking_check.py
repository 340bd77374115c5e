"""Print, as JSON, what a booking storm left in this database
(``bench.booking.bookings_check``: each breach must be 0)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from bench.booking import bookings_check


class Command(BaseCommand):
    help = "Count the bookings and any double booking left by the storm."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(bookings_check()))
