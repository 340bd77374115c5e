"""Public attestation codes: ``CN-`` then Crockford base 32 with a Damm check
character over GF(32).

The check uses the quasigroup x∘y = 2x ⊕ y in GF(32) (modulus x⁵ + x² + 1),
which is totally anti-symmetric: every single substitution and every
adjacent transposition changes the fold (Luhn mod 32 misses the swap of the
symbols valued 0 and 31). The check character is 2·interim, so the whole body
folds to 0. The ``CN`` prefix is outside the check.

Codes are random (``secrets``), never sequential. Input is forgiving: case,
spaces and dashes are ignored, O reads as 0, I and L read as 1.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CN"
PAYLOAD_LENGTH = 9  # 45 random bits
BODY_LENGTH = PAYLOAD_LENGTH + 1
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_MODULUS = 0b100101  # x⁵ + x² + 1
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _double(x: int) -> int:
    """2·x in GF(32)."""
    x <<= 1
    return x ^ _MODULUS if x & 0b100000 else x


def fold(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _double(interim) ^ value
    return interim


def check_character(payload: str) -> str:
    return ALPHABET[_double(fold([_VALUE[c] for c in payload]))]


def is_valid_body(body: str) -> bool:
    if len(body) != BODY_LENGTH or any(c not in _VALUE for c in body):
        return False
    return fold([_VALUE[c] for c in body]) == 0


def new_body() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return payload + check_character(payload)


def display(body: str) -> str:
    """``CN-7K3QD-M9T2X``: easy to read aloud in groups of five."""
    return f"{PREFIX}-{body[:5]}-{body[5:]}"


def normalise(text: str) -> str | None:
    """The body of a typed code, or None when it cannot be one (wrong length,
    a character outside the alphabet, or a failed check)."""
    cleaned = "".join(text.split()).replace("-", "").replace("_", "").upper()
    cleaned = cleaned.translate(_READ_AS)
    if len(cleaned) == BODY_LENGTH + len(PREFIX) and cleaned.startswith(PREFIX):
        cleaned = cleaned[len(PREFIX) :]
    return cleaned if is_valid_body(cleaned) else None
