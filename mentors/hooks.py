"""Hooks the mentors app sends; higher apps (matching, later scheduling)
connect to them from their ``AppConfig.ready()``."""

from __future__ import annotations

from core.hooks import Hook

# In the transaction that created the block: end what exists between the two.
block_created = Hook("mentors.block_created", "blocker: User, blocked: User")

# In the transaction of the save: the learner's wishes changed.
learner_profile_saved = Hook("mentors.learner_profile_saved", "learner_id: int")

# Each receiver returns a ``Q`` over users: the people in a relation with the
# viewer (a request, a mentorship…), whom the viewer may name to report or block.
acquaintances = Hook("mentors.acquaintances", "viewer_id: int")

# Each receiver returns a part of the mentor's public page, as (template,
# context), or None: scheduling shows the next free slots without this app
# importing it. ``viewer`` may be anonymous.
profile_panels = Hook("mentors.profile_panels", "profile: MentorProfile, viewer: User")

# In the transaction of the change: staff hid the mentor's profile. A hidden
# mentor takes no booking.
mentor_hidden = Hook("mentors.mentor_hidden", "user_id: int")
