"""Request limits of the API: per signed-in user, and per client address for anonymous requests.

The address is the one the login lockout and the public pages count (common.client_address), so
X-Forwarded-For is read the same way everywhere. The rates are read from the settings on each
request (API_USER_RATE, API_ANON_RATE), so a test or a deployment may change them."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from common.client_address import client_key


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str:
        return settings.API_USER_RATE

    def get_ident(self, request) -> str:
        return client_key(request)


class AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.API_ANON_RATE

    def get_ident(self, request) -> str:
        return client_key(request)
