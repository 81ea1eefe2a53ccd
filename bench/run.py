"""`make bench`: run every bench/bench_*.py and merge what they report into bench/results.json/.md.

Each bench module defines ``run(args) -> dict`` returning flat metrics; keys ending in
``articles_per_s`` are throughputs and ``peak_rss_mb`` memory, so outside tools can read them.
``--only NAME`` runs one module (NAME without the ``bench_`` prefix); ``--quick`` asks each
module for a smaller run (used by smoke tests); ``--scale-sizes`` sets the scale bench's corpus
sizes (default 10k and 100k: the 10k -> 100k time ratio; ``--scale-sizes 1000,10000`` for a
quick look). At the end it prints the scale figures issue 9 sets a bar for (``bar_lines``), and
puts them first in results.md.
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


def bar_lines(scale: dict) -> list[str]:
    """The scale bench's figures that issue 9 sets a bar for, each with its bar and whether
    this run met it (a figure the run did not measure says so)."""
    ratios = [k for k in scale if k.startswith("size_") and k.endswith("_time_ratio")]
    ratio = max(ratios, key=lambda k: int(k.split("_")[1]), default=None)  # size_<b>_vs_<a>_time_ratio
    growth = int(ratio.split("_")[1]) / int(ratio.split("_")[3]) if ratio else 10
    equal = next((k for k in scale if k.startswith("dask_equals_local")), None)

    def row(label: str, key: str | None, bar: str, ok) -> str:
        value = scale.get(key) if key else None
        if value is None:
            return f"| {label} | not measured | {bar} | |"
        verdict = "" if ok is None else ("met" if ok(value) else "NOT met")
        return f"| {label} (`{key}`) | {value} | {bar} | {verdict} |"

    return [
        "## Scale bar (issue 9)", "",
        "| figure | this run | bar | |", "|---|---|---|---|",
        row("end-to-end articles/s, 2 workers, largest corpus", "e2e_2workers_articles_per_s", ">= 30",
            lambda v: v >= 30),
        row("peak RSS MB, all processes", "e2e_peak_rss_mb", "< 1500", lambda v: v < 1500),
        row("1 -> 2 workers speed-up", "workers_2_vs_1_speedup", "printed", None),
        row(f"time ratio for {growth:g}x the articles", ratio, f"<= {1.1 * growth:g} (linear: {growth:g})",
            lambda v: v <= 1.1 * growth),
        row("Dask == local database", equal, "True", lambda v: v is True),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    ap.add_argument("--only", action="append")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--scale-sizes", help="corpus sizes of the scale bench, e.g. 1000,10000,100000 "
                    "(default: $BENCH_SCALE_SIZES or 10000,100000)")
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
    bar = bar_lines(results.get("scale", {}))
    print("\n".join(bar))
    lines = ["# Benchmarks", "", "Written by `make bench` (bench/run.py).", "", *bar, ""]
    for name, metrics in sorted(results.items()):
        lines += [f"## {name}", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(metrics.items())]
        lines.append("")
    (out / "results.md").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
