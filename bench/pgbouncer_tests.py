"""`make test-pgbouncer`: the export and review tests against PostgreSQL behind PgBouncer in
transaction pooling, as a larger installation runs (deploy/README.md, "PgBouncer").

Starts a PostgreSQL cluster and a PgBouncer of their own (bench/stack.py: loopback ports, never
the machine's shared servers), points DATABASE_URL at PgBouncer with
DISABLE_SERVER_SIDE_CURSORS=1, runs the test files below with pytest and stops both. The test
database is created through PgBouncer and kept (--reuse-db: PgBouncer's pooled connections would
keep a DROP DATABASE waiting); it goes with the cluster.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import BASE_DIR, BOUNCER_PORT, Stack

TESTS = [
    "tests/dashboards/test_exports.py",
    "tests/activities/test_review_views.py",
    "tests/activities/test_concurrency.py",
]


def main() -> int:
    stack = Stack(lambda message: print(message, file=sys.stderr))
    try:
        stack.pg_start()
        stack.pgbouncer_start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
        env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{BOUNCER_PORT}/chuangxian_bouncer",
            DISABLE_SERVER_SIDE_CURSORS="1",
            CHUANGXIAN_REQUIRE_POSTGRES="1",
            CHUANGXIAN_REQUIRE_REDIS="0",
        )
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--reuse-db", *TESTS],
            cwd=BASE_DIR,
            env=env,
        )
        print(
            f"PgBouncer (transaction pooling): export and review tests "
            f"{'passed' if result.returncode == 0 else 'FAILED'} in "
            f"{time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
        return result.returncode
    finally:
        stack.stop()


if __name__ == "__main__":
    # `timeout` and Ctrl-C end the run through the `finally` that stops the stack.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
