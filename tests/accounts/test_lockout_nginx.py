"""Issue 10, item 5, with a real proxy: nginx in front of the live server, writing
X-Forwarded-For as a deployment would ($proxy_add_x_forwarded_for), with PROXY_COUNT=1. Clients
connect from different loopback addresses (127.0.0.2, 127.0.0.3): the one that fails five times
is locked out, the other still logs in, and a forged header does not move the lockout.

Skipped where nginx is not installed (Debian: apt-get install nginx)."""

import http.client
import re
import shutil
import socket
import subprocess
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ATTACKER, VICTIM = "127.0.0.2", "127.0.0.3"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path):
    binary = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin:/bin")
    if binary is None:
        pytest.skip("nginx is not installed")
    backend = urlsplit(live_server.url)
    port = _free_port()
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (tmp_path / folder).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body;
  proxy_temp_path {tmp_path}/proxy;
  fastcgi_temp_path {tmp_path}/fastcgi;
  uwsgi_temp_path {tmp_path}/uwsgi;
  scgi_temp_path {tmp_path}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://{backend.hostname}:{backend.port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "logs/error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.skip(f"nginx did not start: {process.stderr.read().decode()[:300]}")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def _log_in(port: int, source: str, username: str, password: str, forwarded: str = "") -> int:
    """GET the form and POST it through nginx from `source`; the POST's status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0))
    try:
        connection.request("GET", "/accounts/login/")
        page = connection.getresponse()
        body = page.read().decode()
        cookies = "; ".join(
            value.split(";", 1)[0] for key, value in page.getheaders() if key == "Set-Cookie"
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookies,
            "Accept-Language": "en",
        }
        if forwarded:
            headers["X-Forwarded-For"] = forwarded
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        connection.request("POST", "/accounts/login/", urlencode(form), headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_behind_nginx_the_lockout_is_per_client_address(settings, nginx):
    settings.PROXY_COUNT = 1
    UserFactory(username="admin_fk")

    statuses = [
        # The attacker also claims to be the victim: nginx appends its real address.
        _log_in(nginx, ATTACKER, "admin_fk", "wrong", forwarded=VICTIM)
        for _ in range(django_settings.AXES_FAILURE_LIMIT)
    ]

    assert statuses[-1] == 429
    assert _log_in(nginx, ATTACKER, "admin_fk", PASSWORD) == 429
    assert _log_in(nginx, VICTIM, "admin_fk", PASSWORD) == 302
