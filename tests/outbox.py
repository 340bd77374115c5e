"""Run the outbox in the test process, the way a worker would."""

from __future__ import annotations

from core.models import OutboxMessage
from core.outbox import outbox_deliver


def run_outbox() -> list[str]:
    """Deliver every due outbox row now (as the relay + a worker would); return
    what each delivery did. Rows published to the broker are not needed: the
    runner reads the database."""
    results = []
    for message_id in OutboxMessage.objects.pending().values_list("id", flat=True):
        results.append(outbox_deliver(message_id=message_id))
    return results
