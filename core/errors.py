"""Domain errors, and the database constraints that mean one.

Services raise ``Conflict`` (the action conflicts with the current state),
Django's ``ValidationError`` (bad input) or ``ObjectDoesNotExist`` (nothing
there, or nothing the caller may see): never ``Http404`` nor a response. A
unique or exclusion constraint that turns a write down is a conflict too; the
app that owns the constraint registers what to tell people from its
``AppConfig.ready()``::

    constraint_message_register(
        "mentors_one_active_mentorship_per_pair",
        gettext_lazy("You already work with this person."),
    )

They are translated into responses in two places only: the API's exception
handler (``core.api.exception_handler``: 409, 400, 404) and the HTML views'
decorator (``core.views.domain_errors``: a message and a redirect, or 404).
Any other integrity error (not null, check, foreign key) is a bug, left to
become a 500. One data error is bad input rather than a bug: text holding a NUL
character, which PostgreSQL cannot store (``is_nul_in_text``).
"""

from __future__ import annotations

import logging

from django.db import DataError, IntegrityError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATE codes for the violations a person can cause by acting
# on a stale page or racing someone else.
UNIQUE_VIOLATION = "23505"
EXCLUSION_VIOLATION = "23P01"

GENERIC_CONFLICT_MESSAGE = _("This conflicts with something that already exists.")
NUL_IN_TEXT_MESSAGE = _("Text may not contain the NUL character.")


class Conflict(Exception):
    """The action conflicts with the current state (HTTP 409): capacity reached,
    a request already answered, the mentor paused…"""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_constraint_messages: dict[str, str | Promise] = {}


def constraint_message_register(name: str, message: str | Promise) -> None:
    """What to tell people when the unique or exclusion constraint ``name``
    turns their write down. Registering the same message again is a no-op
    (``ready()`` may run more than once); another message for the same name is
    an error."""
    known = _constraint_messages.get(name)
    if known is not None and str(known) != str(message):
        raise ValueError(f"constraint {name!r} already has a message")
    _constraint_messages[name] = message


def constraint_messages() -> dict[str, str | Promise]:
    """Every registered constraint name and its message (for the tests)."""
    return dict(_constraint_messages)


def _sqlstate(exc: IntegrityError) -> str | None:
    # Django raises its IntegrityError from psycopg's, which carries the code.
    return getattr(exc.__cause__, "sqlstate", None)


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the unique or exclusion constraint ``exc`` reports, else None
    (not null, check and foreign key violations are not conflicts)."""
    if _sqlstate(exc) not in (UNIQUE_VIOLATION, EXCLUSION_VIOLATION):
        return None
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def conflict_from_integrity_error(exc: IntegrityError) -> Conflict | None:
    """The ``Conflict`` a unique or exclusion violation means, with the message
    registered for its constraint (a generic one when none is); None for any
    other integrity error."""
    if _sqlstate(exc) not in (UNIQUE_VIOLATION, EXCLUSION_VIOLATION):
        return None
    name = violated_constraint(exc)
    message = _constraint_messages.get(name or "")
    if message is None:
        logger.warning("No message registered for constraint %r", name)
        message = GENERIC_CONFLICT_MESSAGE
    return Conflict(str(message))


def is_nul_in_text(exc: DataError) -> bool:
    """Whether ``exc`` is psycopg refusing to send text with a NUL character
    (a query parameter or a form value that reached a lookup). psycopg raises it
    before the query leaves, so the transaction is not aborted."""
    return "NUL (0x00)" in str(exc)
