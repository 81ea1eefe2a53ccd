"""Alerts and watch mode: how fast rules are evaluated, CAP rendered and validated, webhooks
delivered, and how long a watched folder takes from a dropped article to a delivered alert.

Runs on the bundled sample corpus (examples/news) and the shared seeds; everything is local
(SQLite file, an HTTP receiver on 127.0.0.1).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _count(store, sql: str) -> int:
    from sqlalchemy import text
    with store.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def run(args) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import incidentwire
    from incidentwire import alerts
    from incidentwire.watch import Watcher

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = incidentwire.open(tmp / "bench.db")
        db.ingest([ROOT / "examples" / "news"], metadata=ROOT / "examples" / "news.metadata.jsonl")
        rounds = 2 if args.quick else 10
        t0 = time.perf_counter()
        for _ in range(rounds):
            found = alerts.evaluate(db.store)
        out["alerts_evaluate_ms"] = round((time.perf_counter() - t0) / rounds * 1000, 1)
        out["alerts_fired"] = len(found)
        out["incidents"] = len(db.store.incidents())
        t0 = time.perf_counter()
        for _ in range(rounds):
            for a in found:
                alerts.to_cap(a)
        out["cap_validated_alerts_per_s"] = round(rounds * len(found) / (time.perf_counter() - t0), 1)

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/hook"
        try:
            config = alerts.AlertConfig(rules=[alerts.Rule("all", "new_incident", sinks=["hook"])],
                                        sinks={"hook": {"type": "webhook", "url": url, "secret": "x"}})
            alerts.record(db.store, alerts.evaluate(db.store, config))
            sinks = alerts.build_sinks(config.sinks)
            t0 = time.perf_counter()
            counts = alerts.deliver_due(db.store, sinks)
            out["webhook_deliveries_per_s"] = round(counts["delivered"] / (time.perf_counter() - t0), 1)

            seeds = Path(args.shared) / "corpus" / "seeds"
            inbox = tmp / "inbox"
            inbox.mkdir()
            wdb = incidentwire.open(tmp / "watch.db")
            watcher = Watcher(wdb.store, [inbox], config, metadata=seeds.parent / "seeds.metadata.jsonl",
                              interval=0.05)
            watcher.fire(None)          # warm: the gazetteer loads once per process
            thread = threading.Thread(target=watcher.run)
            thread.start()
            latencies = []
            for n, seed in enumerate(sorted(seeds.glob("*.txt")), 1):
                t0 = time.perf_counter()
                shutil.copyfile(seed, inbox / seed.name)
                # ingested, linked, alerts fired and every one delivered
                while (_count(wdb.store, "SELECT COUNT(*) FROM watch_files") < n
                       or alerts.outbox_rows(wdb.store, "pending")) and time.perf_counter() - t0 < 30:
                    time.sleep(0.01)
                latencies.append(time.perf_counter() - t0)
            watcher.stop()
            thread.join(30)
            out["watch_drop_to_delivered_s_median"] = round(sorted(latencies)[len(latencies) // 2], 3)
            out["watch_drop_to_delivered_s_max"] = round(max(latencies), 3)
        finally:
            server.shutdown()
    return out
