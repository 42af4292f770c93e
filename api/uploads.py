"""What every API action that takes files shares: multipart parsing for the actions that upload,
and the refusal of a file over the size limit before anything reads it (common.uploads)."""

from django.http import HttpRequest
from rest_framework.parsers import FormParser, MultiPartParser

from activities import evidence as evidence_files
from api.errors import refused
from common.uploads import oversized_uploads


class MultipartActions:
    """A view mixin: the actions named in `multipart_actions` take a multipart (or form) body;
    the others the view's usual parsers."""

    multipart_actions: frozenset[str] = frozenset()

    def get_parsers(self):
        # Called before `self.action` is set: the action is read from the method's mapping.
        request = getattr(self, "request", None)
        method = (getattr(request, "method", None) or "").lower()
        chosen = getattr(self, "action", None) or getattr(self, "action_map", {}).get(method)
        if chosen in self.multipart_actions:
            return [MultiPartParser(), FormParser()]
        return super().get_parsers()  # type: ignore[misc]


def refuse_oversized(request: HttpRequest, field: str) -> None:
    """A 422 on `field` naming the first file over the size limit, if the body held one (the
    upload handler has already left it unread)."""
    skipped = oversized_uploads(request)
    if skipped:
        raise refused(field, evidence_files.size_refusal(skipped[0]))
