from __future__ import annotations

from django.db import models


class Fortune(models.Model):
    """TechEmpower's `Fortune` table: an id and a message, nothing else."""

    id = models.IntegerField(primary_key=True)
    message = models.CharField(max_length=2048)

    # Explicit: type checkers run under settings where this app is not installed.
    objects: models.Manager[Fortune] = models.Manager()

    def __str__(self) -> str:
        return self.message
