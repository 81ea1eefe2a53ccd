#!/usr/bin/env python3
"""A synthetic linking benchmark with known truth: incidentwire.synth's corpus, each article
tagged with the generated incident it reports.

    python eval/synth_truth.py [--n 3000] [--seed 0] [--out eval/out/synth-3000-0.jsonl]
    python eval/link_tune.py eval/out/synth-3000-0.jsonl ecbplus/dev.jsonl ...

synth.generate does not say which incident an article reports (its records are what ingest
reads, and the scale benchmarks compare them byte for byte), so this script wraps synth's
incident, report and off-topic writers while the corpus is generated: each incident gets a
number, each report notes its incident's, each off-topic article is its own. The wrappers
draw nothing from the random generator, so the articles are exactly ``synth.generate(n,
seed)``'s. Each record gets ECB+'s gold fields (``topic``, ``subtopic``: the incident), so
link_tune.py scores it with score.py's ECB+ scorer: B-cubed over each article's main
incident. Off-topic articles (one in five) count as singletons.

What it measures: whether the linker keeps apart different incidents of one kind, type and
month in the same city (synth draws them from ~300 cities over ten years, with template
wording that reads alike), and joins the 1 to 5 reports of one incident told in varied words.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def _recording(truth: list[str]):
    """While active, every article synth generates appends its incident's id to ``truth``."""
    from incidentwire import synth

    made = itertools.count()
    off = itertools.count()
    incident, report, off_topic = synth._incident, synth._report, synth._off_topic

    def numbered_incident(rng):
        inc = incident(rng)
        inc["truth_id"] = f"inc-{next(made):06d}"
        return inc

    def noted_report(inc, nth, published, rng):
        truth.append(inc["truth_id"])
        return report(inc, nth, published, rng)

    def noted_off_topic(rng, published):
        truth.append(f"off-{next(off):06d}")
        return off_topic(rng, published)

    synth._incident, synth._report, synth._off_topic = numbered_incident, noted_report, noted_off_topic
    try:
        yield
    finally:
        synth._incident, synth._report, synth._off_topic = incident, report, off_topic


def synthetic_gold(n: int, seed: int) -> list[dict]:
    """synth.generate(n, seed)'s records (without their HTML pages) with ``topic`` and
    ``subtopic`` (the incident each reports)."""
    from incidentwire import synth

    truth: list[str] = []
    rows = []
    with _recording(truth):
        for rec in synth.generate(n, seed):
            rec.pop("html")
            rows.append(rec)
    if len(truth) != len(rows):
        raise RuntimeError(f"synth wrote {len(rows)} articles but noted {len(truth)}: its writers changed")
    for rec, incident in zip(rows, truth):
        rec["topic"], rec["subtopic"] = "synth", incident
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="default: eval/out/synth-N-SEED.jsonl")
    args = ap.parse_args(argv)
    out = args.out or HERE / "out" / f"synth-{args.n}-{args.seed}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = synthetic_gold(args.n, args.seed)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r["subtopic"]] = sizes.get(r["subtopic"], 0) + 1
    print(f"{out}: {len(rows)} articles, {len(sizes)} true clusters, largest {max(sizes.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
