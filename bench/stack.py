"""The production stack on loopback ports of its own, for `make soak` (bench/soak.py).

Everything runs in one temporary folder and on ports nothing else uses, so the machine's shared
PostgreSQL and Redis are never touched: a PostgreSQL cluster of its own (initdb; run as the
`postgres` OS user when we are root), redis-server, PgBouncer in transaction pooling, nginx with a
self-signed certificate (the site rendered from deploy/nginx/chuangxian.conf.template), gunicorn
(DEBUG=0, deploy/gunicorn.conf.py) on a Unix socket, two Celery workers and beat. `stop()` ends
everything it started, and only that.
"""

import contextlib
import glob
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from deploy import render  # noqa: E402

VENV_BIN = Path(sys.executable).parent
# Below Linux's ephemeral range (32768–60999): a port there may be held for a moment by any
# client's outgoing connection, and a server binding it then fails.
PG_PORT = int(os.environ.get("SOAK_PG_PORT", "25432"))
REDIS_PORT = int(os.environ.get("SOAK_REDIS_PORT", "26379"))
BOUNCER_PORT = int(os.environ.get("SOAK_PGBOUNCER_PORT", "26432"))
HTTPS_PORT = int(os.environ.get("SOAK_HTTPS_PORT", "28443"))
HTTP_PORT = int(os.environ.get("SOAK_HTTP_PORT", "28080"))
SMTP_PORT = int(os.environ.get("SOAK_SMTP_PORT", "28025"))
DB_NAME = "chuangxian_soak"
IS_ROOT = os.geteuid() == 0


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"soak: PostgreSQL's {name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if IS_ROOT else command


class Stack:
    def __init__(self, log):
        self.log = log
        self.dir = Path(tempfile.mkdtemp(prefix="chx-soak-"))
        self.dir.chmod(0o755)
        self.pgdata = self.dir / "pg"
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg_started = False
        self.base_url = f"https://localhost:{HTTPS_PORT}"
        self.db_url_direct = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}"
        self.db_url = f"postgres://postgres@127.0.0.1:{BOUNCER_PORT}/{DB_NAME}"
        self.redis_url = f"redis://127.0.0.1:{REDIS_PORT}/0"

    # --- environment of the app's processes ---------------------------------------------------
    def app_env(self, *, direct: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="chuangxian.settings",
            DEBUG="0",
            SECRET_KEY="soak-only-secret-key-not-for-production-0123456789abcdef",
            ALLOWED_HOSTS="localhost,127.0.0.1",
            CSRF_TRUSTED_ORIGINS=self.base_url,
            SITE_URL=self.base_url,
            DATABASE_URL=self.db_url_direct if direct else self.db_url,
            CONN_MAX_AGE="60",
            # Transaction pooling: Django's form fields iterate outside transactions.
            DISABLE_SERVER_SIDE_CURSORS="0" if direct else "1",
            REDIS_URL=self.redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}",
            EMAIL_TIMEOUT="5",
            NOTIFICATION_CLAIM_SECONDS="20",
            CELERY_VISIBILITY_TIMEOUT="30",
            # A draft-score recompute waits its window as an unacknowledged ETA task: keep it
            # below the visibility timeout, and short enough for the drain.
            DRAFT_SCORES_DEBOUNCE_SECONDS="5",
            PROXY_COUNT="1",
            # Every soak client comes from 127.0.0.1: the public pages' per-address limits would
            # answer most anonymous appraisals 429 (tests/evaluations proves the limit itself).
            APPRAISAL_RATE="100000/m",
            PUBLIC_PAGE_RATE="100000/m",
            BEHIND_TLS_PROXY="1",
            SECURE_HSTS_SECONDS="0",
            VAR_DIR=str(self.dir / "var"),
            MEDIA_ROOT=str(self.dir / "media"),
            STATIC_ROOT=str(self.dir / "static"),
            PROMETHEUS_MULTIPROC_DIR=str(self.dir / "prometheus"),
            METRICS_TOKEN="soak-metrics-token-0123456789abcdef",
            LOG_FORMAT="json",
            LOG_LEVEL="WARNING",
            LOG_REQUESTS="0",
            GUNICORN_BIND=f"unix:{self.dir / 'gunicorn.sock'}",
            GUNICORN_WORKERS="3",
            PYTHONUNBUFFERED="1",
        )
        return env

    def _spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        logfile = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 — kept open for the process
        proc = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a fault kills it and its children
        )
        self.procs[name] = proc
        return proc

    def manage(self, *args: str, direct: bool = True) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.app_env(direct=direct),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    # --- PostgreSQL ---------------------------------------------------------------------------
    def pg_start(self) -> None:
        if not self.pgdata.exists():
            self.pgdata.mkdir()
            if IS_ROOT:
                shutil.chown(self.pgdata, "postgres", "postgres")
            subprocess.run(
                as_postgres([pg_bin("initdb"), "-D", str(self.pgdata), "-A", "trust",
                             "-U", "postgres", "-E", "UTF8", "--locale", "C.UTF-8"]),
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        options = (
            f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.pgdata} "
            "-c fsync=off -c shared_buffers=64MB -c max_connections=100"
        )
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(self.pgdata), "-o", options,
                         "-l", str(self.pgdata / "server.log"), "-w", "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.pg_started = True

    def pg_stop(self) -> None:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"]),
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.pg_started = False

    def psql(self, sql: str, db: str = "postgres") -> str:
        return subprocess.run(
            [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", db,
             "-tAc", sql],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    # --- Redis, PgBouncer, SMTP-less parts -------------------------------------------------------
    def redis_start(self) -> None:
        (self.dir / "redis").mkdir(exist_ok=True)
        self._spawn(
            "redis",
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir",
             str(self.dir / "redis"), "--appendonly", "yes", "--save", "", "--daemonize", "no"],
        )  # fmt: skip
        self._wait(lambda: self._redis_ping(), "redis")

    def _redis_ping(self) -> bool:
        return (
            subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
            ).stdout.strip()
            == "PONG"
        )

    def redis_stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "shutdown"], capture_output=True, check=False
        )
        proc = self.procs.pop("redis", None)
        if proc:
            proc.wait(timeout=20)

    def pgbouncer_start(self) -> None:
        folder = self.dir / "pgbouncer"
        folder.mkdir(exist_ok=True)
        (folder / "userlist.txt").write_text('"postgres" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"""[databases]
* = host=127.0.0.1 port={PG_PORT}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {BOUNCER_PORT}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
query_wait_timeout = 10
server_login_retry = 1
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {folder / "pgbouncer.log"}
"""
        )
        if IS_ROOT:
            shutil.chown(folder, "postgres", "postgres")
            for path in folder.iterdir():
                shutil.chown(path, "postgres", "postgres")
        command = ["pgbouncer", str(folder / "pgbouncer.ini")]
        if IS_ROOT:
            command = ["pgbouncer", "-u", "postgres", str(folder / "pgbouncer.ini")]
        self._spawn("pgbouncer", command)
        self._wait(lambda: self._port_open(BOUNCER_PORT), "pgbouncer")

    # --- the app ------------------------------------------------------------------------------
    def nginx_start(self) -> None:
        folder = self.dir / "nginx"
        folder.mkdir(exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-keyout", str(folder / "key.pem"),
             "-out", str(folder / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        values = dict(render.DEFAULTS)
        values.update(
            SERVER_NAME="localhost",
            HTTP_LISTEN=f"127.0.0.1:{HTTP_PORT}",
            HTTPS_LISTEN=f"127.0.0.1:{HTTPS_PORT}",
            SOCKET=str(self.dir / "gunicorn.sock"),
            STATIC_ROOT=str(self.dir / "static"),
            LOG_DIR=str(folder),
            TLS_CERT=str(folder / "cert.pem"),
            TLS_KEY=str(folder / "key.pem"),
        )
        template = BASE_DIR / "deploy" / "nginx" / "chuangxian.conf.template"
        (folder / "site.conf").write_text(render.render(template.read_text(), values))
        user = "root" if IS_ROOT else os.environ.get("USER", "nobody")
        (folder / "nginx.conf").write_text(
            render.nginx_main_conf(folder / "site.conf", folder, user=user)
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        test = subprocess.run(
            [nginx, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
            capture_output=True, text=True,
        )  # fmt: skip
        if test.returncode:
            raise SystemExit(f"soak: nginx -t failed:\n{test.stderr}")
        self._spawn(
            "nginx",
            [nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
        )
        self._wait(self._nginx_answers, "nginx")

    def _nginx_answers(self) -> bool:
        """nginx is ready when it completes a TLS handshake and answers (any status): its port
        opens before its workers take connections."""
        conn = http.client.HTTPSConnection(
            "127.0.0.1", HTTPS_PORT, context=ssl._create_unverified_context(), timeout=5
        )
        try:
            conn.request("GET", "/static/", headers={"Host": "localhost"})
            conn.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def gunicorn_start(self) -> None:
        self._spawn(
            "gunicorn",
            [str(VENV_BIN / "gunicorn"), "chuangxian.wsgi", "-c",
             str(BASE_DIR / "deploy" / "gunicorn.conf.py")],
            env=self.app_env(),
        )  # fmt: skip
        self._wait(lambda: (self.dir / "gunicorn.sock").exists(), "gunicorn")

    def gunicorn_worker_pids(self) -> list[int]:
        master = self.procs["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_start(self, n: int) -> None:
        self._spawn(
            f"worker{n}",
            [str(VENV_BIN / "celery"), "-A", "chuangxian", "worker", "--hostname",
             f"soak{n}@%h", "--concurrency", "2", "--loglevel", "INFO", "--without-mingle",
             "--without-gossip"],
            env=self.app_env(),
        )  # fmt: skip

    def beat_start(self) -> None:
        self._spawn(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "chuangxian", "beat", "--loglevel", "INFO",
             "--pidfile", str(self.dir / "beat.pid")],
            env=self.app_env(),
        )  # fmt: skip

    def kill_group(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    # --- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _port_open(port: int) -> bool:
        import socket

        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def _wait(self, ready, what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.2)
        proc = self.procs.get(what)
        exited = f", exited with {proc.returncode}" if proc and proc.poll() is not None else ""
        raise SystemExit(
            f"soak: {what} did not start in {seconds:.0f} s{exited}{self._log_tail(what)}"
        )

    def _log_tail(self, name: str, lines: int = 15) -> str:
        """The last lines of a process's logs (its output, and its own log file if it keeps
        one): the stack's folder is removed when it stops, so a failure shows them."""
        found = ""
        for log in [self.dir / f"{name}.log", *sorted((self.dir / name).glob("*.log"))]:
            if log.is_file():
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                found += f"\n--- {log.name}\n" + "\n".join(tail)
        return found

    def stop(self, keep_logs: Path | None = None) -> None:
        """End every process this stack started (the app's first, the databases' last)."""
        order = ["nginx", "gunicorn", "beat", "worker1", "worker2", "pgbouncer"]
        for name in order + [n for n in self.procs if n not in order and n != "redis"]:
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
        if "redis" in self.procs:
            self.redis_stop()
        if self.pg_started or (self.pgdata / "postmaster.pid").exists():
            self.pg_stop()
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in [*self.dir.glob("*.log"), *self.dir.glob("*/*.log")]:
                shutil.copy(log, keep_logs / f"{log.parent.name}-{log.name}")
        shutil.rmtree(self.dir, ignore_errors=True)
