"""One id per request, in every log line the request writes and in the Celery tasks it causes.

The id comes from the proxy's `X-Request-ID` (nginx sets it to its own `$request_id`, so its access
log and ours share it) when it looks like one, or is made here. The middleware logs one line per
request on the `chuangxian.request` logger; `before_task_publish` copies the id into each task's
headers and `task_prerun` makes it current in the worker, so a task's log lines and the tasks it
sends in turn carry it too.
"""

import logging
import re
import time
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse

from chuangxian.logs import current

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

log = logging.getLogger("chuangxian.request")

# URLs whose path carries a secret (a password-reset token stays valid until used): logged as
# their route, never as the path.
SECRET_ROUTES = {"accounts:password_reset_confirm"}


def loggable_path(request: HttpRequest) -> str:
    """The request's path as one safe log field: control characters (a forged second line, a
    terminal escape) escaped, and a secret-bearing URL replaced by its route."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in SECRET_ROUTES:
        return "/" + match.route
    return request.path.encode("unicode_escape").decode("ascii")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    return given if _VALID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain: names the request, times it and logs it once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        token = current.set(request_id)
        request.request_id = request_id
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            user = getattr(request, "user", None)
            path = loggable_path(request)
            log.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                (time.monotonic() - started) * 1000,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            current.reset(token)


@before_task_publish.connect
def _id_into_task_headers(headers: dict | None = None, **kwargs) -> None:
    if headers is not None and current.get() != "-":
        headers.setdefault("request_id", current.get())


_task_tokens: dict[str, object] = {}


@task_prerun.connect
def _id_from_task_headers(task_id: str = "", task=None, **kwargs) -> None:
    request_id = getattr(task.request, "request_id", None) if task is not None else None
    _task_tokens[task_id] = current.set(request_id or f"task-{task_id}")


@task_postrun.connect
def _id_forgotten(task_id: str = "", **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current.reset(token)
