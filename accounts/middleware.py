from django.conf import settings
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """A signed-in user's preferred language wins over the browser's and the cookie's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SessionRenewalMiddleware:
    """Keeps a signed-in session alive while it is used: SESSION_COOKIE_AGE is the idle limit.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would write a row per page
    view; renewing it once SESSION_RENEW_SECONDS have passed since the last renewal keeps the idle
    limit to within that margin for a write a minute at most. Goes after SessionMiddleware, so
    the renewal is saved by it on the way out."""

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.session_key is None:
            return response
        if session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        if now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
            session[self.KEY] = now
        return response


class RequestUserMiddleware:
    """Marks the request's user, so that what is read of them once (their memberships and the
    units.scope.Scope built from them) is kept for the rest of the request. Goes after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.of_request = True
        return self.get_response(request)
