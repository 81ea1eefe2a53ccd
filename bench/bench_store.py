"""Storage benchmark: 1M synthetic incidents in SQLite, then the analyst's common query (a date
range in one region) through the public API, with the indexes the migrations create.

The incidents are generated here (seeded, nothing from the seeds or benchmarks): 60 countries
x 12 regions, dates spread over 2000-2024, a few perpetrator groups and weapons. They are
bulk-inserted through ``Store.save_incidents`` (the same code path as ingest's saves, so the
query columns and incident_values are filled as in real use). Query timings are the median and
worst of 30 different (region, 3-month window) queries, each returning the first page of 100
incidents sorted newest first, plus the page's total count (``Database.search``).

Wall times on a shared machine include waiting for the CPU: ``insert_cpu_s`` is this
process's own CPU time. ``--quick`` uses 20,000 incidents.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import incidentwire
from incidentwire.records import Incident

COUNTRIES, REGIONS, BATCH = 60, 12, 20_000
TYPES = ("bombing_explosion", "armed_assault", "assassination", "hostage_kidnapping", "unarmed_assault",
         "facility_infrastructure_attack")


def synthetic(n: int, seed: int = 6):
    rng = random.Random(seed)
    for k in range(n):
        c, r = rng.randrange(COUNTRIES), rng.randrange(REGIONS)
        day = rng.randrange(25 * 365)
        year, doy = 2000 + day // 365, day % 365
        month, dom = doy // 31 + 1 if doy // 31 < 12 else 12, doy % 28 + 1
        killed = rng.choice((0, 0, 1, 2, 3, 5, 8, 13, None))
        yield Incident(id=f"bench-{k:07d}", fields={
            "date": {"value": f"{year}-{month:02d}-{dom:02d}", "precision": "day", "sources": 1},
            "location": {"name": f"Town {c}-{r}-{k % 40}", "admin1": f"Region {r}", "country": f"Country {c}",
                         "lat": -40 + c + r / 20, "lon": -100 + 3 * c + r / 10, "precision": 1, "kind": "city"},
            "attack_type": rng.choice(TYPES),
            "killed": None if killed is None else {"min": killed, "best": killed, "max": killed, "sources": 1},
            "injured": {"min": 0, "best": rng.randrange(30), "max": None, "sources": 1},
            "perpetrators": [f"Group {rng.randrange(40)}"] if rng.random() < 0.4 else [],
            "targets": [rng.choice(("police", "market", "school", "military", "civilians"))],
            "weapons": [rng.choice(("explosives", "firearms", "vehicle", "knife"))],
            "sources": rng.randrange(1, 5)})


def run(args) -> dict:
    n = 20_000 if getattr(args, "quick", False) else 1_000_000
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        db = incidentwire.open(tmp / "bench.db")
        t0, cpu0 = time.perf_counter(), time.process_time()
        batch = []
        for inc in synthetic(n):
            batch.append(inc)
            if len(batch) == BATCH:
                db.store.save_incidents(batch)
                batch = []
        db.store.save_incidents(batch)
        insert_s, insert_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
        rng = random.Random(7)
        page_ms, rows_ms, totals = [], [], []
        db.search(country="Country 0", admin1="Region 0", since="2010-01", until="2010-03", per_page=100)  # warm
        for _ in range(30):
            c, r, y, m = rng.randrange(COUNTRIES), rng.randrange(REGIONS), rng.randrange(2000, 2025), rng.randrange(1, 11)
            where = {"country": f"Country {c}", "admin1": f"Region {r}", "since": f"{y}-{m:02d}",
                     "until": f"{y}-{m + 2:02d}"}
            t = time.perf_counter()
            page = db.search(**where, per_page=100)
            page_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            db.incidents(**where, limit=100)
            rows_ms.append((time.perf_counter() - t) * 1000)
            totals.append(page.total)
        t = time.perf_counter()
        monthly = db.aggregate("month", country="Country 3")
        aggregate_ms = (time.perf_counter() - t) * 1000
        db.store.close()
        size_mb = sum(p.stat().st_size for p in tmp.iterdir()) / 2**20
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "incidents": n, "insert_s": round(insert_s, 1), "insert_cpu_s": round(insert_cpu_s, 1), "insert_incidents_per_s": round(n / insert_s),
        "db_size_mb": round(size_mb), "region_date_query_rows_median": statistics.median(totals),
        "region_date_query_median_ms": round(statistics.median(page_ms), 2),
        "region_date_query_max_ms": round(max(page_ms), 2),
        "region_date_query_no_count_median_ms": round(statistics.median(rows_ms), 2),
        "country_monthly_aggregate_ms": round(aggregate_ms, 1), "country_monthly_groups": len(monthly),
    }
