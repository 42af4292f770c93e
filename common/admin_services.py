"""The admin writes through the services too (issue 12 §4). `ThroughServices` turns a service's
refusal into a message on the page it came from; Django's admin views write in a transaction, so
the refusal rolls back whatever the request had written. Bulk deletion is not offered: it would
skip the services' one-by-one checks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse


def adopt(obj, saved) -> None:
    """The admin goes on with its own instance (the log entry, the redirect, the inlines): make
    it the one the service saved."""
    obj.__dict__.update(saved.__dict__)


def reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class ThroughServices:
    """Mixin for a ModelAdmin whose save_model/delete_model call services; `refusals` are the
    domain errors those raise."""

    refusals: tuple[type[Exception], ...] = ()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (*self.refusals, ValidationError) as error:
            self.message_user(request, reason(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except self.refusals as error:
            self.message_user(request, reason(error), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
