"""Kill -9 in the middle of ingesting a folder of 5,000 files, run the same command again:
the database ends with the same contents as an uninterrupted run (compared table by table,
leaving out only timestamps and autoincrement row ids)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "incidentwire.cli"]
N_FILES = 5000
TOPICS = ["council approves budget for new parks", "school opens library wing", "team wins regional final",
          "bakery celebrates fifty years", "museum extends opening hours", "bridge repairs finish early"]
# Tables and the columns that legitimately differ between two runs (clock times, row ids).
VOLATILE = {"articles": {"ingested_at"}, "rejects": {"id", "at"}, "claims": {"id"}, "incidents": {"updated_at"},
            "mentions": set(), "incidents_pending": set(), "incident_values": set()}


def _make_corpus(folder: Path) -> None:
    rng = random.Random(5)
    for i in range(N_FILES):
        sub = folder / f"d{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 250 == 7:   # a few real incident reports, some syndicated twice
            text = (f"Gunmen attacked a police checkpoint in Peshawar on 12 March 2021, killing {i % 9 + 2} "
                    "officers and wounding four others, police said. The attackers fled after a gunfight.")
        elif i % 500 == 3:
            (sub / f"bad{i}.jsonl").write_text('{"doc_id": "x' + str(i) + '", "text": "ok"}\n{broken\n')
            continue
        elif i % 700 == 5:
            (sub / f"bin{i}.txt").write_bytes(b"\x00\x01\x02" * 10)
            continue
        else:
            text = f"{rng.choice(TOPICS).capitalize()} in town {i}."
        (sub / f"f{i:05d}.txt").write_text(text)


def _run(db: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(CLI + ["--db", str(db), "ingest", str(folder)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _dump(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    out = {}
    for table, volatile in VOLATILE.items():
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in volatile]
        if cols:
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = sorted(con.execute(f"SELECT {quoted} FROM {table}").fetchall(), key=repr)
    con.close()
    return out


def _articles(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_kill_minus_nine_then_rerun_gives_the_uninterrupted_database(tmp_path):
    folder = tmp_path / "news"
    _make_corpus(folder)
    whole, resumed = tmp_path / "whole.db", tmp_path / "resumed.db"
    assert _run(whole, folder).wait(timeout=300) == 1   # exit 1: some inputs were quarantined

    proc = _run(resumed, folder)
    deadline = time.monotonic() + 240
    while _articles(resumed) < N_FILES // 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _articles(resumed)
    assert 0 < killed_at < _articles(whole)
    again = _run(resumed, folder)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 1 and b"Traceback" not in stderr

    expected, got = _dump(whole), _dump(resumed)
    assert len(expected["articles"]) > 4000 and expected["incidents"] and expected["rejects"]
    for table in expected:
        assert got[table] == expected[table], f"{table} differs after kill -9 at {killed_at} articles"
