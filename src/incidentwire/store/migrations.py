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


def m_ingest_quarantine_dedup_language(conn: Connection) -> None:
    """Article author, language and story grouping (dedup.py); quarantine kind and retry path on
    rejects, one row per source (re-reading a bad file updates its row instead of adding one);
    incidents whose fields await reconciling, so a killed run is finished by the next one."""
    blob = "BYTEA" if conn.dialect.name == "postgresql" else "BLOB"
    for statement in (
        "ALTER TABLE articles ADD COLUMN author TEXT",
        "ALTER TABLE articles ADD COLUMN language TEXT",
        "ALTER TABLE articles ADD COLUMN story_id TEXT",
        "ALTER TABLE articles ADD COLUMN duplicate_of TEXT",
        "ALTER TABLE articles ADD COLUMN text_key TEXT",
        f"ALTER TABLE articles ADD COLUMN minhash {blob}",
        "CREATE INDEX articles_story ON articles(story_id)",
        "ALTER TABLE rejects ADD COLUMN kind TEXT",
        "ALTER TABLE rejects ADD COLUMN path TEXT",
        "DELETE FROM rejects WHERE id NOT IN (SELECT MAX(id) FROM rejects GROUP BY source)",
        "CREATE UNIQUE INDEX rejects_source ON rejects(source)",
        "CREATE TABLE incidents_pending (id TEXT PRIMARY KEY)",
    ):
        conn.execute(text(statement))


MIGRATIONS = [m001_initial, m_ingest_quarantine_dedup_language]
