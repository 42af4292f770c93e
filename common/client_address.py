"""The client's address, as the login lockout (django-axes) and the public pages' limits count it.

Without a proxy (PROXY_COUNT=0) it is REMOTE_ADDR: an X-Forwarded-For header is the client's own
words. Behind PROXY_COUNT proxies that each append the address they were reached from
(nginx's $proxy_add_x_forwarded_for), it is the PROXY_COUNT-th entry from the right of
X-Forwarded-For. The header is split on commas and nothing else — no quoting is honoured, so a
client cannot make a parser drop the entries our proxies appended — and an entry that is not an
address is not taken."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    count = settings.PROXY_COUNT
    if not count:
        return remote
    hops = (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    if len(hops) < count:
        return remote  # not through all our proxies
    return _address(hops[-count]) or remote


def client_key(request: HttpRequest) -> str:
    """The key of a per-address limit: the address, an IPv6 client's whole /64 (one household
    or phone holds one), or "unknown"."""
    address = client_address(request)
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address
