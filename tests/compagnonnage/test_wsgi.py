"""The WSGI application takes the objects its first request leaves alive out
of the cyclic collector's reach, once, and collects its young objects less
often."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest
from django.core.signals import request_finished
from django.test import Client


@pytest.mark.django_db
def test_the_first_request_freezes_what_is_alive_then_and_the_next_do_not():
    from compagnonnage import wsgi

    gc.unfreeze()
    threshold = gc.get_threshold()
    request_finished.connect(wsgi.freeze_after_first_request)
    try:
        client = Client()
        assert client.get("/healthz").status_code == 200
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        assert gc.get_threshold() == (wsgi.YOUNG_COLLECTION, *threshold[1:])
        gc.unfreeze()
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0  # once per process
    finally:
        request_finished.disconnect(wsgi.freeze_after_first_request)
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_process_serving_the_application_hands_the_interpreter_lock_on_quickly():
    """Under threaded workers, a request back from the database waits for the
    interpreter lock at most this long (Python's own 5 ms made a cheap page
    wait behind a search at each of its round trips). In a process of its
    own: the import sets it for the whole process."""
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, compagnonnage.wsgi as w; "
            "print(w.GIL_SWITCH_INTERVAL, sys.getswitchinterval())",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "compagnonnage.settings.test"},
    ).stdout.split()

    wanted, actual = map(float, shown)
    assert wanted <= 0.0005
    assert actual == pytest.approx(wanted)
