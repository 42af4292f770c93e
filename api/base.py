"""What every API view shares: the user's scope, read once per request, and objects looked up
by an id from the URL (anything that is not an id is a 404, as out of scope is)."""

from functools import cached_property

from rest_framework.exceptions import AuthenticationFailed, NotFound

from api.fields import pk_of
from units.scope import Scope


class Scoped:
    """A view mixin: `self.scope` is the scope of the request's user (units.scope.Scope).

    The request limits are counted before the permission check, once: an anonymous client is
    limited per address even where every answer is 401 (REST framework checks them after)."""

    def perform_authentication(self, request) -> None:
        """A wrong or revoked token is a 401 counted against the address's limit too, so that
        guessing keys is limited like any anonymous request (REST framework refuses the token
        before it counts anything; the request is anonymous by then)."""
        try:
            super().perform_authentication(request)  # type: ignore[misc]
        except AuthenticationFailed:
            self.check_throttles(request)
            raise

    def check_permissions(self, request) -> None:
        self.check_throttles(request)
        super().check_permissions(request)  # type: ignore[misc]

    def check_throttles(self, request) -> None:
        if getattr(request, "_limits_counted", False):
            return
        request._limits_counted = True
        super().check_throttles(request)  # type: ignore[misc]

    @cached_property
    def scope(self) -> Scope:
        """REST framework signs a token's user in after the middleware ran: mark that user as
        the request's (accounts.middleware.RequestUserMiddleware does it for a session), so that
        every Scope.of(user) of the request — the selectors', the services' — is this one."""
        user = self.request.user
        if user.is_authenticated:
            user.of_request = True
        return Scope.of(user)

    def url_pk(self, name: str = "pk") -> int:
        pk = pk_of(self.kwargs.get(name))
        if pk is None:
            raise NotFound()
        return pk
