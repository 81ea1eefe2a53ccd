#!/usr/bin/env python3
"""Evaluation harness: run incidentwire on the seeds and the shared dev splits, score each with
../shared/eval/score.py, write eval/results.json and eval/results.md, and check eval/floors.json.

It drives the pipeline through the CLI exactly as outside evaluation scripts do:
    incidentwire --db FILE ingest [--metadata FILE] [--no-relevance-filter] PATH...
    incidentwire --db FILE export --format eval-jsonl --output FILE
MUC-4 and GVDB annotate each document on its own, so they are exported with ``eval-jsonl-articles``
(what each article alone says: the extraction stage); the linked export (fields reconciled over
every article of an incident, which moves with the linker) is scored too and reported as
``linked.*`` (MUC-4 micro_gtt, GVDB killed/injured). The seeds gold is incident-level and keeps
the linked export.

    python eval/run.py [--shared ../shared] [--only seeds,gvdb] [--limit N] [--check-floors]
    python eval/run.py --learned     # `make eval-learned`: MUC-4 dev + TST3 with the rules, the
                                     # learned extractor and both combined -> eval/results-learned.md
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from error_lists import write_error_lists  # noqa: E402  (eval/ is a folder of scripts, not a package)
from ingest_eval import HEADLINE as INGEST_HEADLINE, run_ingest_eval  # noqa: E402

CLI = [sys.executable, "-m", "incidentwire.cli"]

# name -> (scorer mode, input path under shared, gold path under shared, extra ingest flags)
BENCHMARKS = {
    "seeds": ("seeds", "corpus/seeds", "eval/seeds/gold.jsonl",
              ["--metadata", "{shared}/corpus/seeds.metadata.jsonl"]),
    "muc4_dev": ("muc4", "eval/muc4/dev.jsonl", "eval/muc4/dev.jsonl", []),
    "muc4_tst3": ("muc4", "eval/muc4/test_tst3.jsonl", "eval/muc4/test_tst3.jsonl", []),
    "ecbplus_dev": ("ecbplus", "eval/ecbplus/dev.jsonl", "eval/ecbplus/dev.jsonl", ["--no-relevance-filter"]),
    "gvdb_dev": ("gvdb", "eval/gvdb/dev.jsonl", "eval/gvdb/dev.jsonl", ["--no-relevance-filter"]),
    # cleaner line P/R over tests/data/clean_gold, relevance P/R on ECB+ dev (eval/ingest_eval.py)
    "ingest": ("ingest", None, None, []),
}
# The metrics shown in results.md, per scorer mode.
HEADLINE = {
    "seeds": ["incidents.p", "incidents.r", "linking.bcubed.p", "linking.bcubed.r", "date.acc_gold",
              "location_name.acc_gold", "attack_type.acc_gold", "killed_best.acc_gold",
              "injured_best.acc_gold", "perpetrators.f1"],
    "muc4": ["micro_gtt.p", "micro_gtt.r", "micro_gtt.f1", "type_accuracy", "doc_relevance.f1",
             "perpetrator.f1", "target.f1", "victim.f1", "weapon.f1", "linked.micro_gtt.f1"],
    "ecbplus": ["all.bcubed.p", "all.bcubed.r", "all.bcubed.f1", "within_topic.bcubed.f1", "all.ari"],
    "gvdb": ["killed.acc", "injured.acc", "city.acc", "date.acc", "shooter_names.f1", "victim_names.f1",
             "linked.killed.acc", "linked.injured.acc"],
    "ingest": INGEST_HEADLINE,
}


def _truncate(src: Path, dst: Path, limit: int) -> Path:
    with src.open(encoding="utf-8") as f, dst.open("w", encoding="utf-8") as g:
        for n, line in enumerate(f):
            if n >= limit:
                break
            g.write(line)
    return dst


DEFAULT_BENCHMARKS = ["seeds", "muc4_dev", "ecbplus_dev", "gvdb_dev", "ingest"]  # muc4_tst3 is test: eval-learned only
EXTRACTORS = ["rules", "learned", "rules+learned"]
# per-document benchmarks score what each article says (see the module docstring)
EXPORT_FORMAT = {"muc4": "eval-jsonl-muc4", "gvdb": "eval-jsonl-articles"}
LINKED_KEYS = {"muc4": ("micro_gtt.p", "micro_gtt.r", "micro_gtt.f1"), "gvdb": ("killed.acc", "injured.acc")}
MUC_ROLES = ["perp_individual", "perp_org", "target", "victim", "weapon", "incident_type", "micro_gtt"]


def run_benchmark(name: str, shared: Path, out: Path, limit: int | None,
                  errors_dir: Path | None = None, extractor: str = "rules") -> dict:
    mode, inp, gold, flags = BENCHMARKS[name]
    if extractor != "rules":
        flags = flags + ["--extractor", extractor]
        name = f"{name}.{extractor}"
    inp_path, gold_path = shared / inp, shared / gold
    if limit and inp_path.suffix == ".jsonl":
        inp_path = _truncate(inp_path, out / f"{name}.input.jsonl", limit)
        gold_path = _truncate(gold_path, out / f"{name}.gold.jsonl", limit)
    db, pred = out / f"{name}.db", out / f"{name}.pred.jsonl"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    flags = [f.format(shared=shared) for f in flags]
    t0 = time.perf_counter()
    subprocess.run(CLI + ["--db", str(db), "ingest", *flags, str(inp_path)], check=True)
    seconds = time.perf_counter() - t0
    scored, metrics = _export_and_score(db, pred, EXPORT_FORMAT.get(mode, "eval-jsonl"), mode, shared, gold_path)
    if mode in LINKED_KEYS:
        _, linked = _export_and_score(db, out / f"{name}.linked.pred.jsonl", "eval-jsonl", mode, shared, gold_path)
        metrics.update({f"linked.{k}": v for k, v in linked.items() if k in LINKED_KEYS[mode]})
    metrics["seconds"] = round(seconds, 2)
    if mode == "ecbplus":
        metrics.update(tfidf_baseline(inp_path, gold_path, shared, out, name))
    (out / f"{name}.score.txt").write_text(scored.stdout, encoding="utf-8")
    if errors_dir is not None:
        metrics["errors"] = write_error_lists(name, mode, shared, pred, gold_path, errors_dir)
    return metrics


def _export_and_score(db: Path, pred: Path, fmt: str, mode: str, shared: Path, gold_path: Path):
    subprocess.run(CLI + ["--db", str(db), "export", "--format", fmt, "--output", str(pred)], check=True)
    scored = subprocess.run([sys.executable, str(shared / "eval" / "score.py"), mode, "--pred", str(pred),
                             "--gold", str(gold_path)], check=True, capture_output=True, text=True)
    return scored, json.loads(scored.stdout.strip().splitlines()[-1])


BASELINE_THRESHOLDS = [round(0.50 + 0.02 * k, 2) for k in range(24)]  # cosine distance


def tfidf_baseline(inp: Path, gold: Path, shared: Path, out: Path, name: str) -> dict:
    """The reference the linker must beat on ECB+: TF-IDF vectors of each whole document,
    average-link agglomerative clustering on cosine distance, the distance threshold tuned on
    this same (dev) split; the best threshold's B-cubed, scored by score.py like the linker."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = [json.loads(line) for line in inp.read_text(encoding="utf-8").splitlines() if line.strip()]
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        [r["text"] for r in rows]).toarray()
    best: dict = {}
    for threshold in BASELINE_THRESHOLDS:
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=threshold).fit_predict(vectors)
        pred = out / f"{name}.baseline.pred.jsonl"
        pred.write_text("".join(json.dumps({"doc_id": r["doc_id"], "incidents": [{"incident_id": f"c{lab}"}]})
                                + "\n" for r, lab in zip(rows, labels)), encoding="utf-8")
        scored = subprocess.run([sys.executable, str(shared / "eval" / "score.py"), "ecbplus", "--pred", str(pred),
                                 "--gold", str(gold)], check=True, capture_output=True, text=True)
        m = json.loads(scored.stdout.strip().splitlines()[-1])
        if m["all.bcubed.f1"] > best.get("all.bcubed.f1", -1):
            best = dict(m, threshold=threshold)
    return {"baseline_tfidf." + k: best[k] for k in ("threshold", *HEADLINE["ecbplus"])}


def write_reports(results: dict, path_json: Path, path_md: Path) -> None:
    path_json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    lines = ["# incidentwire evaluation results", "",
             "Written by `make eval` (eval/run.py). Scores from ../shared/eval/score.py; "
             "accuracies and F1 as fractions. MUC-4 per-role tables (dev and TST3; rules, learned and "
             "rules+learned extractors) are in eval/results-learned.md (`make eval-learned`).", ""]
    for name, m in results.items():
        mode = BENCHMARKS[name][0]
        keys = HEADLINE[mode]
        lines += [f"## {name} ({m.get('n_docs')} documents, ingest {m.get('seconds')} s)", "",
                  "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys),
                  "| " + " | ".join(f"{m.get(k, float('nan')):.3f}" for k in keys) + " |", ""]
        if "baseline_tfidf.threshold" in m:
            lines[-1:] = ["| " + " | ".join(f"{m.get('baseline_tfidf.' + k, float('nan')):.3f}" for k in keys)
                          + " |", "",
                          "Second row: TF-IDF + average-link agglomerative clustering baseline, computed in the same "
                          f"run (cosine distance threshold {m['baseline_tfidf.threshold']} chosen on this split). "
                          "First row: incidentwire's incremental linker.", ""]
    path_md.write_text("\n".join(lines), encoding="utf-8")


def write_learned_report(results: dict, path_md: Path) -> None:
    """Per-role P/R/F1 for each (benchmark, extractor), plus articles/s of the whole ingest."""
    lines = ["# Learned extractor on MUC-4", "",
             "Written by `make eval-learned` (eval/run.py --learned). Scores from ../shared/eval/score.py "
             "(muc4 mode, exact match); P/R/F1 as fractions. micro_gtt counts incident type like the "
             "published GTT/GRIT numbers. articles/s is the whole single-process ingest (onnxruntime "
             "on 1 thread) on a shared 2-core machine.", ""]
    for (bench, extractor), m in results.items():
        lines += [f"## {bench}, extractor `{extractor}` ({m.get('n_docs')} documents, "
                  f"{m['n_docs'] / max(m['seconds'], 1e-9):.1f} articles/s)", "",
                  "| role | P | R | F1 |", "|---|---|---|---|"]
        for role in MUC_ROLES:
            lines.append(f"| {role} | {m.get(role + '.p', float('nan')):.3f} | {m.get(role + '.r', float('nan')):.3f} "
                         f"| {m.get(role + '.f1', float('nan')):.3f} |")
        lines.append("")
    path_md.write_text("\n".join(lines), encoding="utf-8")


def check_floors(results: dict, floors: dict) -> list[str]:
    """Every metric named in floors.json for a benchmark that ran must reach its floor."""
    failures = []
    for name, metrics in floors.items():
        if name not in results:
            continue
        for key, floor in metrics.items():
            got = results[name].get(key)
            if got is None or got < floor:
                failures.append(f"{name}: {key} = {got} is below the floor {floor}")
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(BENCHMARKS))
    ap.add_argument("--limit", type=int, help="only the first N documents of each JSONL benchmark")
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--check-floors", action="store_true")
    ap.add_argument("--no-report", action="store_true", help="do not rewrite results.md/json nor eval/errors/")
    ap.add_argument("--extractor", default="rules", choices=EXTRACTORS, help="extractor plugin for every benchmark")
    ap.add_argument("--learned", action="store_true",
                    help="MUC-4 dev and TST3 with each extractor -> results-learned.md (needs the [learned] extra)")
    args = ap.parse_args(argv)
    shared, out = Path(args.shared).resolve(), Path(args.out)
    if not (shared / "eval" / "score.py").is_file():
        print(f"error: {shared} does not hold eval/score.py (pass --shared)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    if args.learned:
        learned = {}
        for name in (args.only.split(",") if args.only else ["muc4_dev", "muc4_tst3"]):
            for extractor in EXTRACTORS:
                print(f"== {name} --extractor {extractor}", file=sys.stderr)
                try:
                    m = learned[(name, extractor)] = run_benchmark(name, shared, out, args.limit, extractor=extractor)
                except subprocess.CalledProcessError:  # the CLI printed why (extra or model file missing)
                    print(f"   {extractor} could not run; left out of the report", file=sys.stderr)
                    continue
                print(f"   micro_gtt.f1={m['micro_gtt.f1']} seconds={m['seconds']}", file=sys.stderr)
        if not args.no_report:
            write_learned_report(learned, HERE / "results-learned.md")
            (HERE / "results-learned.json").write_text(json.dumps(
                {f"{b}.{e}": m for (b, e), m in learned.items()}, indent=2) + "\n", encoding="utf-8")
        return 0
    names = args.only.split(",") if args.only else DEFAULT_BENCHMARKS
    results = {}
    for name in names:
        print(f"== {name}", file=sys.stderr)
        if name == "ingest":
            results[name] = run_ingest_eval(shared)
        else:
            results[name] = run_benchmark(name, shared, out, args.limit,
                                          out / "errors" if args.no_report else HERE / "errors", args.extractor)
        print("   " + ", ".join(f"{k}={results[name].get(k)}" for k in HEADLINE[BENCHMARKS[name][0]]),
              file=sys.stderr)
    if not args.no_report:
        write_reports(results, HERE / "results.json", HERE / "results.md")
    if args.check_floors:
        failures = check_floors(results, json.loads((HERE / "floors.json").read_text()))
        for f in failures:
            print("FLOOR " + f, file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
