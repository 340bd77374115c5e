"""The Open Badges 2.0 validator's own virtualenv under .data/ (created once,
from pinned versions; `make ob2-validator` or the first test that needs it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from filelock import FileLock

ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / ".data" / "ob2-validator"
HERE = Path(__file__).resolve().parent
OPENBADGES = "openbadges==1.1.2"


def python() -> Path:
    return VENV / "bin" / "python"


def ensure() -> Path:
    """The venv's python; builds it when missing. Raises CalledProcessError
    when the packages cannot be installed (no index reachable)."""
    marker = VENV / ".complete"
    if marker.exists():
        return python()
    VENV.parent.mkdir(exist_ok=True)
    # Two pytest-xdist workers may ask at once: one builds, the other waits.
    with FileLock(str(VENV.parent / "ob2-validator.lock"), timeout=600):
        if not marker.exists():
            _build(marker)
    return python()


def _build(marker: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(HERE / "requirements.txt")], check=True)
    subprocess.run([*pip, "--no-deps", OPENBADGES], check=True)
    marker.write_text(OPENBADGES + "\n")


if __name__ == "__main__":
    print(ensure())
