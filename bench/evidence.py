"""`make bench-evidence`: the near-duplicate lookup of issue 16 at a million hashes (README,
"Benchmarks").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuangxian python bench/evidence.py

1. Works in a database of its own on DATABASE_URL's server (`chuangxian_bench_evidence`, or
   --database NAME; created when missing, migrated), so the bench never mixes with real data.
2. Unless it is there already (--force rebuilds it), loads one campaign with --hashes (default
   1,000,000) evidence rows whose pHashes are random 64-bit numbers, with COPY, then VACUUM
   ANALYZE so that the band indexes answer from the index alone.
3. Plants --planted (default 1,000) near-duplicates: for a stored hash picked at random, a query
   hash 0 to 6 bits away (the default distance, EVIDENCE_MATCH_DISTANCE). Half of them have all
   their flipped bits in one 16-bit band — the case an exact match of four bands misses beyond 3
   bits — and half spread at random. The same number of random query hashes are looked up too.
4. Looks each query up with activities.integrity.near_matches, the function the upload task
   uses (Django ORM, one round trip), timing it, and compares the answer with a brute-force scan
   of all the hashes in numpy (the ground truth).
5. Prints one JSON line: hashes, distance, queries, p50_ms, p95_ms (over all lookups), recall
   (planted pairs found / planted pairs), false_positives (answers the scan says are farther than
   the distance, or that the scan does not find), recall_all (every hash the scan finds within
   the distance, found by the lookup, planted or chance), probe_keys (index keys read per
   lookup, over the four bands), rows_returned_mean (rows PostgreSQL sent back per lookup, after
   its exact distance check), and four_band_exact_recall (what exact equality of one of four
   bands would have found, for comparison). Also appended to var/bench/evidence.jsonl. Exits 1
   when p95 is over 20 ms, the recall is under 1 or there is a false positive.
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from databases import ensure_database  # bench/ is the script's folder

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
DATABASE = "chuangxian_bench_evidence"
CAMPAIGN = "bench-evidence"
P95_BAR_MS = 20.0
SEED = 16


def log(message: str) -> None:
    print(f"[bench-evidence] {message}", file=sys.stderr, flush=True)


def _setup(database: str) -> None:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("bench-evidence needs DATABASE_URL to a PostgreSQL server")
    ensure_database(url, database, log)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _campaign(count: int, force: bool):
    """The bench campaign with `count` hashes, loaded unless it is there."""
    from activities.models import Activity, Evidence
    from campaigns.models import Campaign

    campaign = Campaign.objects.filter(name=CAMPAIGN).first()
    if campaign is not None and not force:
        stored = Evidence.objects.filter(campaign=campaign).count()
        if stored == count:
            log(f"reusing {stored} hashes")
            return campaign
    if campaign is not None:
        log("emptying the previous bench set")
        Evidence.objects.filter(campaign=campaign).delete()
        Activity.objects.filter(campaign=campaign).delete()
        campaign.delete()
    return _load(count)


def _load(count: int):
    import datetime

    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from activities import fingerprints
    from activities.models import Activity
    from campaigns.models import Campaign
    from units.models import Unit, UnitKind
    from units.services import unit_create

    unit = Unit.objects.filter(code="BENCH-EVIDENCE").first() or unit_create(
        parent=None,
        unit=Unit(code="BENCH-EVIDENCE", name="证据基准单位", kind=UnitKind.PARTY_COMMITTEE),
    )
    user, _new = User.objects.get_or_create(username="bench_evidence", defaults={"name": "基准"})
    campaign = Campaign.objects.create(
        unit=unit,
        name=CAMPAIGN,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    activity = Activity.objects.create(
        campaign=campaign, unit=unit, created_by=user, title="基准", starts_on=campaign.starts_on
    )
    rng = np.random.default_rng(SEED)
    values = rng.integers(0, 2**64, size=count, dtype=np.uint64)
    signed = values.view(np.int64)
    bands = [((values >> np.uint64(16 * b)) & np.uint64(0xFFFF)).astype(np.int64) for b in range(4)]
    assert fingerprints.BANDS == 4
    now = timezone.now().isoformat()
    columns = (
        "activity_id, campaign_id, uploaded_by_id, file, thumbnail, thumbnail_small, "
        "original_name, content_type, size, created_at, processed_at, sha256, flagged, "
        "phash, phash_b0, phash_b1, phash_b2, phash_b3"
    )
    fixed = [activity.pk, campaign.pk, user.pk, "bench/x.jpg", "", "", "x.jpg", "image/jpeg", 1]
    prefix = "\t".join(str(value) for value in [*fixed, now, now, "", "f", ""])
    started = time.monotonic()
    chunk = 100_000
    with connection.cursor() as cursor:
        for start in range(0, count, chunk):
            stop = min(start + chunk, count)
            lines = "".join(
                f"{prefix}{h}\t{b0}\t{b1}\t{b2}\t{b3}\n"
                for h, b0, b1, b2, b3 in zip(
                    signed[start:stop].tolist(),
                    bands[0][start:stop].tolist(),
                    bands[1][start:stop].tolist(),
                    bands[2][start:stop].tolist(),
                    bands[3][start:stop].tolist(),
                    strict=True,
                )
            )
            cursor.copy_expert(
                f"COPY activities_evidence ({columns}) FROM STDIN", io.StringIO(lines)
            )
            log(f"loaded {stop} hashes")
    log(f"loaded in {time.monotonic() - started:.0f} s; VACUUM ANALYZE")
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE activities_evidence")
    return campaign


def _flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def _queries(stored, planted: int, distance: int):
    """(query hash, planted partner id or None) for the planted near-duplicates and as many
    random hashes."""
    import numpy as np

    rng = np.random.default_rng(SEED + 1)
    ids, values = stored
    picks = rng.choice(len(ids), size=planted, replace=False)
    queries = []
    for n, index in enumerate(picks.tolist()):
        k = n % (distance + 1)
        if n % 2 == 0:  # every flipped bit in one band
            band = int(rng.integers(0, 4))
            bits = (rng.choice(16, size=k, replace=False) + 16 * band).tolist()
        else:
            bits = rng.choice(64, size=k, replace=False).tolist()
        queries.append((_flip(int(values[index]), bits), int(ids[index])))
    for value in rng.integers(0, 2**64, size=planted, dtype=np.uint64).tolist():
        queries.append((int(value), None))
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--planted", type=int, default=1000)
    parser.add_argument("--force", action="store_true", help="rebuild the bench set")
    options = parser.parse_args()
    _setup(options.database)

    import numpy as np
    from django.conf import settings
    from django.db import connection

    from activities import fingerprints
    from activities.integrity import near_matches
    from activities.models import Evidence

    distance = settings.EVIDENCE_MATCH_DISTANCE
    campaign = _campaign(options.hashes, options.force)
    rows = Evidence.objects.filter(campaign=campaign).values_list("pk", "phash").order_by("pk")
    pairs = np.array(list(rows), dtype=np.int64)
    ids, values = pairs[:, 0], pairs[:, 1].view(np.uint64)
    queries = _queries((ids, values), options.planted, distance)
    log(f"{len(queries)} lookups at distance {distance} among {len(ids)} hashes")

    for value, _partner in queries[:50]:  # warm the connection and the caches
        near_matches(campaign_id=campaign.pk, phash=fingerprints.to_signed(value))
    timings, candidates = [], []
    planted_pairs = planted_found = false_positives = truth_total = truth_found = 0
    band_exact_found = 0
    for value, partner in queries:
        signed = fingerprints.to_signed(value)
        with connection.execute_wrapper(_count_rows(candidates)):
            started = time.perf_counter()
            found = near_matches(campaign_id=campaign.pk, phash=signed)
            timings.append((time.perf_counter() - started) * 1000)
        gaps = np.bitwise_count(values ^ np.uint64(value))
        truth = set(ids[gaps <= distance].tolist())
        truth_total += len(truth)
        truth_found += len(truth & set(found))
        false_positives += len(set(found) - truth)
        if partner is not None:
            planted_pairs += 1
            planted_found += partner in found
            query_bands = fingerprints.bands(value)
            partner_bands = fingerprints.bands(int(values[ids == partner][0]))
            band_exact_found += any(a == b for a, b in zip(query_bands, partner_bands, strict=True))
    timings.sort()
    result = {
        "hashes": len(ids),
        "distance": distance,
        "queries": len(queries),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "recall": round(planted_found / planted_pairs, 4) if planted_pairs else None,
        "false_positives": false_positives,
        "recall_all": round(truth_found / truth_total, 4) if truth_total else None,
        "probe_keys": sum(len(keys) for keys in fingerprints.probe_keys(0, distance)),
        "rows_returned_mean": round(statistics.mean(candidates), 1) if candidates else None,
        "four_band_exact_recall": round(band_exact_found / planted_pairs, 4),
    }
    line = json.dumps(result)
    print(line, flush=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with (OUT_DIR / "evidence.jsonl").open("a") as out:
        out.write(line + "\n")
    ok = result["p95_ms"] <= P95_BAR_MS and result["recall"] == 1 and false_positives == 0
    return 0 if ok else 1


def _count_rows(candidates: list[int]):
    """An execute wrapper that records how many rows the lookup's query returned."""

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        cursor = context["cursor"]
        candidates.append(cursor.rowcount)
        return result

    return wrapper


if __name__ == "__main__":
    sys.exit(main())
