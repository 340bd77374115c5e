"""Hooks: a lower app names a point where something happened; higher apps
connect to it from their ``AppConfig.ready()``, so the lower app acts on them
without importing them (``accounts`` → ``mentors``, ``mentors`` → ``matching``).

A hook is declared once, in the module of the app that sends it::

    block_created = Hook("mentors.block_created", "blocker, blocked: User")

and sent with keyword arguments, in the sender's transaction; receivers run in
the order they connected (the order of ``INSTALLED_APPS``) and their results
come back as a list. Unlike Django's signals there is no sender filtering and
no weak reference: a receiver stays connected, and connecting it twice is a
no-op (``ready()`` may run more than once in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Receiver = Callable[..., Any]

_hooks: dict[str, Hook] = {}


class Hook:
    def __init__(self, name: str, arguments: str) -> None:
        if name in _hooks:
            raise ValueError(f"hook {name!r} is declared twice")
        self.name = name
        self.arguments = arguments
        self._receivers: list[Receiver] = []
        _hooks[name] = self

    def __repr__(self) -> str:
        return f"<Hook {self.name}({self.arguments})>"

    def connect(self, receiver: Receiver) -> Receiver:
        """Add a receiver (usable as a decorator); connecting twice is a no-op."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Receiver) -> None:
        self._receivers.remove(receiver)

    def receivers(self) -> list[Receiver]:
        return list(self._receivers)

    def send(self, **arguments: Any) -> list[Any]:
        """Call every receiver with these keyword arguments; their results."""
        return [receiver(**arguments) for receiver in self._receivers]


def hooks() -> list[Hook]:
    """Every declared hook, by name (for the docs and the tests)."""
    return sorted(_hooks.values(), key=lambda hook: hook.name)
