#!/usr/bin/env python3
"""Re-run only the linker over a JSONL benchmark, many times cheaply: the per-article stages
(clean, relevance, extract) run once and are cached; each run links the cached mentions in
input order, exactly as ``incidentwire ingest`` does, and scores the main incidents with
score.py's ECB+ scorer (B-cubed over each article's first incident), or GVDB's fields of it.

    python eval/link_tune.py ecbplus/dev.jsonl [ecbplus/train.jsonl gvdb/dev.jsonl ...] [--set NAME=VALUE ...]
    python eval/link_tune.py eval/out/synth-3000-0.jsonl   # made by eval/synth_truth.py

A split is a path under shared/eval, or a JSONL file with ECB+'s gold fields (synth_truth.py's).

``--set`` overrides a constant of the incidentwire.link modules for the run, in the module that
uses it (tuning tables in the link package's docstring were made this way). A tuning aid, not part of ``make eval``. The cache
(eval/out/*.prepared.pkl) follows the input file only: delete it after changing extraction.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import itertools
import json
import pickle
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def _scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def prepared(path: Path, cache_dir: Path, relevance_filter: bool = False) -> list:
    """[(article, mentions)] after the per-article stages, in input order (cached). With the
    relevance filter off (ECB+'s setting) every article has a main incident; with it on (what
    ingest does by default) an article it rejects has none, and is scored as a singleton."""
    from incidentwire.dedup import StoryIndex
    from incidentwire.ingest import read_articles
    from incidentwire.pipeline import process

    cache = cache_dir / (path.stem + f".{path.parent.name}{'.relevant' if relevance_filter else ''}.prepared.pkl")
    if cache.exists() and cache.stat().st_mtime > path.stat().st_mtime:
        return pickle.loads(cache.read_bytes())
    stories, out = StoryIndex(), []
    for item in read_articles([path]):
        article, mentions = process(item, relevance_filter=relevance_filter)
        stories.assign(article)
        for m in mentions:
            m.story_id = article.story_id
        out.append((article, mentions))
    cache.write_bytes(pickle.dumps(out))
    return out


def link_and_score(done: list, gold_path: Path, score) -> dict:
    from incidentwire import link
    from incidentwire.export import interchange
    from incidentwire.reconcile import reconcile
    from incidentwire.records import Incident

    done = copy.deepcopy(done)
    counter = itertools.count()
    linker = link.Linker([], lambda: f"i{next(counter)}")
    for article, mentions in done:
        for m in mentions:
            m.claims = [c for c in m.claims if c.field != "link_terms"]
        link.add_link_terms(article, mentions)
        for m in mentions:
            linker.link(m)
    gold = [json.loads(line) for line in gold_path.read_text().splitlines() if line.strip()]
    if "subtopic" in gold[0]:  # ECB+: only the incident ids count
        pred = [{"doc_id": a.id, "incidents": [{"incident_id": m.incident_id}
                                               for m in sorted(ms, key=lambda m: m.index)]} for a, ms in done]
        scores = score.score_ecbplus(pred, gold)[0]
        scores["largest_pred_cluster"] = max(Counter(str(p["incidents"][0]["incident_id"]) for p in pred
                                                     if p["incidents"]).values())
        scores["largest_gold_cluster"] = max(Counter(g["subtopic"] for g in gold).values())
        return scores
    incidents = {i: interchange(Incident(id=i, fields=reconcile(c.mentions))) for i, c in linker.by_id.items()}
    pred = [{"doc_id": a.id, "incidents": [incidents[m.incident_id] for m in sorted(ms, key=lambda m: m.index)]}
            for a, ms in done]
    return score.score_gvdb(pred, gold)[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("splits", nargs="+", help="paths under shared/eval, e.g. ecbplus/dev.jsonl")
    ap.add_argument("--set", action="append", default=[], help="NAME=VALUE: override a constant of the link modules")
    ap.add_argument("--relevance-filter", action="store_true",
                    help="run the relevance filter as ingest does (synthetic corpora: its off-topic articles)")
    args = ap.parse_args(argv)
    from incidentwire.link import linker, rules, words

    for item in args.set:
        name, value = item.split("=", 1)
        module = next((m for m in (linker, rules, words) if hasattr(m, name) and name.isupper()), None)
        if module is None:
            ap.error(f"--set {name}: no such constant in incidentwire.link")
        setattr(module, name, type(getattr(module, name))(value))
    score = _scorer()
    cache_dir = HERE / "out"
    cache_dir.mkdir(exist_ok=True)
    for split in args.splits:
        path = Path(split) if Path(split).is_file() else SHARED / "eval" / split
        m = link_and_score(prepared(path, cache_dir, args.relevance_filter), path, score)
        if "killed.acc" in m:
            print(f"{split}: killed {m['killed.acc']:.4f} injured {m['injured.acc']:.4f} city {m['city.acc']:.4f}")
            continue
        print(f"{split}: bcubed P {m['all.bcubed.p']:.3f} R {m['all.bcubed.r']:.3f} F1 {m['all.bcubed.f1']:.3f}"
              f"  pairwise F1 {m['all.pairwise.f1']:.3f}  clusters {m['n_pred_clusters']}/{m['n_gold_clusters']}"
              f"  largest {m['largest_pred_cluster']}/{m['largest_gold_cluster']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
