"""Extraction throughput: articles per second per core through clean + extract (dates, places,
tolls, types, actors, frames) on GVDB dev (US news, ~1.3k characters each) and MUC-4 dev
(lower-case wire copy), single process, CPU time and wall time. Place-gazetteer loading is
timed apart (once per process). The issue's bar is 15 articles/s per core."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from incidentwire.extract.incidents import extract_mentions
from incidentwire.extract.places import find_places
from incidentwire.pipeline import prepare
from incidentwire.records import Article


def _articles(path: Path, limit: int | None) -> list[Article]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Article(id=r["doc_id"], text=r["text"], title=r.get("title"), format="jsonl")
            for r in rows[:limit]]


def _measure(articles: list[Article]) -> tuple[float, float]:
    for a in articles:
        prepare(a)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for a in articles:
        extract_mentions(a)
    return time.perf_counter() - wall0, time.process_time() - cpu0


def run(args) -> dict:
    shared = Path(args.shared)
    limit = 40 if getattr(args, "quick", False) else None
    t0 = time.perf_counter()
    find_places("Almaty")  # loads the gazetteer once, outside the timed loop
    out = {"gazetteer_load_s": round(time.perf_counter() - t0, 2)}
    for name, rel in (("gvdb_dev", "eval/gvdb/dev.jsonl"), ("muc4_dev", "eval/muc4/dev.jsonl")):
        articles = _articles(shared / rel, limit)
        wall, cpu = _measure(articles)
        out[f"{name}_articles"] = len(articles)
        out[f"{name}_extract_articles_per_s"] = round(len(articles) / wall, 1)
        out[f"{name}_extract_cpu_articles_per_s"] = round(len(articles) / cpu, 1) if cpu else None
    out["extract_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out
