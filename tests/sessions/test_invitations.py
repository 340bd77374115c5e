"""Calendar invitations: both people of a booking get an e-mail in their own
language with an ``.ics`` that an independent parser (``ics``) reads back with
the right instants, METHOD, UID and SEQUENCE; cancellations say why in plain
words (never a block); one person's e-mail address never reaches the other."""

from __future__ import annotations

import email
import email.header
import zoneinfo
from datetime import timedelta
from email.message import Message

import ics
import pytest
from django.core import mail
from django.db import transaction
from django.db.models import F

from core.models import OutboxMessage
from sessions.invitations import REASONS, booking_invitations_send
from sessions.models import Booking
from sessions.services import booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.outbox import run_outbox
from tests.sessions.people import LINK, ada_and_lea
from tests.sessions.test_bookings import START, _discovery, _mentorship, _slot


def _pair(**learner_fields):
    """A French learner in Paris and an English mentor in Toronto, in an
    active mentorship; the mentor has their own video link."""
    profile, learner = ada_and_lea(**learner_fields)
    _mentorship(learner, profile)
    return profile, learner, _slot(profile)


def _sent() -> dict[str, mail.EmailMessage]:
    """What the outbox delivers now, by recipient."""
    mail.outbox.clear()
    run_outbox()
    return {message.to[0]: message for message in mail.outbox}


def _mime(message: mail.EmailMessage) -> Message:
    """The message as it leaves (bytes parsed back), not Python objects."""
    return email.message_from_bytes(message.message().as_bytes())


def _calendar_part(message: Message) -> Message:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part


def _ics_text(message: mail.EmailMessage) -> str:
    return _calendar_part(_mime(message)).get_payload(decode=True).decode()


def _event(text: str) -> tuple[ics.Calendar, ics.Event]:
    calendar = ics.Calendar(text)
    [event] = calendar.events
    return calendar, event


def _sequence(event: ics.Event) -> int:
    [line] = [c for c in event.extra if c.name == "SEQUENCE"]
    return int(line.value)


def _text(message: mail.EmailMessage) -> str:
    return str(message.body)


def _local(zone: str) -> str:
    return START.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%H:%M")


@pytest.mark.django_db
def test_booking_invites_both_people_each_in_their_language_and_zone():
    _profile, learner, slot = _pair()

    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    sent = _sent()

    assert set(sent) == {"lea@example.org", "ada@example.org"}
    french, english = sent["lea@example.org"], sent["ada@example.org"]
    assert "Réservé : Séance avec Ada Lovelace" in french.subject
    assert "Booked: Session with Léa Martin" in english.subject
    assert "C'est réservé : Séance avec Ada Lovelace." in _text(french)
    assert "Session with Léa Martin is booked." in _text(english)
    assert "L'invitation jointe ajoute la séance à votre agenda." in _text(french)
    for message in (french, english):
        [attachment] = message.attachments
        assert attachment.filename == "invitation.ics"
        part = _calendar_part(_mime(message))
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "invitation.ics"

    for message, zone, other_zone in (
        (french, "Europe/Paris", "America/Toronto"),
        (english, "America/Toronto", "Europe/Paris"),
    ):
        text = _ics_text(message)
        calendar, event = _event(text)
        assert calendar.method == "REQUEST"
        assert event.begin.datetime == booking.start
        assert event.end.datetime == booking.end
        assert event.uid == f"booking-{booking.pk}@testserver"
        assert _sequence(event) == 0
        assert event.location == LINK
        # UTC times, no zone definitions: every calendar reads them right.
        assert f"DTSTART:{booking.start:%Y%m%dT%H%M%S}Z" in text
        assert "VTIMEZONE" not in text
        assert "TZID" not in text
        assert "ORGANIZER;CN=Compagnonnage:mailto:no-reply@compagnonnage.fr" in text
        # The local times are written out, in both zones (they differ here).
        local, theirs = _local(zone), _local(other_zone)
        if zone == "Europe/Paris":
            local, theirs = (t.replace(":", " h ").lstrip("0") for t in (local, theirs))
        assert local in event.description
        assert theirs in event.description
        assert LINK in event.description
    assert _event(_ics_text(french))[1].name == "Séance avec Ada Lovelace"
    assert _event(_ics_text(english))[1].name == "Session with Léa Martin"
    assert "heure de France métropolitaine (Paris)" in _text(french)
    assert "Pour Ada Lovelace :" in _text(french)
    assert "For Léa Martin:" in _text(english)


@pytest.mark.django_db
def test_each_invitation_names_its_own_recipient_and_never_the_others_address():
    _profile, learner, slot = _pair()
    booking_create(learner=learner, slot_id=slot.pk, mode="video")

    sent = _sent()

    for mine, theirs in (
        ("lea@example.org", "ada@example.org"),
        ("ada@example.org", "lea@example.org"),
    ):
        raw = sent[mine].message().as_bytes().decode()
        assert theirs not in raw
        _calendar, event = _event(_ics_text(sent[mine]))
        assert [a.email for a in event.attendees] == [mine]
        assert event.organizer.email == "no-reply@compagnonnage.fr"
    rows = OutboxMessage.objects.filter(task_name="core.tasks.send_email_task")
    for row in rows:
        [to] = row.payload["to"]
        other = {"lea@example.org", "ada@example.org"} - {to}
        assert other.pop() not in str(row.payload)


@pytest.mark.django_db
def test_every_kind_of_booking_is_invited():
    profile = mentor(full_name="Ada Lovelace")
    workshop = _slot(profile, capacity=3, title="Créer son adresse e-mail")
    discovery = _slot(profile, START + timedelta(days=1))
    _discovery(profile)
    learner = UserFactory(full_name="Léa Martin", language="fr")

    booking_create(learner=learner, slot_id=workshop.pk, mode="video")
    subjects = sorted(m.subject for m in _sent().values())
    booking_create(learner=learner, slot_id=discovery.pk, mode="video")
    later = sorted(m.subject for m in _sent().values())

    assert len(subjects) == 2
    assert (
        "Atelier « Créer son adresse e-mail » avec Ada Lovelace"
        in subjects[0] + (subjects[1])
    )
    assert any(
        "Atelier « Créer son adresse e-mail » avec Léa Martin" in s for s in subjects
    )
    assert len(later) == 2
    assert any("Séance découverte avec Ada Lovelace" in s for s in later)


def _cancelled(booking: Booking, reason: str) -> dict[str, mail.EmailMessage]:
    """What the lead's cancellations do: the booking cancelled, its sequence
    one more, then the CANCEL sent, in one transaction."""
    with transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(
            sequence=F("sequence") + 1, status="cancelled", cancelled_at=START
        )
        booking.refresh_from_db()
        booking_invitations_send(booking=booking, method="CANCEL", reason=reason)
    return _sent()


@pytest.mark.django_db
def test_a_cancellation_replaces_the_invitation_in_both_calendars():
    _profile, learner, slot = _pair()
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    invited = _sent()

    sent = _cancelled(booking, "mentorship_ended")

    assert set(sent) == {"lea@example.org", "ada@example.org"}
    french, english = sent["lea@example.org"], sent["ada@example.org"]
    assert "Annulé : Séance avec Ada Lovelace" in french.subject
    assert "Cancelled: Session with Léa Martin" in english.subject
    assert "Cette séance est annulée. L'accompagnement est terminé." in _text(french)
    assert "This session is cancelled. The mentorship has ended." in _text(english)
    for before, message in (
        (invited["lea@example.org"], french),
        (invited["ada@example.org"], english),
    ):
        assert _calendar_part(_mime(message)).get_param("method") == "CANCEL"
        calendar, event = _event(_ics_text(message))
        _, first = _event(_ics_text(before))
        assert calendar.method == "CANCEL"
        assert event.status == "CANCELLED"
        assert event.uid == first.uid == f"booking-{booking.pk}@testserver"
        assert _sequence(event) == 1 > _sequence(first)
        assert (event.begin, event.end) == (first.begin, first.end)


@pytest.mark.django_db
def test_a_block_is_told_as_the_end_of_the_mentorship():
    _profile, learner, slot = _pair()
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")

    blocked = _cancelled(booking, "blocked")
    ended = _cancelled(booking, "mentorship_ended")

    for to in ("lea@example.org", "ada@example.org"):
        said = [_text(blocked[to]), _ics_text(blocked[to])]
        assert "bloqu" not in " ".join(said).lower()
        assert "block" not in " ".join(said).lower()
        assert _text(blocked[to]) == _text(ended[to])
        assert blocked[to].alternatives == ended[to].alternatives
        assert _event(said[1])[1].description == (
            _event(_ics_text(ended[to]))[1].description
        )
    assert "L'accompagnement est terminé." in _text(blocked["lea@example.org"])
    assert "The mentorship has ended." in _text(blocked["ada@example.org"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "to_learner", "to_mentor"),
    [
        (
            "account_closed",
            "Le compte de l'autre personne a été fermé.",
            "The other person's account has been closed.",
        ),
        (
            "mentor_paused",
            "Ada Lovelace ne prend plus de séances pour le moment.",
            "You have paused your sessions.",
        ),
        (
            "mentor_hidden",
            "Ada Lovelace ne propose plus de séances sur Compagnonnage.",
            "Your mentor profile is no longer shown on Compagnonnage.",
        ),
        ("", "Cette séance est annulée.", "This session is cancelled."),
    ],
)
def test_each_reason_is_said_in_plain_words(reason, to_learner, to_mentor):
    _profile, learner, slot = _pair()
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")

    sent = _cancelled(booking, reason)

    assert to_learner in _text(sent["lea@example.org"])
    assert to_mentor in _text(sent["ada@example.org"])
    assert "Cette séance est annulée." in _text(sent["lea@example.org"])
    if reason == "account_closed":
        # An erased person's name must not outlive them in the other's mail.
        assert "Ada" not in str(sent["lea@example.org"].message())
        assert "Léa" not in _ics_text(sent["ada@example.org"])


@pytest.mark.django_db
def test_a_closed_account_leaves_nothing_of_its_owner_in_the_others_mail():
    profile = mentor(full_name="Ada Lovelace", email="ada@example.org")
    profile.modes = ["phone"]
    profile.save(update_fields=["modes"])
    learner = UserFactory(
        full_name="Léa Martin", email="lea@example.org", time_zone="America/Toronto"
    )
    _mentorship(learner, profile)
    slot = _slot(profile, modes=["phone"])
    booking = booking_create(
        learner=learner, slot_id=slot.pk, mode="phone", phone="06 12 34 56 78"
    )
    _sent()
    type(learner).objects.filter(pk=learner.pk).update(is_active=False)
    booking.refresh_from_db()

    [(to, message)] = _cancelled(booking, "account_closed").items()

    raw = message.message().as_bytes().decode()
    assert to == "ada@example.org"
    for trace in ("Léa", "Martin", "lea@example.org", "12 34 56", "Toronto"):
        assert trace not in raw
        assert trace not in _ics_text(message)
    assert "Le compte de l'autre personne a été fermé." in _text(message)


@pytest.mark.django_db
def test_every_reason_the_cancellations_use_is_known_and_others_are_refused():
    _profile, learner, slot = _pair()
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")

    assert set(REASONS) == {
        "mentorship_ended",
        "blocked",
        "account_closed",
        "mentor_paused",
        "mentor_hidden",
        "health",
        "job_interview",
        "childcare",
        "transport",
        "other",
        "",
    }
    with pytest.raises(ValueError, match="unknown reason"):
        booking_invitations_send(booking=booking, method="CANCEL", reason="oops")
    with pytest.raises(ValueError, match="unknown method"):
        booking_invitations_send(booking=booking, method="PUBLISH")
    with pytest.raises(ValueError, match="unknown reason"):
        booking_invitations_send(booking=booking, method="REQUEST", reason="blocked")


@pytest.mark.django_db
def test_a_person_whose_account_is_gone_or_closed_gets_nothing():
    _profile, learner, slot = _pair()
    booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    _sent()

    type(learner).objects.filter(pk=learner.pk).update(is_active=False)
    booking.refresh_from_db()
    closed = _cancelled(booking, "account_closed")
    Booking.objects.filter(pk=booking.pk).update(mentor=None)
    booking.refresh_from_db()
    with transaction.atomic():
        booking_invitations_send(booking=booking, method="CANCEL")
    gone = _sent()

    assert set(closed) == {"ada@example.org"}
    assert gone == {}


@pytest.mark.worker
def test_the_invitations_go_out_through_the_real_worker(live_worker, smtp_sink):
    _profile, learner, slot = _pair()

    with transaction.atomic():
        booking = booking_create(learner=learner, slot_id=slot.pk, mode="video")
    received = {m["To"]: m for m in smtp_sink.wait_for(2)}

    assert set(received) == {"lea@example.org", "ada@example.org"}
    subjects = {
        to: str(email.header.make_header(email.header.decode_header(m["Subject"])))
        for to, m in received.items()
    }
    assert "Réservé : Séance avec Ada Lovelace" in subjects["lea@example.org"]
    assert "Booked: Session with Léa Martin" in subjects["ada@example.org"]
    for to, message in received.items():
        part = _calendar_part(message)
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "invitation.ics"
        calendar, event = _event(part.get_payload(decode=True).decode())
        assert calendar.method == "REQUEST"
        assert event.begin.datetime == booking.start
        assert event.uid == f"booking-{booking.pk}@testserver"
        assert [a.email for a in event.attendees] == [to]
    live_worker.drain()
    assert len(smtp_sink.messages) == 2
