"""The one exception handler of the API: every error is JSON of one shape,

    {"code": "stale_level", "message": "…", "fields": {"title": ["…"]}}

with a stable `code` for programs and a `message` in the request's language (LocaleMiddleware
reads Accept-Language). The services' refusals are mapped here, once, by their class: a refusal
of who acts → 403, of the state the record is in → 409, of what was sent → 400."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from activities import exceptions as activity_errors
from activities import services as activity_services
from campaigns.exceptions import CampaignError
from evaluations import exceptions as evaluation_errors
from units.exceptions import UnitError, UnitReferenced

# Most specific first: the first class an exception is an instance of decides.
REFUSALS: list[tuple[type[Exception], int, str]] = [
    (activity_errors.StaleLevel, status.HTTP_409_CONFLICT, "stale_level"),
    (activity_errors.TransitionRefused, status.HTTP_409_CONFLICT, "transition_refused"),
    (activity_services.NotAllowed, status.HTTP_403_FORBIDDEN, "not_allowed"),
    (activity_errors.EvidenceRejected, status.HTTP_400_BAD_REQUEST, "evidence_rejected"),
    (activity_errors.ActivityError, status.HTTP_400_BAD_REQUEST, "activity_refused"),
    (evaluation_errors.NotAllowed, status.HTTP_403_FORBIDDEN, "not_allowed"),
    (evaluation_errors.TransitionRefused, status.HTTP_409_CONFLICT, "transition_refused"),
    (evaluation_errors.AlreadyRated, status.HTTP_409_CONFLICT, "already_rated"),
    (evaluation_errors.AppraisalClosed, status.HTTP_409_CONFLICT, "appraisal_closed"),
    (evaluation_errors.EvaluationError, status.HTTP_400_BAD_REQUEST, "evaluation_refused"),
    (CampaignError, status.HTTP_400_BAD_REQUEST, "campaign_refused"),
    (UnitReferenced, status.HTTP_409_CONFLICT, "unit_referenced"),
    (UnitError, status.HTTP_400_BAD_REQUEST, "unit_refused"),
]


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def _messages(detail) -> list[str] | dict:
    """DRF's error detail (a list, a dict or a string, nested) as plain strings."""
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat: list[str] = []
        for item in detail:
            found = _messages(item)
            flat.extend(found if isinstance(found, list) else [str(found)])
        return flat
    return [str(detail)]


def _validation(error: DjangoValidationError) -> Response:
    fields = {}
    general: list[str] = []
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            if name == "__all__":
                general.extend(messages)
            else:
                fields[name] = messages
    else:
        general = list(error.messages)
    message = " ".join(general) or _("Some fields are not valid.")
    return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)


def handle(exc: Exception, context: dict) -> Response | None:
    for kind, code_status, code in REFUSALS:
        if isinstance(exc, kind):
            return Response(error_body(code, str(exc)), status=code_status)
    if isinstance(exc, DjangoValidationError):
        return _validation(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # a 500: Django's handler reports it
    if isinstance(exc, exceptions.ValidationError):
        found = _messages(exc.detail)
        fields = found if isinstance(found, dict) else {}
        general = found if isinstance(found, list) else fields.pop("non_field_errors", [])
        message = " ".join(general) or _("Some fields are not valid.")
        response.data = error_body("invalid", message, fields)
    else:
        detail = exc.detail
        code = detail.code if isinstance(detail, exceptions.ErrorDetail) else exc.default_code
        response.data = error_body(str(code), str(detail))
    return response
