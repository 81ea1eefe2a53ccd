"""Executors: where the per-article stages (clean, relevance, extract) run.

One interface, three implementations (httpx-transport style):

* ``InlineExecutor``: in this process, one partition after another (the default; no start-up
  cost, what tests and small ingests want);
* ``LocalExecutor(workers)``: a pool of worker processes on this machine;
* ``DaskExecutor(scheduler, workers)``: a Dask distributed cluster, either the one whose
  scheduler address is given (``tcp://host:8786``) or a ``LocalCluster`` started for the run.

``Executor.imap(fn, partitions)`` applies ``fn`` to each partition (a list of articles) on the
engine and yields ``(partition, result)`` **in input order**, whatever order the workers finish
in. The pipeline links and stores the results in that order, so the same corpus gives the same
database on every executor. At most ``in_flight`` partitions are out at once, so a corpus of any
size streams through in bounded memory.

Each worker process loads trafilatura, and the gazetteer when the run extracts, once
(``warm_up``), not once per task. An executor made with ``extracting=False`` (``ingest
--extractor none``) skips the gazetteer: ~5 s of CPU per worker that such a run never uses (an
extraction on it later still works: the gazetteer then loads on first use).

Dask is an optional dependency: ``pip install incidentwire[scale]`` (``dask[distributed]``); it
is imported only when a Dask executor is made. Workers of a remote cluster need the same
incidentwire version installed (see docs/scale.md).
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .errors import EngineError

__all__ = ["Executor", "InlineExecutor", "LocalExecutor", "DaskExecutor", "make_executor", "warm_up",
           "EXECUTORS", "database_fingerprint"]

EXECUTORS = ("inline", "local", "dask")


def warm_up(extracting: bool = True) -> int:
    """Load what every per-article task needs (trafilatura; the gazetteer when ``extracting``)
    once per process; returns the process id. Run in each worker when the executor starts."""
    from .clean import clean_html

    if extracting:
        from .extract.gazetteer import _gazetteer

        _gazetteer()
    clean_html("<html><body><p>warm up</p></body></html>")
    return os.getpid()


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Executor(ABC):
    """Runs a function over partitions, yielding results in input order."""

    name = "executor"
    workers = 1
    in_flight = 1
    task_size: int | None = None  # articles a task at most (None: the pipeline's partition size)

    def imap(self, fn: Callable[[list], Any], partitions: Iterable[list]) -> Iterator[tuple[list, Any]]:
        """``(partition, fn(partition))`` for each partition, in order, with at most
        ``in_flight`` partitions submitted and not yet yielded."""
        window: deque = deque()
        for part in partitions:
            window.append((part, self._submit(fn, part)))
            if len(window) >= self.in_flight:
                done, handle = window.popleft()
                yield done, self._result(handle)
        while window:
            done, handle = window.popleft()
            yield done, self._result(handle)

    @abstractmethod
    def _submit(self, fn: Callable, part: list) -> Any: ...

    @abstractmethod
    def _result(self, handle: Any) -> Any: ...

    def close(self) -> None:
        """Release workers (no-op for the inline executor)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"


class InlineExecutor(Executor):
    """Runs each partition in this process when its result is asked for."""

    name = "inline"

    def _submit(self, fn, part):
        return fn, part

    def _result(self, handle):
        fn, part = handle
        return fn(part)


class LocalExecutor(Executor):
    """A pool of worker processes on this machine (``forkserver``: no inherited threads or
    open database connections)."""

    name = "local"
    # Small tasks: the worker that finishes first idles until the other ends its last task,
    # which at 32 articles a task (~0.3 s) cost ~4% of a 400-page ingest on 2 cores; a task
    # of 8 costs the ingesting process nothing more (it still stores 32 at a time).
    task_size = 8

    def __init__(self, workers: int | None = None, extracting: bool = True):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        self.workers = workers or default_workers()
        self.in_flight = 4 * self.workers + 1  # small tasks: more of them queued
        ctx = multiprocessing.get_context("forkserver")
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx,
                                         initializer=partial(warm_up, extracting))
        # start (and warm) every worker now, not on the first partitions of the run
        for started in [self._pool.submit(time.sleep, 0.05) for _ in range(self.workers)]:
            started.result()

    def _submit(self, fn, part):
        return self._pool.submit(fn, part)

    def _result(self, handle):
        return handle.result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class DaskExecutor(Executor):
    """Partitions as Dask futures on a distributed cluster.

    With ``scheduler`` (``tcp://host:8786``) it connects to a running cluster; without, it
    starts a ``LocalCluster`` of ``workers`` single-threaded worker processes for this run
    (the extraction code is pure Python: threads would share one GIL)."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, timeout: str = "30s",
                 extracting: bool = True):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("the Dask executor needs the scale extra: pip install 'incidentwire[scale]'") from None
        self._cluster = None
        try:
            if scheduler:
                self._client = Client(scheduler, timeout=timeout)
            else:
                self._cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                                             processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as e:
            self.close()
            raise EngineError(f"cannot reach Dask scheduler {scheduler or '(local cluster)'}: {e}") from None
        self.scheduler = scheduler
        self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                  self._client.scheduler_info()["workers"].values()))
        self.in_flight = 2 * self.workers + 1
        self._client.run(warm_up, extracting)

    def _submit(self, fn, part):
        return self._client.submit(fn, part, pure=False)

    def _result(self, handle):
        try:
            return handle.result()
        finally:
            handle.release()

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> str:
        where = self.scheduler or "local cluster"
        return f"dask at {where} ({self.workers} worker thread{'s' if self.workers != 1 else ''})"


def make_executor(name: str = "inline", workers: int | None = None, scheduler: str | None = None,
                  timeout: str = "30s", extracting: bool = True) -> Executor:
    """An executor by name: ``inline``, ``local`` (``workers`` processes, default: all cores) or
    ``dask`` (``scheduler`` address, reached within ``timeout``, or a LocalCluster of
    ``workers`` processes). ``extracting=False``: its workers do not load the gazetteer."""
    if name == "inline":
        return InlineExecutor()
    if name == "local":
        return LocalExecutor(workers, extracting) if (workers or default_workers()) > 1 else InlineExecutor()
    if name == "dask":
        return DaskExecutor(scheduler, workers, timeout, extracting)
    raise EngineError(f"unknown executor {name!r}: choose one of {', '.join(EXECUTORS)}")


# Columns that record when a row was written, not what ingest decided.
_CLOCK_COLUMNS = {"ingested_at", "updated_at", "at", "applied_at"}


def database_fingerprint(store) -> str:
    """SHA-256 over every row of every table of ``store`` (in key order, without the wall-clock
    columns): two ingests of the same corpus on different executors must give the same value."""
    import hashlib
    import json

    from sqlalchemy import inspect, text

    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            cols = [c["name"] for c in inspect(conn).get_columns(table) if c["name"] not in _CLOCK_COLUMNS]
            quoted = ", ".join(f'"{c}"' for c in cols)
            digest.update(f"\x00{table}\x00".encode())
            for row in conn.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY {quoted}')):
                digest.update(json.dumps([v.hex() if isinstance(v, bytes) else v for v in row]).encode())
    return digest.hexdigest()
