"""How `make load` sends its scenario (``bench/loadrun.py`` and
``bench/scenario.lua``): which lines each connection sends, and that a run at
a set rate sends what it asks, however long the scenario."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadrun import scenario_run, slices_write


def _line(n: int) -> str:
    return f"home\tGET\t/{n}\t\t"


def test_each_connection_takes_its_share_from_its_place_going_round_the_end(
    tmp_path,
):
    scenario = tmp_path / "scenario.tsv"
    scenario.write_text("".join(_line(n) + "\n" for n in range(10)) + "\n")
    slices = tmp_path / "slices"

    slices_write(scenario, slices, connections=4, share=3, start=7)

    def paths(n: int) -> list[str]:
        return [
            row.split("\t")[2]
            for row in (slices / f"{n}.tsv").read_text().split("\n")
            if row
        ]

    # Connection n starts (n - 1) / 4 of the way from line 7 (of 10).
    assert paths(1) == ["/7", "/8", "/9"]
    assert paths(2) == ["/9", "/0", "/1"]
    assert paths(3) == ["/2", "/3", "/4"]
    assert paths(4) == ["/4", "/5", "/6"]
    assert sorted(p.name for p in slices.iterdir()) == [
        "1.tsv",
        "2.tsv",
        "3.tsv",
        "4.tsv",
    ]

    # No share: every line, each connection from its own place.
    slices_write(scenario, slices, connections=2, share=0, start=0)
    assert paths(2) == [f"/{n}" for n in [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]]
    assert not (slices / "3.tsv").exists()


class _Quick(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # connections kept alive, as gunicorn's

    def do_GET(self) -> None:
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def quick_server() -> Iterator[str]:
    if shutil.which("wrk") is None:
        pytest.skip("paced run skipped: wrk is not installed (apt-get install wrk)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quick)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_paced_run_sends_what_it_asks_however_long_the_scenario(
    quick_server, tmp_path
):
    # wrk starts each thread as soon as its init is done, before the run's
    # clock starts: when every thread parsed the whole scenario (seconds for
    # 64 threads and 60,000 lines), the first threads sent requests for
    # seconds before the run counted, and more came back than were asked.
    scenario = tmp_path / "scenario.tsv"
    scenario.write_text("".join(_line(n) + "\n" for n in range(60_000)))
    rate, seconds, connections = 32, 3, 64

    run = scenario_run(
        url=quick_server,
        scenario_file=scenario,
        rate=rate,
        seconds=seconds,
        out_file=tmp_path / "records.tsv",
        connections=connections,
    )

    # One request an interval on each connection (staggered over the first
    # interval): about rate × seconds in all.
    assert run.responses <= rate * seconds * 1.25
    assert run.responses >= rate * seconds // 2
    assert run.errors == 0
    assert not (tmp_path / "records.tsv.slices").exists()
