from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chuangxian.health import broker_status, database_status


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages that name no icon (the Django admin) make browsers ask for /favicon.ico."""
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The cheapest page the app serves: what the benchmark compares each page's rate with."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The refusal's reason when the app gave one (a service's NotAllowed, already translated)."""
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: the failure may lie in a context processor.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
