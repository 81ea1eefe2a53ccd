"""`make bench`: run every bench/bench_*.py and merge what they report into bench/results.json/.md.

Each bench module defines ``run(args) -> dict`` returning flat metrics; keys ending in
``articles_per_s`` are throughputs and ``peak_rss_mb`` memory, so outside tools can read them.
``--only NAME`` runs one module (NAME without the ``bench_`` prefix); ``--quick`` asks each
module for a smaller run (used by smoke tests); ``--scale-sizes`` sets the scale bench's corpus
sizes (``--only scale --scale-sizes 1000,10000,100000`` measures the 10k -> 100k time ratio).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _modules(only: list[str] | None):
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        yield name, mod


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--only", action="append")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--scale-sizes", help="corpus sizes of the scale bench, e.g. 1000,10000,100000 "
                    "(default: $BENCH_SCALE_SIZES or 1000,10000)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for name, mod in _modules(args.only):
        print(f"== bench {name}", flush=True)
        t0 = time.perf_counter()
        metrics = mod.run(args)
        metrics["bench_wall_s"] = round(time.perf_counter() - t0, 2)
        results[name] = metrics
        for key, value in metrics.items():
            print(f"  {name}.{key} = {value}")
    results_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    lines = ["# Benchmarks", "", "Written by `make bench` (bench/run.py).", ""]
    for name, metrics in sorted(results.items()):
        lines += [f"## {name}", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(metrics.items())]
        lines.append("")
    (out / "results.md").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
