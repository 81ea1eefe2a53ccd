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
    first_of_incident: dict[str, Alert] = {}
    last_level: dict[tuple, Alert] = {}
    for alert in routed:
        if alert.kind == "level_change":
            key = ((alert.region or {}).get("key"), alert.fields.get("source_kind"))
            if key in last_level:
                prev = last_level[key]
                alert.references = [{"id": prev.id, "sent": prev.sent}]
            last_level[key] = alert
        elif alert.incident_id in first_of_incident:
            first = first_of_incident[alert.incident_id]
            alert.references = [{"id": first.id, "sent": first.sent}]
        else:
            first_of_incident[alert.incident_id] = alert
    return routed


def feed_for_store(store, limit: int = 100, self_url: str | None = None) -> str:
    """An Atom feed of the alerts recorded in the store, newest first (for ``/api``)."""
    return atom_feed(stored_alerts(store, limit=limit), self_url=self_url)
