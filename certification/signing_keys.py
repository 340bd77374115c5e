"""The Open Badges 3.0 signing keys: a private JSON Web Key Set in a file
named by ``ATTESTATION_SIGNING_KEYS_FILE``. The first key signs; every key
stays published at ``/badges/keys/<thumbprint>.json`` forever, so rotation
(``key_rotate``) adds a key in front and keeps the old ones.

No Django models here: production settings call ``keys_file_check`` at start
and refuse to start without a usable file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import RSAKey

_loaded: dict[tuple[str, float], list[RSAKey]] = {}


def _read(path: Path) -> list[RSAKey]:
    data = json.loads(path.read_text())
    keys = [RSAKey.import_key(item) for item in data.get("keys", [])]
    if not keys or any(not key.is_private for key in keys):
        raise ValueError("the key set must hold private RSA keys")
    return keys


def keys_file_check(path: str) -> None:
    """Production start-up: the file must exist and hold private keys."""
    if not path:
        raise ImproperlyConfigured(
            "ATTESTATION_SIGNING_KEYS_FILE must name the attestation signing keys "
            "file (create one with `manage.py attestation_keys --rotate`)."
        )
    try:
        _read(Path(path))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"ATTESTATION_SIGNING_KEYS_FILE ({path}) is not a usable key set: {error}"
        ) from error


def _write(path: Path, keys: list[RSAKey]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"keys": [key.as_dict(private=True) for key in keys]})
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
    temporary.replace(path)


def signing_keys(path: str, *, create: bool) -> list[RSAKey]:
    """The keys, newest (the signing one) first; a missing file is created
    with one key when ``create`` (local and test settings)."""
    file = Path(path)
    if not file.exists():
        if not create:
            raise ImproperlyConfigured(f"No attestation signing keys at {path}.")
        _write(file, [RSAKey.generate_key(2048, private=True)])
    stamp = (str(file), file.stat().st_mtime)
    if stamp not in _loaded:
        _loaded.clear()
        _loaded[stamp] = _read(file)
    return _loaded[stamp]


def keys_file_ensure(path: str) -> str:
    """A key set at ``path`` (created if missing); for harnesses that run the
    production settings (the benchmarks)."""
    signing_keys(path, create=True)
    return path


def key_rotate(path: str) -> RSAKey:
    """Add a new signing key in front; the old ones stay published."""
    file = Path(path)
    old = _read(file) if file.exists() else []
    new = RSAKey.generate_key(2048, private=True)
    _write(file, [new, *old])
    _loaded.clear()
    return new


def public_jwk(key: RSAKey) -> dict[str, Any]:
    return {**key.as_dict(private=False), "alg": "RS256", "use": "sig"}


if __name__ == "__main__":
    # Without Django settings (production refuses to start without the file):
    # python -m certification.signing_keys /path/to/keys.json
    import sys

    created = key_rotate(sys.argv[1])
    print(f"New signing key {created.thumbprint()} in {sys.argv[1]}")
