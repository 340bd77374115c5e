"""API building blocks shared by every app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.fields import get_error_detail
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import GENERIC_CONFLICT_MESSAGE, Conflict, conflict_from_integrity_error


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NulFreeJSONParser(JSONParser):
    """JSON whose strings hold no NUL character: PostgreSQL text and jsonb
    cannot store one, so it is refused up front with a 400."""

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError("Text may not contain the NUL character.")
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
    400 with the fields, ``ObjectDoesNotExist`` 404. They become DRF exceptions,
    so DRF rolls the request's transaction back as for its own. Any other
    integrity error gets None: DRF re-raises it, a 500."""
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
