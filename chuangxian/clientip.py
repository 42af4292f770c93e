"""The client's address for the log-in lockout, as the proxies in front of the app report it.

With `PROXY_COUNT=n` the app trusts the last n entries of `X-Forwarded-For`, which each proxy
appends to (nginx: `$proxy_add_x_forwarded_for`): the n-th from the right is the address the
outermost proxy saw. Entries further left were written by the client and are ignored, so a forged
header cannot pick someone else's lockout. With 0 (no proxy) it is the socket's address.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = settings.AXES_IPWARE_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None
