"""Numbered schema migrations, applied once each, in order (the llm / sqlite-utils way).

A database records the migrations it has had in ``migrations``; opening an older database
applies the missing ones. Never edit a released migration: append a new one.

The DDL is written once in SQLite's dialect and run through :func:`ddl`, which translates the
few types PostgreSQL spells differently (BLOB, REAL, AUTOINCREMENT keys); what only one backend
has (FTS5, tsvector, JSONB) is branched on ``conn.dialect.name``.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .columns import QUERY_COLUMNS, list_values, query_columns

_POSTGRES_TYPES = ((r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b", "BIGSERIAL PRIMARY KEY"),
                   (r"\bBLOB\b", "BYTEA"), (r"\bREAL\b", "DOUBLE PRECISION"))


def ddl(conn: Connection, sql: str) -> None:
    """Run one DDL statement written for SQLite on whichever backend ``conn`` is."""
    if conn.dialect.name == "postgresql":
        for pattern, replacement in _POSTGRES_TYPES:
            sql = re.sub(pattern, replacement, sql)
    conn.execute(text(sql))


def m001_initial(conn: Connection) -> None:
    for statement in (
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
        ddl(conn, statement)


def m002_incident_query_columns(conn: Connection) -> None:
    """Indexed columns for the incident filters, kept in sync by Store.save_incident, and one
    row per perpetrator / target / weapon / victim in incident_values."""
    for name, sql_type in QUERY_COLUMNS:
        ddl(conn, f"ALTER TABLE incidents ADD COLUMN {name} {sql_type}")
    ddl(conn, "ALTER TABLE incidents ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0")
    ddl(conn, """CREATE TABLE incident_values (
        incident_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, value_key TEXT NOT NULL)""")
    for statement in (
        "CREATE INDEX incident_values_key ON incident_values(field, value_key)",
        "CREATE INDEX incident_values_incident ON incident_values(incident_id)",
        # region + date range is the common analyst query: one index serves country alone,
        # country + admin1, and both with a date range
        "CREATE INDEX incidents_region_date ON incidents(lower(country), lower(admin1), date_start)",
        "CREATE INDEX incidents_admin1_date ON incidents(lower(admin1), date_start)",
        "CREATE INDEX incidents_city ON incidents(lower(city))",
        "CREATE INDEX incidents_date ON incidents(date_start)",
        "CREATE INDEX incidents_attack_type ON incidents(attack_type, date_start)",
        "CREATE INDEX incidents_killed ON incidents(killed_best)",
        "CREATE INDEX incidents_latlon ON incidents(lat, lon)",
    ):
        ddl(conn, statement)
    rows = conn.execute(text("SELECT id, fields_json FROM incidents")).all()
    assignments = ", ".join(f"{name} = :{name}" for name, _ in QUERY_COLUMNS)
    for incident_id, fields_json in rows:
        fields = json.loads(fields_json or "{}")
        conn.execute(text(f"UPDATE incidents SET {assignments} WHERE id = :id"),
                     {**query_columns(fields), "id": incident_id})
        values = list_values(incident_id, fields)
        if values:
            conn.execute(text("INSERT INTO incident_values (incident_id, field, value, value_key) "
                              "VALUES (:incident_id, :field, :value, :value_key)"), values)


def m003_article_full_text(conn: Connection) -> None:
    """Full-text search over article titles and clean text: an FTS5 index kept by triggers on
    SQLite, a generated tsvector column with a GIN index on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
                          "(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(clean_text, ''))) "
                          "STORED"))
        conn.execute(text("CREATE INDEX articles_search ON articles USING GIN (search)"))
        return
    for statement in (
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, clean_text, content='articles', "
        "content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')",
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, clean_text) VALUES (new.rowid, new.title, new.clean_text); END",
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, clean_text) "
        "VALUES ('delete', old.rowid, old.title, old.clean_text); END",
        "CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, clean_text) "
        "VALUES ('delete', old.rowid, old.title, old.clean_text); "
        "INSERT INTO articles_fts(rowid, title, clean_text) VALUES (new.rowid, new.title, new.clean_text); END",
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    ):
        conn.execute(text(statement))


def m004_postgres_jsonb_fields(conn: Connection) -> None:
    """On PostgreSQL incident fields become JSONB (queryable, validated); SQLite keeps TEXT."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE incidents ALTER COLUMN fields_json TYPE JSONB "
                          "USING fields_json::jsonb"))


def m_review_audit_tokens(conn: Connection) -> None:
    """Analyst review (review.py): analyst claims beside the extracted ones, an append-only audit
    log (the database refuses UPDATE and DELETE on it), and hashed API tokens for write access."""
    for statement in (
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
        ddl(conn, statement)
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(text(f"CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
                              "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text("CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
                          "RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql"))
        conn.execute(text("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                          "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"))


def m_alerts_threat_levels_outbox_watch(conn: Connection) -> None:
    """Official threat-level claims (threat.py), persisted alerts with their delivery outbox
    (alerts/), and the files ``incidentwire watch`` has ingested (watch.py)."""
    for statement in (
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
            path TEXT PRIMARY KEY, size BIGINT, mtime_ns BIGINT, ingested_at TEXT)""",
    ):
        ddl(conn, statement)


def m_ingest_quarantine_dedup_language(conn: Connection) -> None:
    """Article author, language and story grouping (dedup.py); quarantine kind and retry path on
    rejects, one row per source (re-reading a bad file updates its row instead of adding one);
    incidents whose fields await reconciling, so a killed run is finished by the next one."""
    for statement in (
        "ALTER TABLE articles ADD COLUMN author TEXT",
        "ALTER TABLE articles ADD COLUMN language TEXT",
        "ALTER TABLE articles ADD COLUMN story_id TEXT",
        "ALTER TABLE articles ADD COLUMN duplicate_of TEXT",
        "ALTER TABLE articles ADD COLUMN text_key TEXT",
        "ALTER TABLE articles ADD COLUMN minhash BLOB",
        "CREATE INDEX articles_story ON articles(story_id)",
        "ALTER TABLE rejects ADD COLUMN kind TEXT",
        "ALTER TABLE rejects ADD COLUMN path TEXT",
        "DELETE FROM rejects WHERE id NOT IN (SELECT MAX(id) FROM rejects GROUP BY source)",
        "CREATE UNIQUE INDEX rejects_source ON rejects(source)",
        "CREATE TABLE incidents_pending (id TEXT PRIMARY KEY)",
    ):
        ddl(conn, statement)


def m_link_block_index(conn: Connection) -> None:
    """The linker's block index in the store (store/link_index.py): which incidents sit under
    each date-and-place or word key, each word's report count, and how many mentions the index
    has seen (it is rebuilt when that differs from the mentions table)."""
    for statement in (
        "CREATE TABLE link_blocks (key TEXT NOT NULL, incident_id TEXT NOT NULL, PRIMARY KEY (key, incident_id))",
        "CREATE INDEX link_blocks_incident ON link_blocks(incident_id)",
        """CREATE TABLE link_words (word TEXT PRIMARY KEY, df INTEGER NOT NULL, posting INTEGER NOT NULL,
            common INTEGER NOT NULL)""",
        "CREATE TABLE link_state (id INTEGER PRIMARY KEY, mentions INTEGER NOT NULL)",
    ):
        ddl(conn, statement)


def m_link_cards(conn: Connection) -> None:
    """Each incident as the linker scores it (link_known.card_of), beside the block index; an
    existing index has no cards yet, so it is marked stale and the next ingest rebuilds it."""
    ddl(conn, "CREATE TABLE link_cards (incident_id TEXT PRIMARY KEY, card TEXT NOT NULL)")
    conn.execute(text("DELETE FROM link_state"))


def m_incident_merges(conn: Connection) -> None:
    """Where each incident merged into another went (by the linker or an analyst), so that a
    reference to it (an alert, a link someone kept) still finds the incident it became."""
    ddl(conn, "CREATE TABLE incident_merges (gone TEXT PRIMARY KEY, kept TEXT NOT NULL, at TEXT NOT NULL)")


MIGRATIONS = [m001_initial, m002_incident_query_columns, m003_article_full_text,
              m004_postgres_jsonb_fields, m_review_audit_tokens, m_alerts_threat_levels_outbox_watch,
              m_ingest_quarantine_dedup_language, m_link_block_index,
              m_link_cards, m_incident_merges]
