"""API building blocks shared by every app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.fields import get_error_detail
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .errors import (
    GENERIC_CONFLICT_MESSAGE,
    NUL_IN_TEXT_MESSAGE,
    Conflict,
    conflict_from_integrity_error,
    is_nul_in_text,
)

# No request body of ours nests more than a few levels; past this, parsing and
# validating it (recursive code, all of it) would only cost us.
MAX_JSON_DEPTH = 32


def _too_deep() -> ParseError:
    return ParseError(
        _("JSON may not be nested more than %(depth)d levels deep.")
        % {"depth": MAX_JSON_DEPTH}
    )


def _check_json(data: Any) -> None:
    # Walked with a stack of its own, not by recursion: the depth is what is
    # being checked.
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            raise ParseError(NUL_IN_TEXT_MESSAGE)
        if isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep()
            children = (
                [*value.keys(), *value.values()] if isinstance(value, dict) else value
            )
            stack.extend((child, depth + 1) for child in children)


class NulFreeJSONParser(JSONParser):
    """JSON whose strings hold no NUL character (PostgreSQL text and jsonb
    cannot store one) and that nests at most ``MAX_JSON_DEPTH`` levels: a 400
    up front rather than a 500 further on."""

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            # Python's decoder gives up past ~1,000 levels, and not with the
            # ValueError DRF turns into a 400.
            raise _too_deep() from exc
        _check_json(data)
        return data


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = GENERIC_CONFLICT_MESSAGE
    default_code = "conflict"


def _validation_error(exc: DjangoValidationError) -> DrfValidationError:
    # Django files model-wide errors under "__all__"; DRF clients expect the
    # key its own serializers use, for a plain list of messages too.
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    detail = get_error_detail(exc)
    if not isinstance(detail, dict):
        return DrfValidationError({non_field: detail})
    return DrfValidationError(
        {
            non_field if field == NON_FIELD_ERRORS else field: errors
            for field, errors in detail.items()
        }
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, taught the domain errors (``core.errors``): ``Conflict``
    and unique or exclusion violations answer 409, Django's ``ValidationError``
    400 with the fields, ``ObjectDoesNotExist`` 404, text with a NUL character
    (a query parameter, a form value) 400. They become DRF exceptions, so DRF
    rolls the request's transaction back as for its own. Any other integrity or
    data error gets None: DRF re-raises it, a 500."""
    # Imported here: rest_framework.views imports the parsers named in the
    # settings, this module's among them.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DataError) and is_nul_in_text(exc):
        exc = ParseError(NUL_IN_TEXT_MESSAGE)
    if isinstance(exc, IntegrityError):
        conflict = conflict_from_integrity_error(exc)
        if conflict is None:
            return None
        exc = conflict
    if isinstance(exc, Conflict):
        exc = ConflictError(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = _validation_error(exc)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = NotFound()
    return drf_exception_handler(exc, context)
