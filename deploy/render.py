#!/usr/bin/env python3
"""Render a deploy/ template: every @@NAME@@ is replaced by the variable NAME, taken from
`--set NAME=value` or the environment; a name left without a value stops with a message.

    python3 deploy/render.py deploy/nginx/chuangxian.conf.template \\
        --env-file /etc/chuangxian/chuangxian.env > /etc/nginx/sites-available/chuangxian
"""

import argparse
import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@@([A-Z_][A-Z0-9_]*)@@")

# What the nginx site needs beyond the app's own variables, with the defaults of deploy/README.md.
DEFAULTS = {
    "HTTP_LISTEN": "80",
    "HTTPS_LISTEN": "443",
    "SOCKET": "/run/chuangxian/gunicorn.sock",
    "STATIC_URL": "/static/",
    "STATIC_ROOT": "/var/lib/chuangxian/static",
    "LOG_DIR": "/var/log/nginx",
    "TLS_CERT": "/etc/ssl/certs/chuangxian.pem",
    "TLS_KEY": "/etc/ssl/private/chuangxian.key",
    "EVIDENCE_MAX_BYTES": "10485760",
}


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip('"').strip("'")
    return values


def client_max_body(evidence_max_bytes: int) -> str:
    """One evidence file plus 1 MiB for the rest of the form, in whole MiB."""
    return f"{-(-evidence_max_bytes // (1024 * 1024)) + 1}m"


def render(text: str, values: dict[str, str]) -> str:
    values = dict(values)
    values.setdefault("CLIENT_MAX_BODY", client_max_body(int(values["EVIDENCE_MAX_BYTES"])))
    values.setdefault("SERVER_NAME", (values.get("ALLOWED_HOSTS") or "_").replace(",", " "))
    missing = sorted({m for m in PLACEHOLDER.findall(text) if not values.get(m)})
    if missing:
        raise SystemExit(f"render.py: no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def nginx_main_conf(site: Path, prefix: Path, user: str = "www-data") -> str:
    """A whole nginx.conf around one rendered site, its pid and temporary files under `prefix`:
    for `nginx -t` in the tests and the soak's own nginx (the installed nginx uses Debian's)."""
    return f"""
user {user};
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--env-file", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    values = dict(DEFAULTS)
    if args.env_file:
        values.update(read_env_file(args.env_file))
    values.update((k, v) for k, v in os.environ.items() if k in values or k.isupper())
    values.update(item.split("=", 1) for item in args.set)
    sys.stdout.write(render(args.template.read_text(), values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
