from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship, MentorshipRequest
from matching.services import message_send
from mentors.models import LearnerProfile, LearnerSkill, Report, Skill
from mentors.services import block_create
from tests.accounts.helpers import sign_in_staff
from tests.factories import UserFactory
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.django_db


def _ask(client, learner, profile):
    client.force_login(learner)
    return client.post(
        reverse("matching:request-create", args=[profile.pk]),
        {"skills": ["python"], "preferred_mode": "video", "message": "Bonjour !"},
    )


def test_request_page_then_plain_accept_then_thread(client):
    learner, profile = learner_with_skills(), mentor()

    assert _ask(client, learner, profile)["Location"] == reverse(
        "matching:requests-sent"
    )
    request = MentorshipRequest.objects.get()
    client.force_login(profile.user)
    page = client.get(reverse("matching:requests-received"))
    assert "Apprendre Python" in page.content.decode()  # the learner's goals

    response = client.post(reverse("matching:request-accept", args=[request.pk]))
    assert response.status_code == 302
    mentorship = Mentorship.objects.get()
    thread = client.get(reverse("matching:thread", args=[mentorship.pk]))
    assert thread.status_code == 200
    client.post(
        reverse("matching:thread", args=[mentorship.pk]), {"body": "Bienvenue !"}
    )
    assert mentorship.messages.get().body == "Bienvenue !"


def test_htmx_accept_answers_a_fragment_and_a_second_click_explains(client):
    learner, profile = learner_with_skills(), mentor()
    _ask(client, learner, profile)
    request = MentorshipRequest.objects.get()
    client.force_login(profile.user)
    url = reverse("matching:request-accept", args=[request.pk])

    first = client.post(url, HTTP_HX_REQUEST="true")
    second = client.post(url, HTTP_HX_REQUEST="true")

    assert first.status_code == 200
    assert "message-success" in first.content.decode()
    assert "message-error" in second.content.decode()
    assert "<html" not in second.content.decode()


def test_htmx_accept_answers_the_updated_lists_and_a_link_to_the_conversation(
    client,
):
    learner, other, profile = learner_with_skills(), learner_with_skills(), mentor()
    _ask(client, learner, profile)
    _ask(client, other, profile)
    accepted, waiting = MentorshipRequest.objects.order_by("pk")
    client.force_login(profile.user)

    response = client.post(
        reverse("matching:request-accept", args=[accepted.pk]), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    thread = reverse("matching:thread", args=[Mentorship.objects.get().pk])
    assert 'id="answer-status"' in html
    assert 'tabindex="-1" autofocus' in html
    assert html.count(f'href="{thread}"') == 2  # the confirmation and the list
    assert f'id="request-{accepted.pk}"' not in html
    assert f'id="request-{waiting.pk}"' in html


def test_htmx_decline_answers_the_updated_list(client):
    learner, profile = learner_with_skills(), mentor()
    _ask(client, learner, profile)
    request = MentorshipRequest.objects.get()
    client.force_login(profile.user)

    response = client.post(
        reverse("matching:request-decline", args=[request.pk]),
        {"message": "Je suis complet"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert 'id="answer-status"' in html
    assert f'id="request-{request.pk}"' not in html
    assert "Aucune demande n'attend votre réponse." in html
    request.refresh_from_db()
    assert (request.status, request.answer_message) == ("declined", "Je suis complet")


def test_plain_accept_links_the_conversation_in_its_message(client):
    learner, profile = learner_with_skills(full_name="Lou N'Diaye"), mentor()
    _ask(client, learner, profile)
    client.force_login(profile.user)

    response = client.post(
        reverse("matching:request-accept", args=[MentorshipRequest.objects.get().pk]),
        follow=True,
    )

    thread = reverse("matching:thread", args=[Mentorship.objects.get().pk])
    html = response.content.decode()
    assert (
        f'<a href="{thread}">Ouvrir la conversation avec Lou N&#x27;Diaye</a>' in html
    )


def test_others_cannot_answer_see_threads_or_report_messages(client):
    learner, profile = learner_with_skills(), mentor()
    _ask(client, learner, profile)
    request = MentorshipRequest.objects.get()
    stranger = UserFactory()
    client.force_login(stranger)

    assert (
        client.post(reverse("matching:request-accept", args=[request.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("matching:request-decline", args=[request.pk])).status_code
        == 404
    )
    # Not a mentor: the page says how to become one, and shows nobody's requests.
    page = client.get(reverse("matching:requests-received"))
    assert page.status_code == 200
    assert "matching/become_mentor.html" in [t.name for t in page.templates]
    assert request.learner.full_name not in page.content.decode()
    client.force_login(profile.user)
    client.post(reverse("matching:request-accept", args=[request.pk]))
    mentorship = Mentorship.objects.get()
    client.force_login(stranger)
    assert (
        client.get(reverse("matching:thread", args=[mentorship.pk])).status_code == 404
    )
    assert (
        client.post(
            reverse("matching:thread", args=[mentorship.pk]), {"body": "x"}
        ).status_code
        == 404
    )
    message = message_send(
        author=profile.user, mentorship_id=mentorship.pk, body="Bienvenue !"
    )
    report_url = reverse("matching:message-report", args=[message.pk])
    assert client.get(report_url).status_code == 404
    assert client.post(report_url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


def test_a_message_can_be_reported_to_staff(client):
    from matching.services import mentorship_request_accept, message_send
    from mentors.models import Report

    learner, profile = learner_with_skills(), mentor()
    _ask(client, learner, profile)
    mentorship = mentorship_request_accept(
        mentor=profile.user, request_id=MentorshipRequest.objects.get().pk
    )
    message = message_send(
        author=profile.user, mentorship_id=mentorship.pk, body="Hors sujet"
    )
    client.force_login(learner)

    response = client.post(
        reverse("matching:message-report", args=[message.pk]), {"reason": "harassment"}
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.message_id, report.message_text, report.reported_user) == (
        message.pk,
        message.body,
        profile.user,
    )
    client.force_login(profile.user)  # nobody reports their own message
    assert (
        client.get(reverse("matching:message-report", args=[message.pk])).status_code
        == 404
    )
    # The author's erasure takes the message; staff still read what was reported.
    reported_id = message.pk
    message.delete()
    report.refresh_from_db()
    assert (report.message_id, report.message_text) == (reported_id, "Hors sujet")


def test_pausing_from_the_dashboard(client):
    profile = mentor()
    client.force_login(profile.user)

    client.post(reverse("matching:pause"), {"paused": "1"})
    profile.refresh_from_db()
    assert profile.is_paused

    learner = learner_with_skills()
    response = _ask(client, learner, profile)
    assert response.status_code == 200  # the form again, with the reason
    assert "ne prend pas de nouvelles personnes" in response.content.decode()
    assert not MentorshipRequest.objects.exists()


def test_a_paused_mentor_says_so_before_anyone_types(client):
    learner, profile = learner_with_skills(), mentor()
    profile.is_paused = True
    profile.save(update_fields=["is_paused"])
    client.force_login(learner)
    ask = reverse("matching:request-create", args=[profile.pk])

    page = client.get(reverse("mentors:detail", args=[profile.pk])).content.decode()
    form = client.get(ask).content.decode()

    assert "Ne prend pas de nouvelles personnes pour le moment" in page
    assert ask not in page  # no button to a form that would refuse
    assert "Ce mentor ne prend pas de nouvelles personnes" in form
    assert "<textarea" not in form


def test_a_refused_request_keeps_what_the_learner_typed(client):
    learner, profile = learner_with_skills(), mentor()
    client.force_login(learner)
    ask = reverse("matching:request-create", args=[profile.pk])
    client.get(ask)
    # The mentor pauses while the learner writes.
    profile.is_paused = True
    profile.save(update_fields=["is_paused"])

    response = client.post(
        ask,
        {
            "skills": ["python"],
            "preferred_mode": "video",
            "message": "Bonjour, je prépare une reconversion et voudrais apprendre.",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "je prépare une reconversion" in html
    assert "Ce mentor ne prend pas de nouvelles personnes" in html
    assert not MentorshipRequest.objects.exists()


def test_a_full_mentor_says_so_and_takes_no_request(client):
    learner, profile = learner_with_skills(), mentor(capacity=1)
    first = learner_with_skills()
    client.force_login(first)
    _ask(client, first, profile)
    client.force_login(profile.user)
    client.post(
        reverse("matching:request-accept", args=[MentorshipRequest.objects.get().pk])
    )
    client.force_login(learner)
    ask = reverse("matching:request-create", args=[profile.pk])

    form = client.get(ask).content.decode()
    response = _ask(client, learner, profile)

    assert "<textarea" not in form
    assert "Complet" in form
    assert response.status_code == 200  # the form again, with the reason
    assert "accompagne déjà autant de personnes" in response.content.decode()
    assert MentorshipRequest.objects.filter(learner=learner).count() == 0


def test_the_mentor_reads_the_learners_levels_in_words(client):
    learner, profile = learner_with_skills(), mentor()
    _ask(client, learner, profile)
    client.force_login(profile.user)

    html = client.get(reverse("matching:requests-received")).content.decode()

    assert "niveau 1 aujourd&#x27;hui, vise le niveau 4" in html or (
        "niveau 1 aujourd'hui, vise le niveau 4" in html
    )
    assert "1 → 4" not in html


@pytest.mark.parametrize("learner_profile", [False, True])
def test_asking_without_skills_to_learn_leads_to_the_learner_profile(
    client, learner_profile
):
    person, profile = UserFactory(), mentor()
    if learner_profile:  # a learner profile, no skill in it yet
        LearnerProfile.objects.create(user=person, goals="", languages=["fr"])
    client.force_login(person)
    ask = reverse("matching:request-create", args=[profile.pk])

    shown = client.get(ask, follow=True)
    sent = _ask(client, person, profile)

    assert shown.redirect_chain == [(reverse("mentors:learner-profile"), 302)]
    # The message itself: the learner profile page's own help also says
    # "ce que vous voulez apprendre".
    assert "abord ce que vous voulez apprendre dans votre profil" in (
        shown.content.decode()
    )
    assert sent["Location"] == reverse("mentors:learner-profile")
    assert not MentorshipRequest.objects.exists()


# The session with its person, the mentor page's row of the profile (public,
# blocked), the learner's wanted skills (was 6: the profile's skills, the
# learner profile and a check that it holds any).
REQUEST_FORM_QUERIES = 3


def test_the_request_form_reads_the_profile_and_the_wanted_skills_once(
    client, django_assert_num_queries
):
    learner, profile = learner_with_skills(), mentor()
    client.force_login(learner)
    ask = reverse("matching:request-create", args=[profile.pk])
    client.get(ask)  # the session's first write, the caches filled

    with django_assert_num_queries(REQUEST_FORM_QUERIES):
        page = client.get(ask)

    assert page.status_code == 200
    assert 'value="python"' in page.content.decode()


# Sending it: the three statements of the page, then the transaction (BEGIN,
# the learner's and the profile's locks, one statement for what the request
# depends on, the request and its skills, the mentor's notification with its
# e-mail in the outbox, COMMIT) and the outbox's claim of that e-mail after
# the commit (was 25: a statement for each check, the skills by name, a
# savepoint around the request).
REQUEST_SEND_QUERIES = 16


def test_sending_a_request_reads_what_it_depends_on_in_one_statement(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    learner, profile = learner_with_skills(), mentor()
    client.force_login(learner)
    ask = reverse("matching:request-create", args=[profile.pk])
    client.get(ask)  # the session's first write, the caches filled

    # The test's own transaction: the request's BEGIN and COMMIT are a
    # savepoint here, and what runs after the commit is run by hand.
    with (
        django_assert_num_queries(REQUEST_SEND_QUERIES),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = client.post(
            ask,
            {"skills": ["python"], "preferred_mode": "video", "message": "Bonjour !"},
        )

    assert sent["Location"] == reverse("matching:requests-sent")
    request = MentorshipRequest.objects.get()
    assert (request.learner, request.mentor) == (learner, profile.user)
    assert [s.code for s in request.skills.all()] == ["python"]


def test_the_request_page_is_there_only_for_a_mentor_the_learner_may_see(
    client, staff_with_totp
):
    """Like the mentor page: a hidden profile, a block either way, the
    owner themself or an unknown id answer 404 (the page; its sending is
    refused by the service as well). Staff see a hidden profile's page, with
    no way to ask."""
    learner = learner_with_skills()
    hidden, blocking, blocked = mentor(), mentor(), mentor()
    own = mentor()
    wants = LearnerProfile.objects.create(user=own.user, goals="Apprendre")
    LearnerSkill.objects.create(
        profile=wants,
        skill=Skill.objects.get(code="python"),
        current_level=1,
        target_level=3,
    )
    hidden.hidden_by_staff_at = timezone.now()
    hidden.save(update_fields=["hidden_by_staff_at"])
    block_create(blocker=blocking.user, blocked=learner)
    block_create(blocker=learner, blocked=blocked.user)
    cases = [(learner, p.pk) for p in (hidden, blocking, blocked)]
    cases += [(own.user, own.pk), (learner, 0)]

    for person, profile_id in cases:
        client.force_login(person)
        ask = reverse("matching:request-create", args=[profile_id])
        assert client.get(ask).status_code == 404, profile_id
        sent = client.post(
            ask, {"skills": ["python"], "preferred_mode": "video", "message": "Bonjour"}
        )
        assert sent.status_code == 404, profile_id
    assert client.get(reverse("mentors:detail", args=[hidden.pk])).status_code == 404
    client.logout()
    sign_in_staff(client, staff_with_totp)
    page = client.get(reverse("mentors:detail", args=[hidden.pk]))
    ask = reverse("matching:request-create", args=[hidden.pk])
    assert page.status_code == 200
    assert ask not in page.content.decode()
    assert client.get(ask).status_code == 404
    assert not MentorshipRequest.objects.exists()
