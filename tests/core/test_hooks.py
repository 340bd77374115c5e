"""The hook registry: lower apps call higher ones without importing them."""

from __future__ import annotations

import pytest

from core.hooks import Hook, hooks


@pytest.fixture
def hook():
    made = Hook("tests.something_happened", "value: int")
    yield made
    from core import hooks as module

    del module._hooks[made.name]


def test_receivers_run_in_order_with_the_arguments_and_return_results(hook):
    calls = []
    hook.connect(lambda value: calls.append(("first", value)) or "a")
    hook.connect(lambda value: calls.append(("second", value)) or "b")

    assert hook.send(value=3) == ["a", "b"]
    assert calls == [("first", 3), ("second", 3)]


def test_connecting_twice_runs_the_receiver_once(hook):
    calls = []

    def receiver(value):
        calls.append(value)

    hook.connect(receiver)
    hook.connect(receiver)
    hook.send(value=1)

    assert calls == [1]


def test_a_hook_without_receivers_returns_nothing(hook):
    assert hook.send(value=1) == []


def test_a_name_is_declared_once(hook):
    with pytest.raises(ValueError, match="declared twice"):
        Hook("tests.something_happened", "value: int")


def test_declared_hooks_are_listed(hook):
    assert hook in hooks()
