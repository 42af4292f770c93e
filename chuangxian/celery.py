import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")

app = Celery("chuangxian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs) -> None:
    """The embedded file-system broker needs its folders before the first message."""
    from pathlib import Path

    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
