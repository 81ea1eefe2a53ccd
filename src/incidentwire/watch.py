"""Watch mode: follow folders and files, ingest what arrives, link, and fire alerts.

``Watcher(db, paths, ...).run()`` polls the paths every ``interval`` seconds:

1. new or changed files (folders are walked recursively; the types ``ingest`` reads) are
   ingested, up to ``batch_size`` per pipeline run, each once its size and modification time
   have stayed the same for one poll, so a file still being copied is not read half-written; a
   JSONL file whose last line has no newline yet waits for it. An appended JSONL file is passed whole to the pipeline, which skips the lines
   it already has by content hash;
2. each ingested file is recorded in ``watch_files`` (path, size, mtime) after the pipeline has
   stored it, so a restart resumes where it stopped: unchanged files are not read again, and a
   file ingested just before a crash is a no-op the second time;
3. the incidents the batch touched are replayed through the alert rules, new alerts are
   recorded in the outbox (:mod:`incidentwire.alerts.outbox`), and every due outbox row is
   delivered; retries wait for their backoff without blocking ingestion.

On start, the whole store is evaluated once (alerts recorded before a crash are not recorded
twice) and the outbox is drained. ``stop()`` (the CLI wires SIGTERM and SIGINT to it) ends the
loop after the current batch or delivery: nothing is cut half-way, and the process exits 0.

Polling rather than inotify (watchdog): it works the same on every filesystem, including network
and container mounts where change events are lost, and the cost of a stat per file per second is
negligible next to ingesting one article.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import text

from . import threat
from .alerts import AlertConfig, build_sinks, deliver_due, evaluate, record
from .alerts.events import Alert
from .alerts.outbox import next_due_in
from . import ingest as ingest_stage
from .ingest import load_metadata
from .pipeline import ingest

__all__ = ["Watcher"]

LINE_SUFFIXES = (".jsonl", ".ndjson")     # appended to line by line: wait for a whole line


def readable_suffixes() -> tuple[str, ...]:
    """The file suffixes the ingest stage reads: its source registry where it has one."""
    if hasattr(ingest_stage, "sources"):
        return tuple(sorted({s for src in ingest_stage.sources() for s in src.suffixes}))
    return tuple(sorted(ingest_stage.SUPPORTED))


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Watcher:
    """Follows ``paths`` and keeps the store, the alerts and the sinks up to date."""

    def __init__(self, store, paths: Iterable[str | Path], config: AlertConfig | None = None,
                 metadata: str | Path | None = None, interval: float = 1.0, relevance_filter: bool = True,
                 batch_size: int = 50,
                 on_alert: Callable[[Alert], None] | None = None, on_log: Callable[[str], None] | None = None):
        self.store = store
        self.paths = [Path(p) for p in paths]
        self.config = config or AlertConfig()
        self.metadata_path = Path(metadata) if metadata else None
        self.interval = interval
        self.relevance_filter = relevance_filter
        self.batch_size = batch_size
        self.on_alert = on_alert
        self.log = on_log or (lambda _msg: None)
        self.sinks = build_sinks(self.config.sinks, self.config.sender)
        self._stop = threading.Event()
        self._pending_stat: dict[str, tuple[int, int]] = {}
        self._metadata: tuple[int, dict] | None = None

    def stop(self) -> None:
        """Ask the loop to end after the current step (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # ----------------------------------------------------------------------- files
    def _files(self) -> list[Path]:
        out = []
        suffixes = readable_suffixes()
        for p in self.paths:
            if p.is_dir():
                out += sorted(c for c in p.rglob("*") if c.is_file()
                              and not any(part.startswith(".") for part in c.relative_to(p).parts)
                              and c.name.lower().removesuffix(".gz").endswith(suffixes))
            elif p.is_file():
                out.append(p)
        return out

    def _seen(self) -> dict[str, tuple[int, int]]:
        with self.store.engine.connect() as conn:
            return {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT path, size, mtime_ns FROM watch_files"))}

    def ready_files(self) -> list[tuple[Path, tuple[int, int]]]:
        """Files that are new or changed and have been stable for one poll."""
        seen = self._seen()
        ready = []
        for f in self._files():
            try:
                st = f.stat()
            except OSError:
                continue
            key, stat = str(f.resolve()), (st.st_size, st.st_mtime_ns)
            if seen.get(key) == stat:
                continue
            if self._pending_stat.get(key) != stat:
                self._pending_stat[key] = stat          # wait one poll for the writer to finish
                continue
            if f.name.lower().endswith(LINE_SUFFIXES) and st.st_size and not _ends_with_newline(f):
                continue
            ready.append((f, stat))
        return ready

    def _meta(self) -> dict | None:
        if self.metadata_path is None or not self.metadata_path.is_file():
            return None
        mtime = self.metadata_path.stat().st_mtime_ns
        if self._metadata is None or self._metadata[0] != mtime:
            self._metadata = (mtime, load_metadata(self.metadata_path))
        return self._metadata[1]

    def _mark(self, path: Path, stat: tuple[int, int]) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(text("INSERT INTO watch_files (path, size, mtime_ns, ingested_at) VALUES (:p, :s, :m, :at) "
                              "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                              "ingested_at = excluded.ingested_at"),
                         {"p": str(path.resolve()), "s": stat[0], "m": stat[1], "at": _now_iso()})

    # ----------------------------------------------------------------------- steps
    def ingest_ready(self) -> set[str]:
        """Ingest the files that are ready, up to ``batch_size`` per pipeline run (the linker loads
        the known mentions once per run); returns the incidents touched."""
        touched: set[str] = set()
        ready = self.ready_files()
        for i in range(0, len(ready), self.batch_size):
            if self.stopping:
                break
            batch = ready[i:i + self.batch_size]
            started = _now_iso()
            report = ingest(self.store, [p for p, _ in batch], self._meta(), relevance_filter=self.relevance_filter)
            for path, stat in batch:
                self._mark(path, stat)
            touched |= _incidents_saved_since(self.store, started)
            self.log(f"ingested {', '.join(p.name for p, _ in batch)}: {report.summary()}")
        return touched

    def fire(self, incident_ids: set[str] | None) -> list[Alert]:
        """Evaluate the rules (for the given incidents, all when None) and record new alerts."""
        threat.refresh(self.store)
        new = record(self.store, evaluate(self.store, self.config, incident_ids))
        for alert in new:
            self.log(f"alert {alert.id}: {alert.headline}")
            if self.on_alert:
                self.on_alert(alert)
        return new

    def deliver(self):
        counts = deliver_due(self.store, self.sinks, self._stop)
        if counts:
            self.log("delivery: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        return counts

    def poll(self) -> None:
        """One round: ingest what is ready, fire alerts for what changed, deliver what is due."""
        touched = self.ingest_ready()
        if touched:
            self.fire(touched)
        if not self.stopping:
            self.deliver()

    def run(self) -> None:
        """Poll until :meth:`stop`; resumes whatever a previous run left unfinished."""
        self.log(f"watching {', '.join(map(str, self.paths))}")
        try:
            self.fire(None)
            while not self.stopping:
                self.poll()
                due = next_due_in(self.store)
                self._stop.wait(self.interval if due is None else min(self.interval, max(due, 0.01)))
        finally:
            for sink in self.sinks.values():
                sink.close()
            self.log("stopped")


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(-1, 2)
        return f.read(1) == b"\n"


def _incidents_saved_since(store, started: str) -> set[str]:
    """Incidents the pipeline saved since ``started`` (it stamps every incident it touches)."""
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT id FROM incidents WHERE updated_at >= :t"), {"t": started})}
