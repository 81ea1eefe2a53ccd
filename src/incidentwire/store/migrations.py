"""Numbered schema migrations, applied once each, in order (the llm / sqlite-utils way).

A database records the migrations it has had in ``migrations``; opening an older database
applies the missing ones. Never edit a released migration: append a new one.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection


def m001_initial(conn: Connection) -> None:
    for ddl in (
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY, source TEXT, content_hash TEXT NOT NULL, raw BLOB,
            format TEXT, text TEXT, clean_text TEXT, title TEXT, publisher TEXT, url TEXT,
            published TEXT, published_basis TEXT, relevant INTEGER, relevance_reason TEXT,
            dropped_json TEXT, ingested_at TEXT)""",
        "CREATE INDEX articles_hash ON articles(content_hash)",
        """CREATE TABLE rejects (
            id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT, reason TEXT, at TEXT)""",
        """CREATE TABLE incidents (
            id TEXT PRIMARY KEY, fields_json TEXT, updated_at TEXT)""",
        """CREATE TABLE mentions (
            key TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
            idx INTEGER, role TEXT, incident_id TEXT, published TEXT)""",
        "CREATE INDEX mentions_incident ON mentions(incident_id)",
        "CREATE INDEX mentions_article ON mentions(article_id)",
        """CREATE TABLE claims (
            id INTEGER PRIMARY KEY AUTOINCREMENT, mention_key TEXT NOT NULL REFERENCES mentions(key),
            article_id TEXT, field TEXT, value_json TEXT, start INTEGER, "end" INTEGER,
            quote TEXT, extractor TEXT, confidence REAL)""",
        "CREATE INDEX claims_mention ON claims(mention_key)",
    ):
        conn.execute(text(ddl))



def m_alerts_threat_levels_outbox_watch(conn: Connection) -> None:
    """Official threat-level claims (threat.py), persisted alerts with their delivery outbox
    (alerts/), and the files ``incidentwire watch`` has ingested (watch.py)."""
    for ddl in (
        """CREATE TABLE threat_levels (
            article_id TEXT NOT NULL, region_key TEXT, scale TEXT, level TEXT, rank INTEGER,
            date_value TEXT, published TEXT, claim_json TEXT NOT NULL)""",
        "CREATE INDEX threat_levels_article ON threat_levels(article_id)",
        "CREATE INDEX threat_levels_region ON threat_levels(region_key)",
        "CREATE TABLE threat_scanned (article_id TEXT PRIMARY KEY, content_hash TEXT)",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL, incident_id TEXT,
            region_key TEXT, references_id TEXT, created_at TEXT NOT NULL, alert_json TEXT NOT NULL)""",
        "CREATE INDEX alerts_seq ON alerts(seq)",
        """CREATE TABLE alert_outbox (
            alert_id TEXT NOT NULL REFERENCES alerts(id), sink TEXT NOT NULL, state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0,
            last_error TEXT, delivered_at TEXT, PRIMARY KEY (alert_id, sink))""",
        "CREATE INDEX alert_outbox_state ON alert_outbox(state, next_attempt_at)",
        """CREATE TABLE watch_files (
            path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ingested_at TEXT)""",
    ):
        conn.execute(text(ddl))


MIGRATIONS = [m001_initial, m_alerts_threat_levels_outbox_watch]
