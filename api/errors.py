"""The one exception handler of the API: every error is JSON of one shape,

    {"code": "stale_level", "message": "…", "fields": {"title": ["…"]}}

with a stable `code` for programs and a `message` in the request's language (LocaleMiddleware
reads Accept-Language). The services' refusals are mapped here, once, by their class:

- 400 `invalid`: the request is not what the schema says (a field missing, a wrong type);
- 403 `not_allowed`: the user may not do this (a refusal of who acts);
- 404 `not_found`: no such thing, or out of the user's scope (the same answer, as on the pages);
- 409: the record is not in a state that allows it (`transition_refused`; `stale_level` when a
  reviewer acted at a level someone else has acted on first; `quota_exceeded` when a unit has
  recommended as many honours of a category as its quota allows, the count in the message;
  `notice_closed` when a notice period is over);
- 422: well-formed, but the rules refuse it (`activity_refused`, `evidence_rejected`, `refused`
  with the fields the models refused, …) — kept apart from 400 so that a request the schema
  accepts is never answered "malformed" (Schemathesis checks exactly that)."""

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

UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_ENTITY


class Refused(exceptions.ValidationError):
    """Well-formed, but the rules refuse these fields' values (e.g. a unit the user cannot see)."""

    status_code = UNPROCESSABLE
    default_code = "refused"


def refused(field: str, message: str) -> Refused:
    """The refusal of one field's value, with the message the user reads."""
    return Refused({field: [message]})


def valid(serializer_class, data) -> dict:
    """`data` as `serializer_class` validates it; else a 400 naming each bad field."""
    given = serializer_class(data=data)
    given.is_valid(raise_exception=True)
    return given.validated_data


# Most specific first: the first class an exception is an instance of decides.
REFUSALS: list[tuple[type[Exception], int, str]] = [
    (activity_errors.StaleLevel, status.HTTP_409_CONFLICT, "stale_level"),
    (activity_errors.TransitionRefused, status.HTTP_409_CONFLICT, "transition_refused"),
    (activity_services.NotAllowed, status.HTTP_403_FORBIDDEN, "not_allowed"),
    (activity_errors.EvidenceRejected, UNPROCESSABLE, "evidence_rejected"),
    (activity_errors.ActivityError, UNPROCESSABLE, "activity_refused"),
    (evaluation_errors.NotAllowed, status.HTTP_403_FORBIDDEN, "not_allowed"),
    (evaluation_errors.TransitionRefused, status.HTTP_409_CONFLICT, "transition_refused"),
    (evaluation_errors.QuotaExceeded, status.HTTP_409_CONFLICT, "quota_exceeded"),
    (evaluation_errors.NoticeClosed, status.HTTP_409_CONFLICT, "notice_closed"),
    (evaluation_errors.AlreadyRated, status.HTTP_409_CONFLICT, "already_rated"),
    (evaluation_errors.AppraisalClosed, status.HTTP_409_CONFLICT, "appraisal_closed"),
    (evaluation_errors.EvaluationError, UNPROCESSABLE, "evaluation_refused"),
    (CampaignError, UNPROCESSABLE, "campaign_refused"),
    (UnitReferenced, status.HTTP_409_CONFLICT, "unit_referenced"),
    (UnitError, UNPROCESSABLE, "unit_refused"),
]


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def _flat(detail, prefix: str = "") -> list[str]:
    """Every message in DRF's error detail (lists and dicts, nested), as strings; a message of a
    list's item or a nested field is prefixed with where it is ("3: …")."""
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _flat(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        return [m for item in detail for m in _flat(item, prefix)]
    return [f"{prefix}{detail}"]


def _fields(detail) -> tuple[dict[str, list[str]], list[str]]:
    """(messages per field, messages of the request as a whole)."""
    if not isinstance(detail, dict):
        return {}, _flat(detail)
    fields = {str(key): _flat(value) for key, value in detail.items()}
    general = fields.pop("non_field_errors", [])
    return fields, general


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
    return Response(error_body("refused", message, fields), status=UNPROCESSABLE)


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
        fields, general = _fields(exc.detail)
        message = " ".join(general) or _("Some fields are not valid.")
        code = "refused" if isinstance(exc, Refused) else "invalid"
        response.data = error_body(code, message, fields)
    else:
        detail = exc.detail
        code = detail.code if isinstance(detail, exceptions.ErrorDetail) else exc.default_code
        response.data = error_body(str(code), str(detail))
    return response
