"""The public code: round trip, every error of one character or one adjacent
swap caught, forgiving input."""

from __future__ import annotations

import random

from certification import codes
from certification.codes import ALPHABET


def sample(n: int = 300) -> list[str]:
    return [codes.new_body() for _ in range(n)]


def test_round_trip_and_format() -> None:
    for body in sample():
        shown = codes.display(body)
        assert shown.startswith("CN-")
        assert len(shown) == 14
        assert codes.normalise(shown) == body
        assert codes.is_valid_body(body)


def test_codes_are_random_not_sequential() -> None:
    bodies = sample(1000)
    assert len(set(bodies)) == 1000


def test_every_single_substitution_is_caught() -> None:
    for body in sample(60):
        for i in range(len(body)):
            for char in ALPHABET:
                if char == body[i]:
                    continue
                altered = body[:i] + char + body[i + 1 :]
                assert not codes.is_valid_body(altered), (body, altered)


def test_every_adjacent_transposition_is_caught() -> None:
    for body in sample(300):
        for i in range(len(body) - 1):
            if body[i] == body[i + 1]:
                continue
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
            assert not codes.is_valid_body(swapped), (body, swapped)


def test_the_quasigroup_is_totally_anti_symmetric() -> None:
    # Exhaustive over all pairs: a∘b = b∘a ⇒ a = b (for every interim c).
    for c in range(32):
        for a in range(32):
            for b in range(a + 1, 32):
                assert codes.fold([c, a, b]) != codes.fold([c, b, a])


def test_luhn_mod_32_would_miss_a_transposition() -> None:
    # Why not Luhn: the swap of the symbols valued 0 and 31 passes it.
    def luhn(values: list[int]) -> int:
        total = 0
        for i, v in enumerate(reversed(values)):
            if i % 2 == 1:
                v *= 2
                v = v // 32 + v % 32
            total += v
        return total % 32

    assert luhn([0, 31]) == luhn([31, 0])
    assert codes.fold([0, 31]) != codes.fold([31, 0])


def test_normalisation() -> None:
    body = codes.new_body()
    shown = codes.display(body)
    assert codes.normalise(shown.lower()) == body
    assert codes.normalise(" " + shown.replace("-", " ") + " ") == body
    assert codes.normalise(body) == body  # without the prefix
    assert codes.normalise("cn " + body[:3] + "-" + body[3:]) == body
    # O reads as 0, I and L as 1.
    zero_one = "0" * 3 + "1" * 3 + "0" * 3
    full = zero_one + codes.check_character(zero_one)
    typed = "CN-" + "OoO" + "IlL" + "000" + full[-1]
    assert codes.normalise(typed) == full


def test_rejects_garbage() -> None:
    assert codes.normalise("") is None
    assert codes.normalise("CN-") is None
    assert codes.normalise("hello world") is None
    assert codes.normalise("CN-UUUUU-UUUUU") is None  # U is not in the alphabet
    body = codes.new_body()
    assert codes.normalise(body + "0") is None
    assert codes.normalise(body[:-1]) is None
    rng = random.Random(7)
    wrong = body[:-1] + rng.choice([c for c in ALPHABET if c != body[-1]])
    assert codes.normalise(wrong) is None
