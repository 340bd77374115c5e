"""Properties that must hold for any input (Hypothesis, CI profile in conftest)."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from hypothesis import given
from hypothesis import strategies as st

from core.emails import email_from_payload, email_to_payload
from core.notifications import read_unsubscribe_token, unsubscribe_token

kinds = st.text(
    alphabet=st.characters(
        min_codepoint=33, max_codepoint=0x2FFF, blacklist_categories=("Cs",)
    ),
    min_size=1,
    max_size=60,
)
header_safe = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=80
)


@given(user_id=st.integers(min_value=1, max_value=2**62), kind=kinds)
def test_unsubscribe_tokens_round_trip(user_id, kind):
    assert read_unsubscribe_token(unsubscribe_token(user_id=user_id, kind=kind)) == (
        user_id,
        kind,
    )


@given(
    user_id=st.integers(min_value=1, max_value=2**31),
    position=st.integers(min_value=0, max_value=200),
    char=st.sampled_from("AZaz09-_:"),
)
def test_a_tampered_unsubscribe_token_is_refused(user_id, position, char):
    token = unsubscribe_token(user_id=user_id, kind="account.welcome")
    position %= len(token)
    if token[position] == char:
        return
    tampered = token[:position] + char + token[position + 1 :]

    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(tampered)


@given(
    subject=header_safe,
    body=st.text(max_size=500),
    html=st.text(max_size=500),
    to=st.lists(st.emails(), min_size=1, max_size=3),
)
def test_an_email_survives_the_trip_through_the_outbox_payload(subject, body, html, to):
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    message.attach_alternative(html, "text/html")

    again = email_from_payload(email_to_payload(message))

    assert (again.subject, again.body, again.to) == (subject, body, to)
    assert again.alternatives[0][0] == html
    # A stable Message-ID is assigned once and kept.
    payload = email_to_payload(message)
    assert (
        email_to_payload(email_from_payload(payload))["headers"]["Message-ID"]
        == (payload["headers"]["Message-ID"])
    )
