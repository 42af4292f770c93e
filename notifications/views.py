"""The inbox: a person's own notifications, newest first. Everything starts from
`request.user.notifications`, so someone else's notification is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import services
from notifications.messages import describe

PAGE_SIZE = 25


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = request.user.notifications.order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, describe(n)) for n in page.object_list]
    return render(request, "notifications/notification_list.html", {"page": page, "rows": rows})


@require_GET
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about. A GET, because it is the link in
    the inbox and in the e-mail; marking read twice changes nothing."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    services.mark_read(user=request.user, ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(link)
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")
