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


MIGRATIONS = [m001_initial]
