"""Concurrent use: one writer while readers query through the API, on a real file (SQLite WAL)
and on the PostgreSQL server; no reader errors, no lost writes, counts only ever grow."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from conftest import EXAMPLES, EXAMPLES_META
from test_store import _synthetic

import incidentwire

N_WRITES = 200


def _readers(url: str, stop: threading.Event, errors: list, seen: list, n: int = 3) -> list[threading.Thread]:
    def read() -> None:
        db = incidentwire.open(url)
        last = 0
        try:
            while not stop.is_set():
                page = db.search(country="testland", per_page=10, with_mentions=False)
                db.aggregate("month")
                db.incidents(text="attack", limit=5)
                if page.total < last:
                    errors.append(f"count went back from {last} to {page.total}")
                last = page.total
                seen.append(page.total)
                time.sleep(0.02)     # leave the writer CPU on a 2-core machine
        except Exception as e:  # noqa: BLE001 - any reader failure fails the test below
            errors.append(repr(e))
        finally:
            db.store.close()
    threads = [threading.Thread(target=read) for _ in range(n)]
    for t in threads:
        t.start()
    return threads


def test_writer_and_readers_in_threads(store_url):
    db = incidentwire.open(store_url)
    stop, errors, seen = threading.Event(), [], []
    readers = _readers(store_url, stop, errors, seen)
    for inc in _synthetic(N_WRITES):         # one transaction per incident, as ingest does
        db.store.save_incident(inc)
    stop.set()
    for t in readers:
        t.join(60)
    assert errors == []
    assert len(seen) > 3, "readers never overlapped the writer"
    assert db.search(country="testland").total == N_WRITES
    assert sum(r["incidents"] for r in db.aggregate("month")) == N_WRITES
    db.store.close()


def test_ingest_process_while_readers_query(store_url):
    """A real ``incidentwire --db URL ingest`` in another process while this one reads the same
    database (on PostgreSQL this is also the CLI's ``--db postgresql://...`` working end to end)."""
    incidentwire.open(store_url).store.close()
    stop, errors, seen = threading.Event(), [], []
    readers = _readers(store_url, stop, errors, seen, n=2)
    result = subprocess.run([sys.executable, "-m", "incidentwire.cli", "--db", store_url, "ingest",
                             "--metadata", str(EXAMPLES_META), str(EXAMPLES)], capture_output=True, text=True,
                            timeout=300)
    stop.set()
    for t in readers:
        t.join(60)
    assert result.returncode == 0, result.stderr
    assert errors == [] and seen
    db = incidentwire.open(store_url)
    # 22 link_terms; MUC-4 lexicon claims; 20 act_types
    assert db.store.counts() == {"articles": 15, "mentions": 21, "claims": 244, "incidents": 9, "rejects": 0}
    listed = subprocess.run([sys.executable, "-m", "incidentwire.cli", "--db", store_url, "incidents", "--json",
                             "--country", "France"], capture_output=True, text=True, timeout=120)
    assert [r["id"] for r in json.loads(listed.stdout)] == [i.id for i in db.incidents(country="France")]
    db.store.close()
