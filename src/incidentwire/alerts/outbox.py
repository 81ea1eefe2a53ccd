"""The persisted outbox: at-least-once delivery of alerts to sinks.

:func:`record` stores new alerts (``alerts`` table, id = deterministic alert id) and one outbox
row per (alert, sink) in the same transaction; an alert already recorded is left as it is, so
evaluating the same store twice sends nothing twice. :func:`deliver_due` sends the rows that are
due, oldest alert first, and marks each ``delivered`` in its own transaction as soon as the sink
acknowledges. A failure schedules a retry after ``backoff_s * 2**(attempts-1)`` seconds (capped
at ``max_backoff_s``); after ``max_attempts`` failures the row becomes ``dead`` with the last
error kept (the dead-letter list; :func:`requeue_dead` puts rows back).

Guarantee: an alert a sink acknowledged and the outbox recorded is never sent to that sink
again. If the process dies between a receiver's acknowledgement and that record, the alert is
sent once more after restart with the same ``Idempotency-Key`` (the alert id), which the
receiver uses to drop the repeat: that window is the "at least" of at-least-once.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter

from sqlalchemy import text

from ..errors import DeliveryError
from .events import Alert

STATES = ("pending", "delivered", "dead")


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def record(store, alerts: list[Alert]) -> list[Alert]:
    """Store the alerts not recorded yet, with an outbox row per sink; returns those new ones.
    An alert's references to alerts already recorded take their recorded ``sent`` time."""
    new: list[Alert] = []
    with store.engine.begin() as conn:
        known = {r[0]: r[1] for r in conn.execute(text("SELECT id, created_at FROM alerts"))}
        seq = conn.execute(text("SELECT COALESCE(MAX(seq), 0) FROM alerts")).scalar()
        for alert in alerts:
            if alert.id in known:
                continue
            seq += 1
            conn.execute(text(
                "INSERT INTO alerts (id, seq, kind, incident_id, region_key, references_id, created_at, "
                "alert_json) VALUES (:id, :seq, :kind, :inc, :reg, :ref, :at, :j)"),
                {"id": alert.id, "seq": seq, "kind": alert.kind, "inc": alert.incident_id,
                 "reg": (alert.region or {}).get("key"),
                 "ref": alert.references[0]["id"] if alert.references else None,
                 "at": _now_iso(), "j": json.dumps(alert.to_dict(), ensure_ascii=False)})
            for sink in alert.sinks:
                conn.execute(text("INSERT INTO alert_outbox (alert_id, sink, state, attempts, next_attempt_at) "
                                  "VALUES (:a, :s, 'pending', 0, 0)"), {"a": alert.id, "s": sink})
            known[alert.id] = alert.sent
            new.append(alert)
    return new


def stored_alerts(store, sink: str | None = None, limit: int | None = None) -> list[Alert]:
    """Recorded alerts, oldest first (only those routed to ``sink`` when given)."""
    sql = "SELECT a.alert_json FROM alerts a"
    params: dict = {}
    if sink:
        sql += " JOIN alert_outbox o ON o.alert_id = a.id AND o.sink = :sink"
        params["sink"] = sink
    sql += " ORDER BY a.seq"
    with store.engine.connect() as conn:
        alerts = [Alert.from_dict(json.loads(r[0])) for r in conn.execute(text(sql), params)]
    return alerts[-limit:] if limit else alerts


def outbox_rows(store, state: str | None = None) -> list[dict]:
    """The outbox, oldest alert first: alert_id, sink, state, attempts, last_error, delivered_at."""
    sql = ("SELECT o.alert_id, o.sink, o.state, o.attempts, o.next_attempt_at, o.last_error, o.delivered_at "
           "FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id")
    params = {}
    if state:
        sql += " WHERE o.state = :st"
        params["st"] = state
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql + " ORDER BY a.seq, o.sink"), params).mappings()]


def requeue_dead(store, sink: str | None = None) -> int:
    """Put dead-lettered rows back in the queue (after fixing the receiver); returns how many."""
    sql = "UPDATE alert_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE state = 'dead'"
    params = {}
    if sink:
        sql += " AND sink = :s"
        params["s"] = sink
    with store.engine.begin() as conn:
        return conn.execute(text(sql), params).rowcount


def _due(store, now: float) -> list[tuple[str, str, int, str]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT o.alert_id, o.sink, o.attempts, a.alert_json FROM alert_outbox o "
            "JOIN alerts a ON a.id = o.alert_id WHERE o.state = 'pending' AND o.next_attempt_at <= :now "
            "ORDER BY a.seq, o.sink"), {"now": now})]


def next_due_in(store) -> float | None:
    """Seconds until the next pending row is due (0 if one is due now), None if none pending."""
    with store.engine.connect() as conn:
        t = conn.execute(text("SELECT MIN(next_attempt_at) FROM alert_outbox WHERE state = 'pending'")).scalar()
    return None if t is None else max(0.0, t - time.time())


def deliver_due(store, sinks: dict, stop: threading.Event | None = None) -> Counter:
    """Send every due outbox row; returns counts of delivered, retry and dead rows."""
    counts: Counter = Counter()
    for alert_id, sink_name, attempts, alert_json in _due(store, time.time()):
        if stop is not None and stop.is_set():
            break
        sink = sinks.get(sink_name)
        attempts += 1
        if sink is None:
            _mark(store, alert_id, sink_name, "dead", attempts, 0,
                  f"no sink named {sink_name!r} in the current configuration")
            counts["dead"] += 1
            continue
        try:
            sink.send(Alert.from_dict(json.loads(alert_json)))
        except (DeliveryError, OSError) as e:
            if attempts >= sink.max_attempts:
                _mark(store, alert_id, sink_name, "dead", attempts, 0, f"{e} (after {attempts} attempts)")
                counts["dead"] += 1
            else:
                delay = min(sink.max_backoff_s, sink.backoff_s * 2 ** (attempts - 1))
                _mark(store, alert_id, sink_name, "pending", attempts, time.time() + delay, str(e))
                counts["retry"] += 1
            continue
        _mark(store, alert_id, sink_name, "delivered", attempts, 0, None)
        counts["delivered"] += 1
    return counts


def _mark(store, alert_id: str, sink: str, state: str, attempts: int, next_at: float, error: str | None) -> None:
    keep_error = "" if error is None else "last_error = :err, "   # a success keeps the last failure's reason
    with store.engine.begin() as conn:
        conn.execute(text(
            f"UPDATE alert_outbox SET state = :st, attempts = :n, next_attempt_at = :t, {keep_error}"
            "delivered_at = :d WHERE alert_id = :a AND sink = :s"),
            {"st": state, "n": attempts, "t": next_at, "err": error,
             "d": _now_iso() if state == "delivered" else None, "a": alert_id, "s": sink})
