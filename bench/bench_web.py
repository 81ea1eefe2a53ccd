"""Web load test: concurrent clients on loopback read lists and incident pages while an ingest
writes to the same database.

The server runs as a real ``incidentwire serve`` process (one uvicorn worker per core, at most
4; access log off);
the ingest is a second process (``incidentwire ingest``) over variants of the bundled sample
news (each a new article: a different id and a changed toll). Every client makes a bounded
number of requests (HTML list, JSON list, HTML incident page, JSON incident) and the whole run
has a time bound. Reported: requests, errors (any non-200 or transport error: the bar is 0),
latency percentiles, throughput, whether the ingest overlapped the reads, server peak RSS.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "news"
EXAMPLES_META = ROOT / "examples" / "news.metadata.jsonl"
CLI = [sys.executable, "-m", "incidentwire.cli"]
TIME_BOUND_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _variants(folder: Path, copies: int) -> int:
    """Write ``copies`` variants of each sample article (new ids, tolls shifted) to ``folder``."""
    folder.mkdir(parents=True)
    n = 0
    for src in sorted(EXAMPLES.iterdir()):
        text = src.read_text(encoding="utf-8")
        for k in range(1, copies + 1):
            changed = re.sub(r"\b(\d{1,3})\b(?= (?:people|killed|dead|injured|wounded))",
                             lambda m: str(int(m.group(1)) + k), text)
            (folder / f"{src.stem}-v{k}{src.suffix}").write_text(changed, encoding="utf-8")
            n += 1
    return n


def _wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


async def _clients(url: str, ids: list[str], clients: int, per_client: int) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    paths = ["/", "/api/incidents?per_page=50", "/incidents/{id}", "/api/incidents/{id}"]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def one(n: int) -> None:
            rnd = random.Random(n)
            for i in range(per_client):
                path = paths[(n + i) % len(paths)].format(id=rnd.choice(ids))
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    if r.status_code != 200:
                        errors.append(f"{path}: HTTP {r.status_code}")
                except httpx.HTTPError as e:
                    errors.append(f"{path}: {type(e).__name__}")
                latencies.append(time.perf_counter() - t0)
        await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(clients))), TIME_BOUND_S)
    return latencies, errors


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """A process and its children (uvicorn's worker processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(k) for k in children.read_text().split()] if children.exists() else []
    return [pid, *(p for k in kids for p in _tree(k))]


def _tree_cpu_s(pid: int) -> float:
    return sum(_cpu_s(p) for p in _tree(pid))


def _articles(url: str) -> int:
    return httpx.get(f"{url}/api/health", timeout=30).json()["counts"]["articles"]


def run(args) -> dict:
    quick = getattr(args, "quick", False)
    clients, per_client, copies = 200, (2 if quick else 5), (2 if quick else 6)
    workers = min(4, os.cpu_count() or 1)
    tmp = Path(tempfile.mkdtemp(prefix="iw-bench-web-"))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    server = ingest = None
    try:
        db = tmp / "web.db"
        subprocess.run([*CLI, "--db", str(db), "ingest", "--metadata", str(EXAMPLES_META), str(EXAMPLES)],
                       check=True, capture_output=True, env=env)
        ids = [i["id"] for i in json.loads(subprocess.run([*CLI, "--db", str(db), "incidents", "--json"],
                                                          check=True, capture_output=True, env=env).stdout)]
        n_new = _variants(tmp / "more", copies)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        # keep-alive longer than a starved client can take to send its next request, so a
        # connection is never closed under a request in flight
        server = subprocess.Popen([*CLI, "--db", str(db), "serve", "--port", str(port), "--log-level", "warning",
                                   "--timeout-keep-alive", "60", "--workers", str(workers)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _wait_until_up(url, server)
        before = _articles(url)
        ingest = subprocess.Popen([*CLI, "--db", str(db), "ingest", str(tmp / "more")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 120
        while _articles(url) == before and ingest.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)          # reads start once the ingest is writing
        at_start = _articles(url)
        load_before, cpu_before = os.getloadavg()[0], _tree_cpu_s(server.pid)
        t0 = time.perf_counter()
        latencies, errors = asyncio.run(_clients(url, ids, clients, per_client))
        reads_s = time.perf_counter() - t0
        server_cpu_s = _tree_cpu_s(server.pid) - cpu_before
        written_during_reads = _articles(url) - at_start
        ingest_rc = ingest.wait(TIME_BOUND_S)
        rss = round(sum(_peak_rss_mb(pid) or 0 for pid in _tree(server.pid)), 1)
    finally:
        for proc in (ingest, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    if errors:
        print(f"  first errors: {errors[:5]}")
    return {"clients": clients, "server_workers": workers, "requests": len(latencies), "errors": len(errors),
            "p50_ms": _pct(latencies, 50), "p95_ms": _pct(latencies, 95), "p99_ms": _pct(latencies, 99),
            "max_ms": round(1000 * max(latencies), 1), "requests_per_s": round(len(latencies) / reads_s, 1),
            "reads_wall_s": round(reads_s, 2), "ingest_articles": n_new, "ingest_exit_status": ingest_rc,
            "articles_ingested_during_reads": written_during_reads, "server_peak_rss_mb": rss,
            # the machine's load and the server's own CPU per request tell contention from cost
            "server_cpu_ms_per_request": round(1000 * server_cpu_s / max(1, len(latencies)), 1),
            "loadavg_1m_at_start": round(load_before, 2), "cpus": os.cpu_count()}


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    print(json.dumps(run(ap.parse_args()), indent=2))
