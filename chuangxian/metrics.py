"""The Prometheus endpoint, `/metrics`: django-prometheus's request counts and latencies (from
its middleware), plus figures read when scraped — the length of each Celery queue on Redis and
the reminders by e-mail state (sent, waiting, failed for good).

Not public: a superuser's session, or `Authorization: Bearer <METRICS_TOKEN>` for the scraper;
anyone else gets a 404. With several gunicorn workers set `PROMETHEUS_MULTIPROC_DIR` (emptied
before start; deploy/gunicorn.conf.py marks dead workers) so that the figures cover them all.
"""

import hmac
import os

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return bool(request.user.is_authenticated and request.user.is_superuser)


def queue_lengths() -> dict[str, int]:
    """Messages waiting on each Celery queue (Redis only; the file-system broker reports none)."""
    if not settings.REDIS_URL:
        return {}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        return {name: client.llen(name) for name in settings.METRICS_QUEUES}
    except redis.RedisError:
        return {}
    finally:
        client.close()


class AppCollector:
    """Figures read from Redis and the database at each scrape, so they are the same whichever
    process answers and count the workers' work too."""

    def collect(self):
        from notifications.models import EmailState, Notification
        from notifications.services import MAX_ATTEMPTS

        queues = GaugeMetricFamily(
            "chuangxian_celery_queue_length", "Messages waiting on a Celery queue", labels=["queue"]
        )
        for name, length in queue_lengths().items():
            queues.add_metric([name], length)
        yield queues

        counts = Notification.objects.aggregate(
            sent=Count("pk", filter=Q(email_state=EmailState.SENT)),
            waiting=Count(
                "pk",
                filter=Q(
                    email_state__in=[EmailState.PENDING, EmailState.SENDING],
                    email_attempts__lt=MAX_ATTEMPTS,
                ),
            ),
            failed=Count(
                "pk", filter=Q(email_state=EmailState.PENDING, email_attempts__gte=MAX_ATTEMPTS)
            ),
        )
        reminders = GaugeMetricFamily(
            "chuangxian_reminders", "Reminders by e-mail state", labels=["state"]
        )
        for state, value in counts.items():
            reminders.add_metric([state], value)
        yield reminders


_app_registry = CollectorRegistry(auto_describe=False)
_app_registry.register(AppCollector())


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_app_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
