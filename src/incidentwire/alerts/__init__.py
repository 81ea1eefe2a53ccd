"""Alerts: rules over what changed in the store, delivered to sinks through a persisted outbox.

    from incidentwire.alerts import load_config, evaluate, record, deliver_due, build_sinks
    config = load_config("alerts.toml")          # or None: the default rules
    alerts = evaluate(store, config)             # what the rules fire for what is stored
    record(store, alerts)                        # new ones into the outbox (idempotent)
    deliver_due(store, build_sinks(config.sinks, config.sender))

Modules: :mod:`.events` (candidates replayed from the store), :mod:`.rules` (configuration and
matching), :mod:`.formats` (CAP 1.2, Atom, JSON), :mod:`.sinks` (plugin point and built-in
sinks), :mod:`.outbox` (at-least-once delivery).
"""

from __future__ import annotations

import json

from sqlalchemy import text

from .events import Alert, candidates
from .formats import FORMATS, atom_feed, render, to_cap, validate_cap
from .outbox import deliver_due, outbox_rows, record, requeue_dead, stored_alerts
from .rules import DEFAULT_RULES, AlertConfig, Rule, load_config
from .sinks import build_sinks, register_sink, sign, verify_signature

__all__ = ["Alert", "AlertConfig", "Rule", "DEFAULT_RULES", "FORMATS", "load_config", "evaluate", "record",
           "deliver_due", "build_sinks", "register_sink", "render", "to_cap", "validate_cap", "atom_feed",
           "feed_for_store", "stored_alerts", "outbox_rows", "requeue_dead", "sign", "verify_signature"]


def evaluate(store, config: AlertConfig | None = None, incident_ids=None) -> list[Alert]:
    """The alerts the configured rules fire for what is stored, in publication order.

    An update (toll revision, type change, group named) references the incident's first alert;
    a level change references the region's previous level alert. ``incident_ids`` limits the
    incident replay to those incidents (level changes are always evaluated)."""
    config = config or AlertConfig()
    routed = config.route(candidates(store, incident_ids,
                                     config.activity if config.wants_computed_levels else None))
    first_of_incident: dict[str, dict] = {}
    last_level: dict[tuple, Alert] = {}
    told = _told_before_merge(store)
    kept: list[Alert] = []
    for alert in routed:
        if alert.kind == "level_change":
            key = ((alert.region or {}).get("key"), alert.fields.get("source_kind"))
            if key in last_level:
                prev = last_level[key]
                alert.references = [{"id": prev.id, "sent": prev.sent}]
            last_level[key] = alert
        elif alert.incident_id in first_of_incident:
            alert.references = [dict(first_of_incident[alert.incident_id])]
        elif alert.kind == "new_incident" and alert.incident_id in told:
            first_of_incident[alert.incident_id] = told[alert.incident_id]
            continue   # told already, as an incident since merged into this one
        else:
            first_of_incident[alert.incident_id] = {"id": alert.id, "sent": alert.sent}
        kept.append(alert)
    return kept


def _told_before_merge(store) -> dict[str, dict]:
    """{incident id: the recorded new-incident alert (id, sent) of an incident merged into it},
    for the incidents whose own new-incident alert was not recorded: that alert told the event
    already, and the merged incident's updates reference it. (An incident whose own alert went
    out too keeps both: each told the event before the merge.)"""
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            _SURVIVORS + "SELECT a.id, a.alert_json, s.kept FROM alerts a JOIN survivors s ON s.gone = a.incident_id "
            "WHERE a.kind = 'new_incident' ORDER BY a.seq")).all()
        own = set(conn.execute(text("SELECT incident_id FROM alerts WHERE kind = 'new_incident'")).scalars()
                  ) if rows else set()
    out: dict[str, dict] = {}
    for alert_id, alert_json, now in rows:
        if now not in own:
            out.setdefault(now, {"id": alert_id, "sent": json.loads(alert_json)["sent"]})
    return out


# Each merged-away incident and the incident it finally became (following chains of merges; the
# depth cap only guards against a cycle no code writes), in one query for SQLite and PostgreSQL.
_SURVIVORS = """WITH RECURSIVE chain(gone, kept, depth) AS (
    SELECT gone, kept, 1 FROM incident_merges
    UNION ALL SELECT c.gone, m.kept, c.depth + 1 FROM chain c JOIN incident_merges m ON m.gone = c.kept
    WHERE c.depth < 64),
survivors AS (SELECT gone, kept FROM chain c WHERE NOT EXISTS (SELECT 1 FROM incident_merges m WHERE m.gone = c.kept))
"""


def feed_for_store(store, limit: int = 100, self_url: str | None = None) -> str:
    """An Atom feed of the alerts recorded in the store, newest first (for ``/api``)."""
    return atom_feed(stored_alerts(store, limit=limit), self_url=self_url)
