"""A small closed-loop load generator: N processes, each one connection sending GET requests back
to back for a fixed time, on the standard library only (no Django imported).

    python bench/load.py --url http://127.0.0.1:8765/healthz --cookie sessionid=a,sessionid=b \\
        --concurrency 4 --duration 15

Each process sends the cookies given in turn (process i the i-th, modulo their number): one
signed-in session per simulated user.

Prints one JSON object: requests, errors (non-200 or failed), p50_ms, p95_ms, rps, and with
--latencies each request's latency (seconds, sorted). Gunicorn's sync workers close the
connection after each response; http.client then reconnects by itself.
"""

import argparse
import http.client
import json
import math
import multiprocessing
import sys
import time
from urllib.parse import urlsplit


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def _worker(url: str, cookie: str, start_at: float, duration: float, queue) -> None:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": cookie} if cookie else {}
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    latencies: list[float] = []
    errors = 0
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.perf_counter() + duration
    while True:
        began = time.perf_counter()
        if began >= deadline:
            break
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            ok = False
        ended = time.perf_counter()
        if ended > deadline:  # finished after the window closed: not counted
            break
        if ok:
            latencies.append(ended - began)
        else:
            errors += 1
    connection.close()
    queue.put((latencies, errors))


def run(
    url: str, cookie: str, concurrency: int, duration: float, with_latencies: bool = False
) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 0.5
    cookies = cookie.split(",") if cookie else [""]
    workers = [
        context.Process(
            target=_worker, args=(url, cookies[i % len(cookies)], start_at, duration, queue)
        )
        for i in range(concurrency)
    ]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        found, failed = queue.get()
        latencies.extend(found)
        errors += failed
    for worker in workers:
        worker.join()
    latencies.sort()
    result = {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "rps": round(len(latencies) / duration, 1),
    }
    if with_latencies:  # each request's, for percentiles over several runs (bench/run.py)
        result["latencies"] = latencies
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--latencies", action="store_true", help="Also print every latency (s).")
    args = parser.parse_args()
    result = run(args.url, args.cookie, args.concurrency, args.duration, args.latencies)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
