"""Hooks the matching app sends; higher apps (scheduling) connect to them from
their ``AppConfig.ready()``."""

from __future__ import annotations

from core.hooks import Hook

# In the transaction that ended it (by either person, or through a block):
# what was planned within the mentorship goes.
mentorship_ended = Hook("matching.mentorship_ended", "mentorship: Mentorship")

# In the transaction of the pause: a mentor taking a break takes no booking.
mentor_paused = Hook("matching.mentor_paused", "user_id: int")

# Each receiver returns, for some of these learners, a part shown with their
# request to a mentor, as {learner id: (template, context)}: the attestations
# a learner chose to show, without this app importing certification.
learner_panels = Hook("matching.learner_panels", "learner_ids: list[int]")
