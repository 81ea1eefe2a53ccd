"""Watch mode end to end: seeds dropped one by one, alerts through real receivers, crash and resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from alert_receivers import WebhookReceiver
from conftest import SEEDS, SEEDS_META
from lxml import etree
from sqlalchemy import text

import incidentwire
from incidentwire import alerts
from incidentwire.ingest import load_metadata
from incidentwire.reconcile import publication_sort_key
from incidentwire.watch import Watcher

BIN = Path(sys.executable).parent / "incidentwire"


def _seeds_in_publication_order() -> list[Path]:
    meta = load_metadata(SEEDS_META)
    files = sorted(SEEDS.glob("*.txt"))
    return sorted(files, key=lambda f: (publication_sort_key(meta[f.stem]["published"]), f.stem))


def _drop(path: Path, folder: Path) -> None:
    """Copy a file in the way a crawler should: write under a hidden name, then rename."""
    tmp = folder / f".{path.name}.part"
    shutil.copyfile(path, tmp)
    os.replace(tmp, folder / path.name)


def _wait(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _count(store, sql: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _rules(tmp_path: Path, receiver: WebhookReceiver, **webhook) -> Path:
    settings = {"url": receiver.url, "secret": receiver.secret, "backoff_s": 0.05, **webhook}
    lines = ["[sinks.hook]", 'type = "webhook"'] + [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    lines += ["[sinks.cap]", 'type = "cap"', f"dir = {json.dumps(str(tmp_path / 'cap'))}"]
    for name, kind in (("new", "new_incident"), ("toll", "toll_revised"), ("level", "level_change")):
        lines += ["[[rules]]", f'name = "{name}"', f'type = "{kind}"', 'sinks = ["hook", "cap"]']
    path = tmp_path / "rules.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_watch_seeds_in_publication_order_fire_new_update_and_level_alerts(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = incidentwire.open(tmp_path / "watch.db")
    with WebhookReceiver(fail_first=2) as receiver:
        config = alerts.load_config(_rules(tmp_path, receiver))
        fired: list[alerts.Alert] = []
        watcher = Watcher(db.store, [inbox], config, metadata=SEEDS_META, interval=0.05, on_alert=fired.append)
        thread = threading.Thread(target=watcher.run)
        thread.start()
        try:
            for n, seed in enumerate(_seeds_in_publication_order(), 1):
                _drop(seed, inbox)
                _wait(lambda: _count(db.store, "SELECT COUNT(*) FROM watch_files") == n, what=seed.name)
            _wait(lambda: _count(db.store, "SELECT COUNT(*) FROM alert_outbox WHERE state <> 'delivered'") == 0,
                  what="every alert delivered")
        finally:
            watcher.stop()
            thread.join(30)
    assert not thread.is_alive()
    order = fired
    new = next(a for a in order if a.kind == "new_incident" and a.region["name"] == "Almaty"
               and a.fields["date"]["value"] == "2016-07-18")
    update = next(a for a in order if a.kind == "toll_revised" and a.incident_id == new.incident_id)
    level = next(a for a in order if a.kind == "level_change" and a.region["name"] == "Almaty")
    assert new.fields["killed"]["best"] == 4 and update.fields["killed"]["best"] == 6
    assert update.references[0]["id"] == new.id
    assert level.fields["level"] == "red"
    assert order.index(new) < order.index(level) and order.index(new) < order.index(update)
    assert [a.id for a in order].count(new.id) == 1
    assert sum(a.kind == "new_incident" and a.incident_id == new.incident_id for a in order) == 1
    # which seed set each off: the first report, the red level it states, the toll "risen ... to six"
    assert (new.evidence["article_id"], level.evidence["article_id"], update.evidence["article_id"]) == (
        "000_32da9743b0b42fa3", "000_32da9743b0b42fa3", "002_a1dee8471ddf40bb")
    # every alert: a schema-valid CAP file, and the webhook acknowledged it after failing twice
    caps = {etree.parse(str(f)).getroot() for f in (tmp_path / "cap").glob("*.xml")}
    assert len(caps) == len(order)
    for doc in caps:
        alerts.validate_cap(doc)
    assert sorted(receiver.accepted) == sorted(a.id for a in order)
    assert Counter(receiver.keys()) == {a.id: 3 for a in order}
    assert all(r["signed"] for r in receiver.requests)


def _watch(db: Path, inbox: Path, rules: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BIN), "--db", str(db), "watch", str(inbox), "--metadata", str(SEEDS_META),
                             "--rules", str(rules), "--interval", "0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_watch_killed_mid_delivery_resumes_and_sends_nothing_acknowledged_twice(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db_path = tmp_path / "watch.db"
    shutil.copyfile(SEEDS / "000_32da9743b0b42fa3.txt", inbox / "000_32da9743b0b42fa3.txt")
    with WebhookReceiver(hold_request=2) as receiver:
        rules = _rules(tmp_path, receiver)
        first = _watch(db_path, inbox, rules)
        try:
            assert receiver.held.wait(90), "the second delivery never arrived"
            first.kill()                                   # crash while the 2nd alert is in flight
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        receiver.release()
        store = incidentwire.open(db_path).store
        recorded = [r["alert_id"] for r in alerts.outbox_rows(store) if r["sink"] == "hook"]
        delivered_before = [r["alert_id"] for r in alerts.outbox_rows(store, "delivered") if r["sink"] == "hook"]
        assert len(recorded) >= 3 and delivered_before == recorded[:1]
        second = _watch(db_path, inbox, rules)
        try:
            _wait(lambda: not alerts.outbox_rows(store, "pending"), what="the restarted watcher to deliver")
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0                    # clean shutdown on SIGTERM
        finally:
            if second.poll() is None:
                second.kill()
        assert "stopped" in second.stderr.read()
    assert {r["state"] for r in alerts.outbox_rows(store)} == {"delivered"}
    assert sorted(receiver.accepted) == sorted(recorded)           # every alert delivered
    sent = Counter(receiver.keys())
    held = receiver.requests[1]["key"]
    # acknowledged and recorded before the crash: never sent again; the one in flight at the crash
    # was sent again with the same Idempotency-Key, which the receiver used to drop the repeat
    assert sent == {**{k: 1 for k in recorded}, held: 2}
    assert _count(store, "SELECT COUNT(*) FROM articles") == 1      # the file was not ingested twice


def test_watch_follows_appended_jsonl_lines_and_resumes(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    feed = inbox / "wire.jsonl"
    db = incidentwire.open(tmp_path / "watch.db")
    line = {"doc_id": "w1", "published": "2024-03-02",
            "text": "A car bomb exploded in Kabul on Saturday, killing five people, police said."}
    feed.write_text(json.dumps(line) + "\n")
    watcher = Watcher(db.store, [inbox], interval=0.01)
    watcher.poll()
    assert db.store.article_ids() == []                  # waits one poll for the writer to finish
    watcher.poll()
    assert db.store.article_ids() == ["w1"]
    second = dict(line, doc_id="w2", text="Gunmen killed three soldiers in Herat on Sunday.")
    with feed.open("a") as f:
        f.write(json.dumps(second)[:30])                 # a line still being written
    watcher.poll()
    watcher.poll()
    assert db.store.article_ids() == ["w1"] and db.rejects() == []
    with feed.open("a") as f:
        f.write(json.dumps(second)[30:] + "\n")
    watcher.poll()
    watcher.poll()
    assert db.store.article_ids() == ["w1", "w2"]
    # a new watcher on the same database has nothing left to read
    assert Watcher(db.store, [inbox]).ready_files() == []
