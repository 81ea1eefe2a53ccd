"""`make eval` section for ingestion: the cleaner's line precision/recall over its gold
(tests/data/clean_gold: the five seeds plus synthetic pages), and the relevance stage's
precision/recall on ECB+ dev against our own topic labels (eval/ecbplus_relevance.json).

Runs in-process (no database): both stages are plain functions.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from incidentwire import clean, relevance
from incidentwire.clean import clean_html, clean_text, line_counts
from incidentwire.records import Article

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent / "tests" / "data" / "clean_gold"
HEADLINE = ["clean_seeds.p", "clean_seeds.r", "clean_synthetic.p", "clean_synthetic.r", "clean_all.p",
            "clean_all.r", "relevance_ecbplus.p", "relevance_ecbplus.r", "relevance_ecbplus.f1"]


def _micro(counts: list[tuple[int, int, int]]) -> tuple[float, float]:
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def _line_counts(gold: dict, raw: str) -> tuple[int, int, int]:
    return line_counts(clean_text(raw) if gold["kind"] == "text" else clean_html(raw), gold["labels"])


def cleaner_scores(shared: Path) -> dict:
    """Story-line precision/recall, micro-averaged over lines, per gold group."""
    out, groups = {}, {"clean_seeds": sorted(GOLD.glob("seed_*.json")),
                       "clean_synthetic": sorted((GOLD / "synthetic").glob("*.json"))}
    every = []
    for name, paths in groups.items():
        counts = []
        for path in paths:
            gold = json.loads(path.read_text(encoding="utf-8"))
            base = shared if gold["source"].startswith("corpus/") else GOLD
            counts.append(_line_counts(gold, (base / gold["source"]).read_text(encoding="utf-8")))
        every += counts
        out[f"{name}.p"], out[f"{name}.r"] = (round(x, 4) for x in _micro(counts))
        out[f"{name}.docs"] = len(paths)
    out["clean_all.p"], out["clean_all.r"] = (round(x, 4) for x in _micro(every))
    return out


def relevance_scores(shared: Path) -> dict:
    labels = json.loads((HERE / "ecbplus_relevance.json").read_text(encoding="utf-8"))["topics"]
    tp = fp = fn = n = 0
    with (shared / "eval" / "ecbplus" / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            art = relevance.assess(clean.clean_article(Article(id=rec["doc_id"], text=rec["text"])))
            gold = labels[str(rec["topic"])]["relevant"]
            tp += art.relevant and gold
            fp += art.relevant and not gold
            fn += gold and not art.relevant
            n += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"relevance_ecbplus.p": round(p, 4), "relevance_ecbplus.r": round(r, 4),
            "relevance_ecbplus.f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "relevance_ecbplus.docs": n}


def run_ingest_eval(shared: Path) -> dict:
    t0 = time.perf_counter()
    out = {**cleaner_scores(shared), **relevance_scores(shared)}
    out["n_docs"] = out["clean_seeds.docs"] + out["clean_synthetic.docs"] + out["relevance_ecbplus.docs"]
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out
