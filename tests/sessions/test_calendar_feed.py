"""The private calendar feed: a person's sessions in both roles at a secret
URL, read back by an independent parser (``ics``) with the instants, UIDs and
SEQUENCE of the invitations; cancelled sessions marked until they are past;
revoked or replaced links answer 404; one person's link never shows another's
sessions; past the rate, 429; the settings page, the API and personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import ics
import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import hash_token
from compagnonnage.settings.base import API_THROTTLE_RATES
from core.personal_data import personal_data_erase, providers
from sessions.feed import feed_token_of, feed_url
from sessions.models import Booking, CalendarFeed, CancelReason
from sessions.personal_data import export_calendar_feed
from sessions.services import (
    booking_create,
    bookings_cancel_for_change,
    calendar_feed_create,
    calendar_feed_delete,
)
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_bookings import START, _discovery, _mentorship, _slot
from tests.sessions.test_invitations import (
    LINK,
    _event,
    _ics_text,
    _pair,
    _sent,
    _sequence,
)

pytestmark = pytest.mark.django_db

SETTINGS_PAGE = reverse("coaching_sessions:calendar-feed-settings")
NEW = reverse("coaching_sessions:calendar-feed-new")
DELETE = reverse("coaching_sessions:calendar-feed-delete")
API = "/api/v1/me/calendar-feed/"

REAL_RATES = override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    }
)


def _path(token: str) -> str:
    return reverse("coaching_sessions:calendar-feed", kwargs={"feed_token": token})


def _read(client, token: str) -> tuple[str, ics.Calendar]:
    response = client.get(_path(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    return text, ics.Calendar(text)


def _by_uid(calendar: ics.Calendar) -> dict[str, ics.Event]:
    return {event.uid: event for event in calendar.events}


def _status(event: ics.Event) -> str:
    return str(event.status)


def _invitations_to(address: str) -> list[ics.Event]:
    """The events of the invitations the outbox delivers now to ``address``."""
    _sent()
    return [
        _event(_ics_text(message))[1]
        for message in mail.outbox
        if message.to == [address]
    ]


def _both_roles():
    """Ada (English, Toronto) mentors Léa (French, Paris), and is herself the
    learner of Karim a day later: one booking in each role. The invitations
    already sent are returned by recipient."""
    ada_profile, lea, slot = _pair()
    ada = ada_profile.user
    as_mentor = booking_create(learner=lea, slot_id=slot.pk, mode="video")
    karim = mentor(full_name="Karim Benali", email="karim@example.org")
    karim.modes = ["video", "phone"]
    karim.save(update_fields=["modes"])
    _mentorship(ada, karim)
    other_slot = _slot(karim, START + timedelta(days=1), modes=["phone"])
    as_learner = booking_create(
        learner=ada, slot_id=other_slot.pk, mode="phone", phone="06 12 34 56 78"
    )
    return ada, lea, as_mentor, as_learner


def test_the_feed_holds_both_roles_as_the_invitations_say_them(client):
    ada, _lea, as_mentor, as_learner = _both_roles()
    invitations = _invitations_to("ada@example.org")
    _feed, token = calendar_feed_create(person=ada)

    text, calendar = _read(client, token)

    events = _by_uid(calendar)
    assert set(events) == {
        f"booking-{as_mentor.pk}@testserver",
        f"booking-{as_learner.pk}@testserver",
    }
    # The same UIDs as the invitations Ada holds: her calendar matches them.
    assert {event.uid for event in invitations} == set(events)
    mentoring = events[f"booking-{as_mentor.pk}@testserver"]
    learning = events[f"booking-{as_learner.pk}@testserver"]
    assert (mentoring.begin.datetime, mentoring.end.datetime) == (
        as_mentor.start,
        as_mentor.end,
    )
    assert (learning.begin.datetime, learning.end.datetime) == (
        as_learner.start,
        as_learner.end,
    )
    # In Ada's language, naming the other person, with where to meet.
    assert mentoring.name == "Session with Léa Martin"
    assert learning.name == "Session with Karim Benali"
    assert mentoring.location == LINK
    assert "Karim Benali will call you at 06 12 34 56 78." in learning.description
    assert all(_status(event) == "CONFIRMED" for event in events.values())
    assert all(_sequence(event) == 0 for event in events.values())
    # A subscribed feed: no METHOD, times in UTC, no zone definitions; named.
    assert calendar.method is None
    assert "METHOD" not in text
    assert f"DTSTART:{as_mentor.start:%Y%m%dT%H%M%S}Z" in text
    assert "VTIMEZONE" not in text
    assert "TZID" not in text
    assert "X-WR-CALNAME:Compagnonnage" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    # Nobody's e-mail address travels in a feed.
    assert "@example.org" not in text


def test_the_feed_is_in_its_owner_s_language(client):
    _ada, lea, as_mentor, _as_learner = _both_roles()
    _feed, token = calendar_feed_create(person=lea)

    _text, calendar = _read(client, token)

    [event] = calendar.events
    assert event.uid == f"booking-{as_mentor.pk}@testserver"
    assert event.name == "Séance avec Ada Lovelace"


def test_a_cancelled_session_shows_cancelled_until_it_is_past(client):
    ada, _lea, as_mentor, as_learner = _both_roles()
    _sent()
    bookings_cancel_for_change(
        bookings=Booking.objects.filter(pk=as_mentor.pk),
        reason=CancelReason.MENTORSHIP_ENDED,
    )
    [cancel] = _invitations_to("ada@example.org")
    _feed, token = calendar_feed_create(person=ada)

    _text, calendar = _read(client, token)
    cancelled = _by_uid(calendar)[f"booking-{as_mentor.pk}@testserver"]
    assert _status(cancelled) == "CANCELLED"
    # The SEQUENCE of the CANCEL her calendar received.
    assert _sequence(cancelled) == _sequence(cancel) == 1
    assert "This session is cancelled. The mentorship has ended." in (
        cancelled.description
    )

    # Both sessions now over: the cancelled one drops out, the other stays.
    now = timezone.now()
    for booking, hours_ago in ((as_mentor, 3), (as_learner, 5)):
        Booking.objects.filter(pk=booking.pk).update(
            start=now - timedelta(hours=hours_ago),
            end=now - timedelta(hours=hours_ago - 1),
        )
    _text, calendar = _read(client, token)
    assert set(_by_uid(calendar)) == {f"booking-{as_learner.pk}@testserver"}


def test_the_feed_keeps_the_last_30_days(client):
    ada, _lea, as_mentor, as_learner = _both_roles()
    now = timezone.now()
    Booking.objects.filter(pk=as_mentor.pk).update(
        start=now - timedelta(days=29, hours=2), end=now - timedelta(days=29, hours=1)
    )
    Booking.objects.filter(pk=as_learner.pk).update(
        start=now - timedelta(days=31, hours=2), end=now - timedelta(days=31, hours=1)
    )
    _feed, token = calendar_feed_create(person=ada)

    _text, calendar = _read(client, token)

    assert set(_by_uid(calendar)) == {f"booking-{as_mentor.pk}@testserver"}


def test_one_person_s_link_never_shows_another_s_sessions(client):
    ada, lea, as_mentor, as_learner = _both_roles()
    stranger = UserFactory()
    profile = mentor()
    _discovery(profile)
    theirs = booking_create(
        learner=stranger,
        slot_id=_slot(profile, START + timedelta(days=2)).pk,
        mode="video",
    )
    tokens = {
        person: calendar_feed_create(person=person)[1]
        for person in (ada, lea, stranger)
    }

    seen = {
        person: set(_by_uid(_read(client, token)[1]))
        for person, token in tokens.items()
    }

    assert seen == {
        ada: {
            f"booking-{as_mentor.pk}@testserver",
            f"booking-{as_learner.pk}@testserver",
        },
        lea: {f"booking-{as_mentor.pk}@testserver"},
        stranger: {f"booking-{theirs.pk}@testserver"},
    }


def test_a_revoked_link_answers_404_and_a_new_one_replaces_the_old(client):
    person = UserFactory()
    _feed, first = calendar_feed_create(person=person)
    assert client.get(_path(first)).status_code == 200

    _feed, second = calendar_feed_create(person=person)

    assert second != first
    assert client.get(_path(first)).status_code == 404
    assert client.get(_path(second)).status_code == 200
    assert CalendarFeed.objects.filter(person=person).count() == 1

    assert calendar_feed_delete(person=person) is True
    assert client.get(_path(second)).status_code == 404
    assert calendar_feed_delete(person=person) is False


@pytest.mark.parametrize(
    "token",
    ["x" * 43, "x" * 42, "a" * 44, "%2e%2e", "A" * 42 + "="],
)
def test_an_unknown_or_malformed_token_answers_404(client, token):
    calendar_feed_create(person=UserFactory())

    assert client.get(_path(token)).status_code == 404


def test_a_closed_account_s_link_answers_404(client):
    person = UserFactory()
    _feed, token = calendar_feed_create(person=person)
    person.is_active = False
    person.save(update_fields=["is_active"])

    assert client.get(_path(token)).status_code == 404


def test_the_feed_is_read_only_and_records_its_reads_hourly(client):
    person = UserFactory()
    feed, token = calendar_feed_create(person=person)

    assert client.post(_path(token)).status_code == 405
    assert client.head(_path(token)).status_code == 200
    feed.refresh_from_db()
    first_read = feed.last_read_at
    assert first_read is not None
    client.get(_path(token))
    feed.refresh_from_db()
    assert feed.last_read_at == first_read  # within the hour: not written again
    CalendarFeed.objects.filter(pk=feed.pk).update(
        last_read_at=first_read - timedelta(hours=2)
    )
    client.get(_path(token))
    feed.refresh_from_db()
    assert feed.last_read_at > first_read


def test_the_database_alone_gives_no_link_and_a_key_rotation_keeps_them():
    person = UserFactory()
    feed, token = calendar_feed_create(person=person)
    row = CalendarFeed.objects.values().get(pk=feed.pk)

    assert token not in json.dumps(row, default=str)
    assert row["token_hash"] == hash_token(token)
    assert feed_token_of(feed) == token
    with override_settings(
        SECRET_KEY="a-new-key-" + "k" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert feed_token_of(feed) == token
    with override_settings(SECRET_KEY="a-new-key-" + "k" * 50):
        assert feed_token_of(feed) is None


def test_past_the_key_the_page_says_the_link_works_but_cannot_be_shown(client):
    person = UserFactory()
    feed, token = calendar_feed_create(person=person)
    client.force_login(person)
    # As after the key it was made under is dropped: the seed no longer gives
    # the token (changing SECRET_KEY here would also sign the person out).
    CalendarFeed.objects.filter(pk=feed.pk).update(seed="another seed")

    page = client.get(SETTINGS_PAGE).content.decode()
    feed_answer = client.get(_path(token))

    assert "ne peut plus être affiché ici" in page
    assert token not in page
    assert "Changer de lien" in page
    assert feed_answer.status_code == 200


# --- queries ---------------------------------------------------------------------

# The feed and its person, the bookings with both people and the slot's
# venue, the mentors' meeting links now.
FEED_QUERIES = 3


def test_the_feed_s_queries_do_not_grow_with_its_bookings(client):
    profile = mentor()
    _discovery(profile)
    from sessions.models import Availability

    Availability.objects.filter(mentor_profile=profile).update(
        max_per_day=12, max_per_week=60
    )
    person = profile.user
    _feed, token = calendar_feed_create(person=person)
    client.get(_path(token))  # the first read is recorded

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _read(client, token)
        return len(queries)

    booking_create(learner=UserFactory(), slot_id=_slot(profile).pk, mode="video")
    one = count()
    for index in range(1, 6):
        slot = _slot(profile, START + timedelta(hours=2 * index))
        booking_create(learner=UserFactory(), slot_id=slot.pk, mode="video")
    workshop = _slot(profile, START - timedelta(hours=4), capacity=3, title="Atelier")
    for _ in range(2):
        booking_create(learner=UserFactory(), slot_id=workshop.pk, mode="video")

    assert one == FEED_QUERIES
    assert count() == FEED_QUERIES
    assert len(_read(client, token)[1].events) == 8


# --- rate limits -----------------------------------------------------------------


def _rate(scope: str) -> int:
    number, period = API_THROTTLE_RATES[scope].split("/")
    assert period == "hour"
    return int(number)


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600


@REAL_RATES
def test_a_feed_read_too_often_answers_429_with_retry_after(client):
    _feed, token = calendar_feed_create(person=UserFactory())
    _feed, other = calendar_feed_create(person=UserFactory())

    statuses = {
        client.get(_path(token)).status_code for _ in range(_rate("calendar_feed"))
    }

    assert statuses == {200}
    _assert_throttled(client.get(_path(token)))
    # From another address too (the count is the feed's), and others go on.
    _assert_throttled(client.get(_path(token), REMOTE_ADDR="198.51.100.7"))
    assert client.get(_path(other)).status_code == 200


@REAL_RATES
def test_an_address_trying_links_answers_429_and_real_links_still_work(client):
    _feed, token = calendar_feed_create(person=UserFactory())
    wrong = "x" * 43

    statuses = {
        client.get(_path(wrong)).status_code for _ in range(_rate("calendar_feed_miss"))
    }

    assert statuses == {404}
    _assert_throttled(client.get(_path(wrong)))
    _assert_throttled(client.get(_path("y" * 43)))
    assert client.get(_path(wrong), REMOTE_ADDR="198.51.100.7").status_code == 404
    # A calendar app at that address with a real link is not held back.
    assert client.get(_path(token)).status_code == 200


# --- the page --------------------------------------------------------------------


def test_my_calendar_page_creates_changes_and_deletes_the_link(client):
    person = UserFactory(language="fr")
    client.force_login(person)

    page = client.get(SETTINGS_PAGE).content.decode()
    assert "Mon agenda" in page
    assert "Vous n'avez pas encore de lien." in page
    assert "Créer mon lien" in page

    response = client.post(NEW, follow=True)
    assert response.redirect_chain == [(SETTINGS_PAGE, 302)]
    page = response.content.decode()
    feed = CalendarFeed.objects.get(person=person)
    token = feed_token_of(feed)
    assert token is not None
    url = feed_url(token)
    assert "Votre lien est prêt." in page
    assert '<textarea id="feed-url" class="feed-url" rows="3" readonly' in page
    assert f">{url}</textarea>" in page
    assert f'href="webcal://testserver/agenda/{token}.ics"' in page
    assert "Copier le lien" in page
    assert "Aucun agenda ne l'a encore lu." in page
    assert client.get(_path(token)).status_code == 200
    assert "Votre agenda l'a lu pour la dernière fois le" in (
        client.get(SETTINGS_PAGE).content.decode()
    )

    page = client.post(NEW, follow=True).content.decode()
    assert "L&#x27;ancien ne marche plus" in page
    assert client.get(_path(token)).status_code == 404
    new_token = feed_token_of(CalendarFeed.objects.get(person=person))
    assert new_token != token
    assert new_token in page

    page = client.post(DELETE, follow=True).content.decode()
    assert "Votre lien est supprimé." in page
    assert "Vous n'avez pas encore de lien." in page
    assert client.get(_path(new_token)).status_code == 404


def test_my_calendar_page_needs_a_sign_in_and_its_actions_a_post(client):
    person = UserFactory()

    assert client.get(SETTINGS_PAGE).status_code == 302
    assert client.post(NEW).status_code == 302
    assert not CalendarFeed.objects.exists()
    client.force_login(person)
    assert client.get(NEW).status_code == 405
    assert client.get(DELETE).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_the_page_shows_only_the_person_s_own_link(client):
    someone = UserFactory()
    _feed, theirs = calendar_feed_create(person=someone)
    me = UserFactory()
    client.force_login(me)

    assert theirs not in client.get(SETTINGS_PAGE).content.decode()
    client.post(DELETE)  # mine: there is none; theirs stays
    assert client.get(_path(theirs)).status_code == 200


def test_the_account_menu_and_my_sessions_lead_to_my_calendar(client):
    client.force_login(UserFactory())

    for page in (SETTINGS_PAGE, reverse("coaching_sessions:my-sessions")):
        assert f'href="{SETTINGS_PAGE}"' in client.get(page).content.decode()


# --- the API ---------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_makes_shows_replaces_and_revokes_the_link(client):
    person = UserFactory()
    api = _api(person)

    assert api.get(API).status_code == 404
    made = api.post(API)
    assert made.status_code == 201
    first = made.json()
    token = first["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert first["url"] == f"http://testserver/agenda/{token}.ics"
    assert first["webcal_url"] == f"webcal://testserver/agenda/{token}.ics"
    assert first["last_read_at"] is None
    assert client.get(_path(token)).status_code == 200
    shown = api.get(API).json()
    assert shown["url"] == first["url"]
    assert shown["last_read_at"] is not None

    second = api.post(API).json()
    assert second["url"] != first["url"]
    assert client.get(_path(token)).status_code == 404

    assert api.delete(API).status_code == 204
    assert api.delete(API).status_code == 404
    assert api.get(API).status_code == 404
    assert (
        client.get(second["url"].removeprefix("http://testserver")).status_code == 404
    )


def test_the_api_needs_a_sign_in_and_keeps_to_the_caller_s_own_link():
    someone = UserFactory()
    _feed, theirs = calendar_feed_create(person=someone)

    assert APIClient().post(API).status_code == 401
    assert APIClient().get(API).status_code == 401
    me = _api(UserFactory())
    assert me.get(API).status_code == 404
    assert me.delete(API).status_code == 404
    assert feed_token_of(CalendarFeed.objects.get(person=someone)) == theirs


# --- personal data ---------------------------------------------------------------


def test_the_export_says_a_link_exists_and_never_gives_it():
    person = UserFactory()
    assert export_calendar_feed(person) == {"calendar_feed": None}
    feed, token = calendar_feed_create(person=person)

    exported = export_calendar_feed(person)

    assert exported == {
        "calendar_feed": {"created_at": feed.created_at, "last_read_at": None}
    }
    text = json.dumps(exported, default=str)
    for secret in (token, feed.seed, feed.token_hash):
        assert secret not in text
    assert "calendar_feed" in [p.name for p in providers()]


def test_erasure_revokes_the_link(client):
    person = UserFactory()
    _feed, token = calendar_feed_create(person=person)

    personal_data_erase(user=person)

    assert not CalendarFeed.objects.filter(token_hash=hash_token(token)).exists()
    assert client.get(_path(token)).status_code == 404


def test_the_privacy_page_says_who_reads_a_subscribed_calendar(client):
    page = client.get(reverse("core:privacy")).content.decode()

    assert "seulement si vous y ajoutez le lien de « Mon agenda »" in page
