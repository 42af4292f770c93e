from django.apps import AppConfig


class ChuangxianConfig(AppConfig):
    name = "chuangxian"
    verbose_name = "Chuangxian"

    def ready(self) -> None:
        # Connects the Celery signals that carry the request id into tasks, in web and worker.
        from chuangxian import requestid  # noqa: F401
