"""Run the web server and a Celery worker with beat in one foreground process group.

Ctrl-C (SIGINT to the group) or SIGTERM stops both; if either exits, the other is stopped too.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.accounts import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Serve the app with a Celery worker and beat (embedded broker unless REDIS_URL is set)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        python = sys.executable
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)  # the beat schedule lives there
        commands = {
            "web": [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            "worker": [
                python, "-m", "celery", "-A", "chuangxian", "worker", "--beat",
                "--loglevel", "INFO", "--concurrency", "2",
                "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }  # fmt: skip
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self._banner(host, port)

        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Stopped the web server and the Celery worker.")

    def _banner(self, host: str, port: int) -> None:
        broker = "Redis" if settings.REDIS_URL else "embedded file-system broker"
        lines = [
            "",
            f"Chuangxian is running at http://{host}:{port}/",
            f"Celery worker + beat on the {broker}; e-mail goes to this console.",
            f"Demo logins (password for all: {DEMO_PASSWORD}):",
            *(f"  {username:<14} {who}" for username, who in demo_logins()),
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))
