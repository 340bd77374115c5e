"""Every touch target on the pages people use most measures at least 44 × 44 px
on a phone (390 px wide), in Chromium.

A target is a button, anything styled as one, a link of the main menu, or a link
that stands alone in its block: nothing but other links beside it, or set off
from the words around it by a separator ("· See" after a notification's date,
"Name — headline" on a card). A link inside a sentence is left out, as WCAG
2.5.8 allows. A link that wraps is measured line by line: two lines of 21 px
are not one 44 px target.
"""

from __future__ import annotations

import pytest

from matching.services import (
    mentorship_request_accept,
    mentorship_request_create,
    message_send,
)
from tests.factories import PASSWORD
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TARGETS = """(() => {
  const aside = (block, a, before) => {
    const range = document.createRange();
    range.selectNodeContents(block);
    if (before) range.setEndBefore(a); else range.setStartAfter(a);
    const words = range.cloneContents();
    words.querySelectorAll('a').forEach(link => link.remove());
    return words.textContent.trim();
  };
  const standalone = a => {
    const block = a.closest('p, li, dd, td, footer, div');
    if (block === null) return false;
    const before = aside(block, a, true), after = aside(block, a, false);
    return (before === '' || /[·—|]$/.test(before))
      && (after === '' || /^[·—|]/.test(after));
  };
  const found = [...document.querySelectorAll(
      'main button, main .button, header nav a, header button, main a')]
    .filter(e => e.tagName !== 'A' || e.matches('.button, header a') || standalone(e))
    .filter(e => e.getClientRects().length > 0);
  return found.map(e => {
    const box = e.getBoundingClientRect();
    const lines = [...e.getClientRects()].map(r => r.height);
    return [e.textContent.trim().replace(/\\s+/g, ' '),
            Math.round(box.width), Math.round(Math.min(...lines))];
  });
})()"""


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _login(page, url, user):
    page.goto(url + "/accounts/login/")
    page.fill("input[name='login']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.click("form:has(input[name='login']) [type='submit']")
    page.wait_for_url(url + "/mon-espace/")


def _too_small(page) -> list[tuple[str, int, int]]:
    targets = page.evaluate(TARGETS)
    assert targets, f"{page.url}: no target measured"
    return [tuple(t) for t in targets if t[1] < 44 or t[2] < 44]


def test_touch_targets_are_44_px_at_390_px_wide(live_server, phone):
    url = live_server.url
    learner = learner_with_skills(full_name="Camille Petit")
    waiting = learner_with_skills(full_name="Inès Morel")
    profile = mentor(full_name="Karim Benali")
    accepted = mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message="Bonjour !",
        preferred_mode="video",
    )
    mentorship = mentorship_request_accept(mentor=profile.user, request_id=accepted.pk)
    message_send(author=profile.user, mentorship_id=mentorship.pk, body="Bienvenue")
    mentorship_request_create(
        learner=waiting,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message="Bonjour aussi !",
        preferred_mode="video",
    )
    thread = f"/mon-espace/accompagnements/{mentorship.pk}/"
    too_small = {}

    _login(phone, url, learner)
    for path in [
        "/mon-espace/",
        "/notifications/",
        thread,
        f"/mentors/{profile.pk}/",
        "/mentors/",
        # No result: links that take a filter away, one by one.
        "/mentors/?q=astrophysique&region=11&mode=video",
    ]:
        phone.goto(url + path)
        too_small["learner " + path] = _too_small(phone)
    phone.context.clear_cookies()
    _login(phone, url, profile.user)
    for path in ["/mon-espace/", "/mon-espace/demandes-recues/", thread]:
        phone.goto(url + path)
        too_small["mentor " + path] = _too_small(phone)

    failing = {page: found for page, found in too_small.items() if found}
    assert failing == {}, "\n".join(f"{k}: {v}" for k, v in failing.items())
