"""The nginx site renders from the environment file and passes `nginx -t` (the soak then serves
static files and the app through it over TLS)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import render

TEMPLATE = Path(render.__file__).parent / "nginx" / "chuangxian.conf.template"
ENV_EXAMPLE = Path(render.__file__).parent / "chuangxian.env.example"

needs_nginx = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) or not shutil.which("openssl"),
    reason="Debian's nginx and openssl are not installed (apt-get install nginx openssl)",
)


def _values(tmp_path: Path, **extra: str) -> dict[str, str]:
    values = dict(render.DEFAULTS)
    values.update(render.read_env_file(ENV_EXAMPLE))
    values.update(
        TLS_CERT=str(tmp_path / "cert.pem"),
        TLS_KEY=str(tmp_path / "key.pem"),
        STATIC_ROOT=str(tmp_path / "static"),
        SOCKET=str(tmp_path / "gunicorn.sock"),
        LOG_DIR=str(tmp_path),
        HTTP_LISTEN="127.0.0.1:58080",
        HTTPS_LISTEN="127.0.0.1:58443",
    )
    values.update(extra)
    return values


def test_the_body_limit_follows_the_evidence_limit(tmp_path):
    site = render.render(TEMPLATE.read_text(), _values(tmp_path, EVIDENCE_MAX_BYTES="10485760"))
    bigger = render.render(TEMPLATE.read_text(), _values(tmp_path, EVIDENCE_MAX_BYTES="31457280"))

    assert "client_max_body_size 11m;" in site
    assert "client_max_body_size 31m;" in bigger
    assert "@@" not in site
    assert "server unix:" + str(tmp_path / "gunicorn.sock") in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site


def test_a_missing_value_stops_the_rendering(tmp_path):
    values = _values(tmp_path)
    del values["TLS_CERT"]
    with pytest.raises(SystemExit, match="TLS_CERT"):
        render.render(TEMPLATE.read_text(), values)


@needs_nginx
@pytest.mark.skipif(os.geteuid() != 0, reason="nginx -t with `user www-data` needs root")
def test_the_rendered_site_passes_nginx_t(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "static").mkdir()
    site = tmp_path / "site.conf"
    site.write_text(render.render(TEMPLATE.read_text(), _values(tmp_path)))
    main = tmp_path / "nginx.conf"
    main.write_text(render.nginx_main_conf(site, tmp_path))

    result = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": os.environ.get("PATH", "") + ":/usr/sbin"},
    )

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "test is successful" in result.stderr
