"""The documentation pages that are not drf-spectacular's own: Redoc from the local sidecar
assets, with no inline script and no web fonts fetched from elsewhere, and the API's 404."""

from csp.decorators import csp_update
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.errors import error_body


# Redoc styles its page with <style> elements it writes at run time, and searches in a worker it
# starts from a blob: URL. Scripts stay the site's own files.
@method_decorator(
    csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}), name="dispatch"
)
class Redoc(TemplateView):
    template_name = "api/redoc.html"


# Swagger UI's script is its own file (the split view serves the page's settings as a script of
# its own: nothing inline); it sets style attributes on the elements it draws.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class Swagger(SpectacularSwaggerSplitView):
    pass


@csrf_exempt  # a POST to no address is a 404, never a CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)
