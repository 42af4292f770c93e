from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import ProfileForm
from accounts.services import user_set_language, user_update_profile


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, fields=form.cleaned_data)
        if request.user.language:
            translation.activate(request.user.language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    memberships = request.user.memberships.select_related("unit").order_by("unit__path", "role")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on a signed-in user's profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    # check_for_language() accepts any language Django ships (e.g. "fr"); the profile only
    # takes one of ours, so test against LANGUAGES rather than let full_clean() fail with a 500.
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response
