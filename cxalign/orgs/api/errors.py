"""API errors as clear JSON: domain errors never surface as 500s."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from cxalign.orgs.concurrency import VersionConflict

logger = logging.getLogger(__name__)


def _django_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


def exception_handler(exc, context):
    """DRF's handler, plus our domain errors as clear JSON instead of 500s."""
    if isinstance(exc, VersionConflict):
        view = context.get("view")
        current = None
        if view is not None and hasattr(view, "get_serializer"):
            current = view.get_serializer(exc.current).data
        return Response({"detail": str(exc), "current": current}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(_django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        linked = len(getattr(exc, "protected_objects", None) or exc.restricted_objects)
        return Response(
            {
                "detail": f"This is still used by {linked} other object(s); remove those links first."
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        logger.warning("Integrity error answered as 409: %s", exc)
        return Response(
            {"detail": "This conflicts with existing data (a duplicate or a missing link)."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
