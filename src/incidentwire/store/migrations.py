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


def m_review_audit_tokens(conn: Connection) -> None:
    """Analyst review (review.py): analyst claims beside the extracted ones, an append-only audit
    log (the database refuses UPDATE and DELETE on it), and hashed API tokens for write access."""
    for ddl in (
        """CREATE TABLE analyst_claims (
            id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, field TEXT NOT NULL,
            value_json TEXT, note TEXT, who TEXT NOT NULL, at TEXT NOT NULL, audit_id INTEGER,
            retracted_by INTEGER)""",
        "CREATE INDEX analyst_claims_incident ON analyst_claims(incident_id)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL,
            action TEXT NOT NULL, incidents TEXT NOT NULL, detail_json TEXT, undoes INTEGER)""",
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL, revoked_at TEXT)""",
    ):
        conn.execute(text(ddl.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "SERIAL PRIMARY KEY")
                          if conn.dialect.name == "postgresql" else ddl))
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(f"CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
                              "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text("CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
                          "RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql"))
        conn.execute(text("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                          "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"))


MIGRATIONS = [m001_initial, m_review_audit_tokens]
