"""Learned extractor speed: MUC-4 TST3 articles through extraction with rules alone and with
rules+learned (onnxruntime on one thread), per CPU-second of this process (= per core) and per
wall second. Skipped (``skipped`` key) when the [learned] extra or the model file is missing."""

from __future__ import annotations

import json
import time
from pathlib import Path

from incidentwire.errors import ExtractorError
from incidentwire.extract import plugins
from incidentwire.pipeline import prepare
from incidentwire.records import Article


def _articles(shared: Path, limit: int) -> list[Article]:
    with open(shared / "eval" / "muc4" / "test_tst3.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][:limit]
    return [prepare(Article(id=r["doc_id"], text=r["text"], source="bench")) for r in rows]


def _rate(name: str, articles: list[Article]) -> tuple[float, float]:
    extract = plugins.get(name)
    extract(articles[0])  # load the model outside the timing
    w0, c0 = time.perf_counter(), time.process_time()
    for a in articles:
        extract(a)
    return len(articles) / (time.process_time() - c0), len(articles) / (time.perf_counter() - w0)


def run(args) -> dict:
    articles = _articles(Path(args.shared), 20 if args.quick else 100)
    out = {"articles": len(articles)}
    out["rules_articles_per_s"], out["rules_wall_articles_per_s"] = _rate("rules", articles)
    try:
        out["rules_learned_articles_per_s"], out["rules_learned_wall_articles_per_s"] = _rate("rules+learned", articles)
    except ExtractorError as e:
        out["skipped"] = str(e)
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}
