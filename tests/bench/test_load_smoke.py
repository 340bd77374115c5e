"""A short run of `make load`'s scenario (``bench/scenario.py`` sent by
``bench/scenario.lua`` through wrk) against the live test server: every step
of the scenario is sent once per line, and none may fail."""

from __future__ import annotations

import math
import shutil

import pytest

from accounts.demo import demo_password_hash
from bench import querymix
from bench.loadrun import EXPECTED, STEPS, scenario_run
from bench.scenario import (
    scenario_build,
    scenario_read,
    scenario_write,
    visitors_sign_in,
)
from matching.models import MentorshipRequest
from mentors.demo import demo_population_ensure

CONNECTIONS = 4


@pytest.fixture
def wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        pytest.skip("load smoke skipped: wrk is not installed (apt-get install wrk)")
    return path


@pytest.mark.django_db(transaction=True)
def test_load_scenario_runs_every_step_without_errors(wrk, live_server, tmp_path):
    demo_population_ensure(
        mentors=30, learners=12, seed=3, password_hash=demo_password_hash()
    )
    visitors = visitors_sign_in(count=6)
    mix = querymix.directory_mix(
        seed=3, distinct=120, vocab=querymix.vocabulary(sample=200)
    )
    lines = scenario_build(visitors=visitors, blocks=2, seed=3, mix=mix, mentors=20)
    scenario = tmp_path / "scenario.tsv"
    scenario_write(lines, scenario)
    assert scenario_read(scenario) == lines

    run = scenario_run(
        url=live_server.url,
        scenario_file=scenario,
        rate=0,
        seconds=10,
        out_file=tmp_path / "records.tsv",
        connections=CONNECTIONS,
        timeout_s=20,
        per_connection=math.ceil(len(lines) / CONNECTIONS),
    )

    assert run.responses == len(lines)
    assert set(run.steps) == set(STEPS)
    for step, result in run.steps.items():
        assert result.requests == sum(1 for line in lines if line.step == step)
        assert set(result.statuses) <= EXPECTED[step], (step, result.statuses)
    assert run.errors == 0
    # The form posts went through CSRF and reached the service.
    assert MentorshipRequest.objects.exists()
