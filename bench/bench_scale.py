"""Scale benchmark: end-to-end ingest (clean -> relevance -> extract -> link -> reconcile -> store)
of synthetic news (incidentwire.synth) on worker processes and on Dask.

What it measures (all in one run, on whatever machine runs it; the load average is recorded
because a shared machine skews every timing):
- ``e2e_2workers_articles_per_s`` and ``e2e_peak_rss_mb``: the largest corpus on 2 local
  worker processes; RSS is the peak of the *sum* over the ingesting process and all its
  workers, sampled every 0.1 s (``..._rss_at_peak_mb`` says what each process held then, and
  ``..._peak_pss_mb`` counts pages the processes share once);
- ``workers_2_vs_1_speedup``: the same corpus on 1 and on 2 worker processes;
- ``size_<b>_vs_<a>_time_ratio`` for consecutive sizes (default 10k, 100k; linear scaling is a
  ratio of 10); ``..._cpu_ratio`` the same in CPU seconds of the whole
  process tree, which other programs on a shared machine inflate less than wall time, but do
  (``..._driver_cpu_ratio``:
  the ingesting process alone; ``e2e_<n>_worker_cpu_ms_per_article`` the workers' share;
  ``..._cpu_ratio_load_normalized`` the CPU ratio with each run's driver CPU counted in units of
  its own workers' CPU, which the load of a run inflates alike: ``_driver_share``), and
  ``e2e_<n>_load_avg_1m_mean`` / ``_max`` the load sampled while each size ran;
- ``dask_equals_local``: a corpus ingested on 2 local workers and on a 2-worker Dask
  LocalCluster gives the same database fingerprint (engine.database_fingerprint); with
  ``dask_2workers_articles_per_s``;
- executor start-up times (not included in the throughputs).

Sizes: ``--scale-sizes`` (bench/run.py) or ``BENCH_SCALE_SIZES`` (default ``10000,100000``: the
10k vs 100k ratio, with the 1-worker run on 10k; about 50 minutes on 2 quiet cores, run it alone;
``1000,10000`` for a quick look), ``BENCH_SCALE_DASK`` (default 5000);
``BENCH_SCALE_SKIP=workers,dask`` leaves out the 1-worker run and the Dask comparison.
``--quick`` divides every size by 100 (at least 50 articles). Executor start-up and corpus generation are excluded from timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import incidentwire
from incidentwire.engine import LocalExecutor, database_fingerprint, make_executor
from incidentwire.pipeline import ingest

DEFAULT_SIZES = "10000,100000"


class PeakRSS:
    """Peak of the summed RSS of this process and its descendants, sampled in a thread, with
    what each process held at that peak (``breakdown``: the ingesting process, the executor's
    helpers -- forkserver, Dask nannies -- and its workers). RSS counts the pages processes
    share (libraries, forked memory) once per process; ``pss_mb``, the peak of the summed
    proportional set size (sampled every ``pss_every`` samples: reading it costs more),
    counts each shared page once over all processes."""

    def __init__(self, interval: float = 0.1, pss_every: int = 10):
        import psutil

        self._proc, self._interval, self.peak, self.pss_peak = psutil.Process(), interval, 0, 0
        self._pss_every, self._n = pss_every, 0
        self.loads: list[float] = []  # the 1-minute load average, every ``pss_every`` samples
        self.at_peak: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _role(self, p) -> str:
        if p.pid == self._proc.pid:
            return "driver"
        parent = p.ppid()
        if parent == self._proc.pid:
            cmd = " ".join(p.cmdline())
            return "forkserver" if "forkserver" in cmd else "child"
        return "worker"

    def _sample(self) -> None:
        rows, pss = [], 0
        self._n += 1
        with_pss = self._n % self._pss_every == 1
        if with_pss:
            self.loads.append(os.getloadavg()[0])
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                if with_pss:
                    info = p.memory_full_info()
                    pss += info.pss
                else:
                    info = p.memory_info()
                rows.append((self._role(p), info.rss))
            except Exception:  # noqa: BLE001 - a worker exiting between list and read
                pass
        total = sum(r for _, r in rows)
        if total > self.peak:
            self.peak, self.at_peak = total, rows
        self.pss_peak = max(self.pss_peak, pss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)

    @property
    def pss_mb(self) -> float:
        return round(self.pss_peak / 2**20, 1)

    @property
    def breakdown(self) -> str:
        """'driver 420 + worker 380 + worker 375 ...' (MB) at the peak of the sum."""
        return " + ".join(f"{role} {rss / 2**20:.0f}" for role, rss in
                          sorted(self.at_peak, key=lambda r: ("driver", "forkserver", "child", "worker").index(r[0])))


def tree_cpu_seconds(own_only: bool = False) -> float:
    """User + system CPU time of this process and its live descendants (the workers): unlike
    wall time, it does not grow when other programs share the cores."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for p in [me] if own_only else [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except Exception:  # noqa: BLE001 - a process exiting between list and read
            pass
    return total


def _timed_ingest(engine, corpus: Path, db_file: Path, cpu: dict | None = None
                  ) -> tuple[float, object, incidentwire.Database]:
    db = incidentwire.open(db_file)
    c0, d0, t0 = tree_cpu_seconds(), tree_cpu_seconds(own_only=True), time.perf_counter()
    report = ingest(db.store, [corpus], executor=engine)
    wall = time.perf_counter() - t0
    if report.rejected or report.added != report.seen:  # a timing of nothing ingested is no timing
        raise RuntimeError(f"scale bench: {corpus} was not fully ingested: {report.summary()}")
    if cpu is not None:
        cpu[corpus.name] = tree_cpu_seconds() - c0
        cpu["driver:" + corpus.name] = tree_cpu_seconds(own_only=True) - d0
    return wall, report, db


def _sizes(args) -> tuple[list[int], int]:
    spec = getattr(args, "scale_sizes", None) or os.environ.get("BENCH_SCALE_SIZES", DEFAULT_SIZES)
    sizes = sorted(int(s) for s in spec.split(","))
    dask_n = int(os.environ.get("BENCH_SCALE_DASK", "5000"))
    if getattr(args, "quick", False):
        sizes, dask_n = [max(50, s // 100) for s in sizes], max(50, dask_n // 100)
    return sizes, dask_n


def _write_corpora(corpora: dict[int, Path]) -> int:
    """Write each corpus (shards of 2,000 articles, 5 MB: one 10k file would pass ingest's 20 MB
    input limit) in a separate process, which also returns the mean words of an article: the
    generator reads GeoNames' cities, ~150 MB that would otherwise stay in the measured
    process's RSS."""
    code = ("import json, sys; from incidentwire import synth\n"
            "for n, path in json.loads(sys.argv[1]).items():\n"
            "    synth.write_corpus(path, int(n), seed=int(n), shard_size=2000)\n"
            "print(round(sum(len(r['text'].split()) for r in synth.generate(500, seed=1)) / 500))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps({n: str(p) for n, p in corpora.items()})],
                          check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1])


def _driver_share(cpu: dict, name: str) -> float:
    """1 + the driver's CPU over the workers' in one run. On 2 shared cores a CPU second does
    less work the busier the machine (a 100k run on this box: the workers' CPU an article, which
    nothing in the store changes, rose from 24 to 35 ms as other programs came and went), so a
    CPU ratio of two runs carries the load of each; the driver and its workers share the
    load of their run, and the workers' work an article is the same at every size, so
    ``size * _driver_share`` compares two sizes as if their workers had run as fast:
    ``..._cpu_ratio_load_normalized``."""
    driver = cpu["driver:" + name]
    return 1 + driver / (cpu[name] - driver)


def _memory(out: dict, prefix: str, rss: PeakRSS) -> None:
    out[f"{prefix}_peak_rss_mb"] = rss.mb
    out[f"{prefix}_peak_pss_mb"] = rss.pss_mb
    out[f"{prefix}_rss_at_peak_mb"] = rss.breakdown
    if rss.loads:  # what else ran: wall times are comparable only under like loads
        out[f"{prefix}_load_avg_1m_mean"] = round(sum(rss.loads) / len(rss.loads), 2)
        out[f"{prefix}_load_avg_1m_max"] = round(max(rss.loads), 2)


def run(args) -> dict:
    sizes, dask_n = _sizes(args)
    skip = set(filter(None, os.environ.get("BENCH_SCALE_SKIP", "").split(",")))  # workers, dask
    small, big = sizes[0], sizes[-1]
    out: dict = {"cpu_cores": len(os.sched_getaffinity(0)), "load_avg_1m_at_start": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        corpora = {n: tmp / f"c{n}" for n in {*sizes, *([] if "dask" in skip else [dask_n])}}
        out["synthetic_mean_words"] = _write_corpora(corpora)

        if "workers" not in skip:
            t0 = time.perf_counter()
            with LocalExecutor(1) as one:
                out["local_start_s"] = round(time.perf_counter() - t0, 2)
                t1, _, _ = _timed_ingest(one, corpora[small], tmp / "one.db")
        with LocalExecutor(2) as two:
            cpu: dict = {}
            walls = {}
            db = None
            for n in sizes:
                if db is not None:  # the smaller run's database (its page cache, pooled
                    db.store.close()  # connections) is not part of the larger run's memory
                    db = None
                with PeakRSS() as rss:
                    walls[n], _, db = _timed_ingest(two, corpora[n], tmp / f"e2e{n}.db", cpu)
                out[f"e2e_2workers_{n}_articles_per_s"] = round(n / walls[n], 1)
                out[f"e2e_{n}_cpu_ms_per_article"] = round(1000 * cpu[corpora[n].name] / n, 1)
                out[f"e2e_{n}_driver_cpu_ms_per_article"] = round(1000 * cpu["driver:" + corpora[n].name] / n, 1)
                out[f"e2e_{n}_worker_cpu_ms_per_article"] = round(
                    1000 * (cpu[corpora[n].name] - cpu["driver:" + corpora[n].name]) / n, 1)
                _memory(out, f"e2e_{n}", rss)
            if "workers" not in skip:
                out[f"local_1worker_{small}_articles_per_s"] = round(small / t1, 1)
                out[f"local_2workers_{small}_articles_per_s"] = round(small / walls[small], 1)
                out["workers_2_vs_1_speedup"] = round(t1 / walls[small], 2)
            out["e2e_2workers_articles_per_s"] = round(big / walls[big], 1)
            out["e2e_articles"] = big
            out["e2e_incidents"] = db.store.counts()["incidents"]
            _memory(out, "e2e", rss)
            out["e2e_cpu_ms_per_article"] = out[f"e2e_{big}_cpu_ms_per_article"]
            # the ingesting process links and stores one article after another: its share bounds
            # the speed however many workers there are
            out["e2e_driver_cpu_ms_per_article"] = out[f"e2e_{big}_driver_cpu_ms_per_article"]
            for a, b in zip(sizes, sizes[1:]):
                # wall time grows when other programs share the cores; CPU seconds summed over
                # the ingesting process and its workers do not
                out[f"size_{b}_vs_{a}_time_ratio"] = round(walls[b] / walls[a], 2)
                out[f"size_{b}_vs_{a}_cpu_ratio"] = round(cpu[corpora[b].name] / cpu[corpora[a].name], 2)
                # the ingesting process's share: what grows with the store (the workers' per-article
                # work does not), so the ratio above moves with this one
                out[f"size_{b}_vs_{a}_driver_cpu_ratio"] = round(
                    cpu["driver:" + corpora[b].name] / cpu["driver:" + corpora[a].name], 2)
                out[f"size_{b}_vs_{a}_cpu_ratio_load_normalized"] = round(
                    b / a * _driver_share(cpu, corpora[b].name) / _driver_share(cpu, corpora[a].name), 2)
            if "dask" not in skip:
                tl, _, local_db = _timed_ingest(two, corpora[dask_n], tmp / "dask-local.db")

        if "dask" not in skip:
            t0 = time.perf_counter()
            with make_executor("dask", workers=2) as dask:
                out["dask_start_s"] = round(time.perf_counter() - t0, 2)
                with PeakRSS() as rss:
                    td, _, dask_db = _timed_ingest(dask, corpora[dask_n], tmp / "dask.db")
            out[f"dask_2workers_{dask_n}_articles_per_s"] = round(dask_n / td, 1)
            out[f"local_2workers_{dask_n}_articles_per_s"] = round(dask_n / tl, 1)
            _memory(out, "dask", rss)
            out[f"dask_equals_local_{dask_n}"] = database_fingerprint(dask_db.store) == database_fingerprint(local_db.store)
        out["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    return out


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    print(json.dumps(run(ap.parse_args()), indent=2))
