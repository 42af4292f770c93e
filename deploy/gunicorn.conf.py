"""gunicorn settings for Chuangxian (deploy/systemd/chuangxian-web.service passes `-c` this file).

Sync workers, one per core plus one (README, "Benchmarks": more sync workers than cores does not
help); the socket and worker count come from the environment so that the soak and a second web
node use the same file.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "unix:/run/chuangxian/gunicorn.sock")
workers = int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a large export streams for seconds
graceful_timeout = 30
max_requests = 2000  # a worker is replaced now and then: no slow leak outlives a day
max_requests_jitter = 200
control_socket_disable = True  # gunicorn 27: no shared ~/.gunicorn/gunicorn.ctl
accesslog = None  # the app logs one line per request, with its id (chuangxian.requestid)
errorlog = "-"
umask = 0o007  # the socket is for nginx's group (www-data) only


def on_starting(server) -> None:
    """Prometheus' per-process files start empty at each start of the server."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    """A dead worker's gauges leave the figures (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
