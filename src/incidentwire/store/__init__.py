"""Storage: one interface over SQLAlchemy Core with two backends run by the same tests: SQLite
(a single file, WAL mode, FTS5; the embedded default) and PostgreSQL (``postgresql://...``, for
teams; JSONB fields, tsvector search; driver psycopg 3 from the ``[postgres]`` extra).

Tables: articles (raw bytes, content hash, clean text, metadata), rejects (every input refused,
with its reason), mentions (what one article says about one incident), claims (each extracted
value with its evidence span), incidents (reconciled fields as JSON plus indexed query columns,
see ``columns.py``), incident_values (an incident's perpetrators, targets, weapons, victims).
Queries are built in ``query.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import MergedIncidentError, NotFoundError, StoreError
from ..records import Article, Claim, Incident, Mention, Rejected
from . import link_index
from . import query as q
from .columns import QUERY_COLUMNS, list_values, query_columns
from .migrations import MIGRATIONS

ARTICLE_COLUMNS = ("id", "source", "content_hash", "raw", "format", "text", "clean_text", "title",
                   "publisher", "url", "published", "published_basis", "relevant",
                   "relevance_reason", "dropped_json", "ingested_at", "author", "language", "story_id",
                   "duplicate_of", "text_key", "minhash")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def database_url(db: str | Path) -> str:
    """A plain path means a SQLite file; anything with '://' is a SQLAlchemy URL, and a bare
    ``postgresql://`` (or ``postgres://``) one gets the psycopg 3 driver."""
    s = str(db)
    if "://" not in s:
        return f"sqlite:///{Path(s).expanduser()}"
    scheme, rest = s.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else s


def _fields(value) -> dict:
    """Incident fields as stored: JSON text on SQLite, already decoded from JSONB on PostgreSQL."""
    return json.loads(value) if isinstance(value, (str, bytes)) else (value or {})


class Store:
    """The database behind an incidentwire project."""

    def __init__(self, db: str | Path):
        self.url = database_url(db)
        if self.url.startswith("sqlite:///"):
            parent = Path(self.url.removeprefix("sqlite:///")).parent
            if not parent.is_dir():
                raise StoreError(f"cannot create database: folder {parent} does not exist")
        try:
            self.engine: Engine = create_engine(self.url)
        except (SQLAlchemyError, ImportError) as e:
            raise StoreError(f"cannot open database {db}: {e}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()

    # ------------------------------------------------------------------ schema
    def migrate(self) -> int:
        """Apply the migrations this database has not had yet; returns the schema version."""
        try:
            with self.engine.begin() as conn:
                conn.execute(text("CREATE TABLE IF NOT EXISTS migrations (n INTEGER PRIMARY KEY, "
                                  "name TEXT, applied_at TEXT)"))
                done = {r[0] for r in conn.execute(text("SELECT n FROM migrations"))}
                for n, migration in enumerate(MIGRATIONS, 1):
                    if n not in done:
                        migration(conn)
                        conn.execute(text("INSERT INTO migrations VALUES (:n, :name, :at)"),
                                     {"n": n, "name": migration.__name__, "at": _now()})
        except SQLAlchemyError as e:
            raise StoreError(f"cannot prepare database {self.url}: {e.__class__.__name__}: "
                             f"{str(e).splitlines()[0]}") from None
        return len(MIGRATIONS)

    # ------------------------------------------------------------------ articles
    def article_hashes(self, article_ids: Iterable[str]) -> dict[str, str]:
        """{id: content hash} of those of ``article_ids`` that are stored (one query a few
        hundred ids: a query an article was a fifth of the ingesting process's time)."""
        ids = sorted(set(article_ids))
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):  # within every backend's bound-parameter limit
                clause, params = _in_clause(ids[start:start + 500])
                out.update(conn.execute(text(f"SELECT id, content_hash FROM articles WHERE id IN {clause}"),
                                        params).all())
        return out

    def save_article(self, art: Article, mentions: Iterable[Mention] = (), pending: Iterable[str] = ()) -> None:
        self.save_articles([art], mentions, pending)

    def save_articles(self, arts: Iterable[Article], mentions: Iterable[Mention] = (),
                      pending: Iterable[str] = (), also: Callable[[Connection], None] | None = None) -> None:
        """Insert or replace articles -- with their mentions, and the incidents those touch marked
        pending -- in one transaction: a killed run never leaves an article half stored, and a
        commit per article was a third of the ingesting process's time. ``also(conn)`` writes
        more in the same transaction (the linker's block index, link_index.py)."""
        rows = []
        for art in arts:
            row = {k: getattr(art, k, None) for k in ARTICLE_COLUMNS}
            row["text"] = _stored_text(art)
            row["dropped_json"] = json.dumps(art.dropped_lines)
            row["ingested_at"] = _now()
            row["relevant"] = None if art.relevant is None else int(art.relevant)
            rows.append(row)
        if not rows:
            return
        cols = ", ".join(ARTICLE_COLUMNS)
        vals = ", ".join(f":{k}" for k in ARTICLE_COLUMNS)
        updates = ", ".join(f"{k} = excluded.{k}" for k in ARTICLE_COLUMNS if k != "id")
        with self.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO articles ({cols}) VALUES ({vals}) "
                              f"ON CONFLICT (id) DO UPDATE SET {updates}"), rows)
            _write_mentions(conn, mentions)
            self._mark_pending(conn, pending)
            if also is not None:
                also(conn)

    @staticmethod
    def _mark_pending(conn, incident_ids: Iterable[str]) -> None:
        ids = [{"id": i} for i in sorted(set(incident_ids)) if i]
        if ids:
            conn.execute(text("INSERT INTO incidents_pending (id) VALUES (:id) ON CONFLICT (id) DO NOTHING"), ids)

    def pending_incidents(self) -> set[str]:
        """Incidents whose mentions changed but whose fields were not reconciled yet."""
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT id FROM incidents_pending"))}

    def clear_pending(self, incident_ids: Iterable[str]) -> None:
        ids = sorted(set(incident_ids))
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):  # within every backend's bound-parameter limit
                clause, params = _in_clause(ids[start:start + 500])
                conn.execute(text(f"DELETE FROM incidents_pending WHERE id IN {clause}"), params)

    def story_sketches(self) -> list[tuple[str, str | None, str | None, bytes | None]]:
        """(id, story_id, text_key, minhash) of every article, in ingest order (dedup.py)."""
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT id, story_id, text_key, minhash FROM articles ORDER BY rowid"
                if self.engine.dialect.name == "sqlite" else
                "SELECT id, story_id, text_key, minhash FROM articles ORDER BY ingested_at, id"))]

    def article(self, article_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM articles WHERE id = :id"),
                               {"id": article_id}).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        out = dict(row)
        if out["text"] is None and out["raw"] is not None:  # stored once, as the raw bytes
            out["text"] = bytes(out["raw"]).decode("utf-8")
        out["dropped_lines"] = json.loads(out.pop("dropped_json") or "[]")
        out.pop("minhash", None)  # dedup's internal signature: bytes, meaningless to a reader
        return out

    def article_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT id FROM articles ORDER BY id"))]

    def add_reject(self, rej: Rejected) -> None:
        """Quarantine an input (one row per source: a second refusal updates the reason)."""
        with self.engine.begin() as conn:
            conn.execute(text("INSERT INTO rejects (source, reason, kind, path, at) VALUES (:s, :r, :k, :p, :at) "
                              "ON CONFLICT (source) DO UPDATE SET reason = excluded.reason, kind = excluded.kind, "
                              "path = excluded.path, at = excluded.at"),
                         {"s": rej.source, "r": rej.reason, "k": rej.kind, "p": rej.path, "at": _now()})

    def rejects(self) -> list[dict]:
        """The quarantine: every input refused, with its kind, reason and the file to retry."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text("SELECT source, kind, reason, path, at FROM rejects "
                                                       "ORDER BY id")).mappings()]

    def release_rejects(self, sources: Iterable[str] | None = None, paths: Iterable[str] | None = None) -> int:
        """Take inputs out of quarantine (by source, or every row from the given files)."""
        with self.engine.begin() as conn:
            n = 0
            for column, values in (("source", sources), ("path", paths)):
                if values is not None:
                    clause, params = _in_clause(values)
                    n += conn.execute(text(f"DELETE FROM rejects WHERE {column} IN {clause}"), params).rowcount
        return n

    # ------------------------------------------------------------------ mentions and claims
    def remove_article_mentions(self, article_id: str, also: Callable[[Connection], None] | None = None
                                ) -> set[str]:
        """Delete an article's mentions and claims (before re-extracting it); returns the
        incidents that lost a mention. ``also(conn)`` writes, in the same transaction, what
        taking them out changed in the linker's stored index (``link.Linker.remove`` then
        ``flush``); without it the index no longer matches and the next ingest rebuilds it."""
        with self.engine.begin() as conn:
            affected = {r[0] for r in conn.execute(
                text("SELECT incident_id FROM mentions WHERE article_id = :a"), {"a": article_id}) if r[0]}
            conn.execute(text("DELETE FROM claims WHERE article_id = :a"), {"a": article_id})
            conn.execute(text("DELETE FROM mentions WHERE article_id = :a"), {"a": article_id})
            self._mark_pending(conn, affected)
            if also is None:
                link_index.invalidate(conn)
            else:
                also(conn)
        return affected

    def article_mentions(self, article_id: str) -> list[Mention]:
        """An article's stored mentions with their claims, by position in the article."""
        return self._read_mentions("WHERE m.article_id = :a", {"a": article_id})

    def save_mentions(self, mentions: Iterable[Mention]) -> None:
        """Replace mentions (relink): the linker's stored index no longer matches them."""
        with self.engine.begin() as conn:
            _write_mentions(conn, mentions)
            link_index.invalidate(conn)

    def link_index(self) -> link_index.StoredBlocks:
        """The linker's block index kept in this store (link_index.py)."""
        return link_index.StoredBlocks(self.engine)

    def mentions_by_incident(self, incident_ids: Iterable[str]) -> dict[str, list[Mention]]:
        """{incident id: its mentions in the order they were saved} (the linker's cache reads
        known incidents through this)."""
        out: dict[str, list[Mention]] = {}
        ids = sorted(set(incident_ids))
        for start in range(0, len(ids), 500):
            for m in self.mentions(ids[start:start + 500], saved_order=True):
                out.setdefault(m.incident_id, []).append(m)
        return out

    def mentions(self, incident_ids: Iterable[str] | None = None, saved_order: bool = False) -> list[Mention]:
        """Mentions with their claims, for the given incidents (all when None); by article, or
        with ``saved_order`` in the order they were saved."""
        where, params, wanted = _id_filter("m.incident_id", incident_ids)
        return self._read_mentions(where, params, wanted, saved_order)

    def _read_mentions(self, where: str, params: dict, wanted: set | None = None,
                       saved_order: bool = False) -> list[Mention]:
        sql = ('SELECT m.key, m.article_id, m.idx, m.role, m.incident_id, m.published, c.field, '
               'c.value_json, c.start, c."end", c.quote, c.extractor, c.confidence, a.publisher, a.relevant, '
               'a.story_id '
               "FROM mentions m LEFT JOIN claims c ON c.mention_key = m.key "
               f"LEFT JOIN articles a ON a.id = m.article_id {where} "
               + ("ORDER BY c.id" if saved_order else "ORDER BY m.article_id, m.idx, c.id"))
        out: dict[str, Mention] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(text(sql), params):
                if wanted is not None and r[4] not in wanted:
                    continue
                m = out.get(r[0])
                if m is None:
                    m = out[r[0]] = Mention(article_id=r[1], index=r[2], role=r[3], incident_id=r[4],
                                            published=r[5], publisher=r[13], on_topic=r[14] != 0,
                                            story_id=r[15])
                if r[6] and r[6] != "_none":
                    m.claims.append(Claim(field=r[6], value=json.loads(r[7]), start=r[8], end=r[9],
                                          quote=r[10], extractor=r[11], confidence=r[12],
                                          article_id=r[1]))
        return list(out.values())

    # ------------------------------------------------------------------ incidents
    def next_incident_id_factory(self):
        """A function returning fresh incident ids (inc-000001, ...), past any id in use."""
        with self.engine.connect() as conn:
            # ids merged away or named by an alert are never given again: they still point somewhere
            ids = [r[0] for r in conn.execute(text("SELECT id FROM incidents UNION SELECT incident_id FROM mentions "
                                                   "UNION SELECT gone FROM incident_merges "
                                                   "UNION SELECT incident_id FROM alerts"))]
        counter = [max((int(i.rsplit("-", 1)[-1]) for i in ids
                        if i and i.rsplit("-", 1)[-1].isdigit()), default=0)]

        def new_id() -> str:
            counter[0] += 1
            return f"inc-{counter[0]:06d}"
        return new_id

    def save_incident(self, inc: Incident) -> None:
        """Insert or replace an incident's fields and its query columns (``reviewed`` is kept)."""
        with self.engine.begin() as conn:
            _write_incidents(conn, [inc])

    def save_incidents(self, incidents: Iterable[Incident]) -> None:
        """Many incidents in one transaction (bulk loads, benchmarks)."""
        with self.engine.begin() as conn:
            _write_incidents(conn, list(incidents))

    def delete_incident(self, incident_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM incident_values WHERE incident_id = :id"), {"id": incident_id})
            conn.execute(text("DELETE FROM incidents WHERE id = :id"), {"id": incident_id})

    def set_reviewed(self, incident_id: str, reviewed: bool = True) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(text("UPDATE incidents SET reviewed = :r WHERE id = :id"),
                                {"r": int(reviewed), "id": incident_id}).rowcount
        if not done:
            raise NotFoundError(f"no incident with id {incident_id!r}")

    def query(self, query: q.IncidentQuery, with_mentions: bool = True) -> list[Incident]:
        """Incidents matching ``query`` (filters, sort, page), with mentions and claims."""
        with self.engine.connect() as conn:
            rows = conn.execute(q.select_ids(query, self.engine.dialect.name)).all()
        found = [Incident(id=r[0], fields=dict(_fields(r[1]), reviewed=bool(r[2]))) for r in rows]
        if with_mentions and found:
            by_inc: dict[str, list[Mention]] = defaultdict(list)
            for m in self.mentions([i.id for i in found]):
                by_inc[m.incident_id].append(m)
            for inc in found:
                inc.mentions = by_inc.get(inc.id, [])
        return found

    def count(self, query: q.IncidentQuery) -> int:
        """How many incidents match ``query``'s filters (its page ignored)."""
        with self.engine.connect() as conn:
            return conn.execute(q.select_count(query, self.engine.dialect.name)).scalar()

    def aggregate(self, query: q.IncidentQuery, by: str) -> list[dict]:
        """Incidents, killed and injured per ``by`` group (see ``query.GROUPINGS``)."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q.select_aggregate(query, by, self.engine.dialect.name))
                    .mappings()]

    def incidents(self, ids: Iterable[str] | None = None) -> list[Incident]:
        """Incidents with their mentions and claims."""
        where, params, wanted = _id_filter("id", ids)
        with self.engine.connect() as conn:
            rows = {r[0]: dict(_fields(r[1]), reviewed=bool(r[2])) for r in conn.execute(
                text(f"SELECT id, fields_json, reviewed FROM incidents {where} ORDER BY id"), params)
                if wanted is None or r[0] in wanted}
        by_inc: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions(rows.keys()):
            by_inc[m.incident_id].append(m)
        return [Incident(id=i, fields=f, mentions=by_inc.get(i, [])) for i, f in rows.items()]

    def incident(self, incident_id: str) -> Incident:
        found = self.incidents([incident_id])
        if not found:
            kept = self.merged_into(incident_id)
            if kept:
                raise MergedIncidentError(incident_id, kept)
            raise NotFoundError(f"no incident with id {incident_id!r}")
        return found[0]

    def merged_into(self, incident_id: str) -> str | None:
        """The incident that ``incident_id`` became by merges (following a chain of them), or
        None when it was never merged away."""
        seen, kept = {incident_id}, None
        with self.engine.connect() as conn:
            while (nxt := conn.execute(text("SELECT kept FROM incident_merges WHERE gone = :g"),
                                       {"g": kept or incident_id}).scalar()) and nxt not in seen:
                seen.add(nxt)
                kept = nxt
        return kept

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                    for t in ("articles", "mentions", "claims", "incidents", "rejects")}

    def close(self) -> None:
        """Release the connections (a SQLite file can then be moved or deleted)."""
        self.engine.dispose()


def _write_incidents(conn, incidents: list[Incident]) -> None:
    """Upsert incidents with their query columns and incident_values rows. The row inserts go
    straight to the driver's executemany (no per-row SQLAlchemy compilation): that halves the
    time of a bulk load."""
    names = ["id", "fields_json", "updated_at", *(name for name, _ in QUERY_COLUMNS)]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
    now = _now()
    rows, values = [], []
    for inc in incidents:
        fields = {k: v for k, v in inc.fields.items() if k != "reviewed"}
        rows.append({"id": inc.id, "fields_json": json.dumps(fields), "updated_at": now, **query_columns(fields)})
        values += list_values(inc.id, fields)
    if not rows:
        return
    for start in range(0, len(rows), 500):     # chunks keep within the backends' parameter limits
        clause, params = _in_clause(r["id"] for r in rows[start:start + 500])
        conn.execute(text(f"DELETE FROM incident_values WHERE incident_id IN {clause}"), params)
    conn.exec_driver_sql(f"INSERT INTO incidents ({', '.join(names)}) VALUES ({_placeholders(conn, names)}) "
                         f"ON CONFLICT (id) DO UPDATE SET {updates}", rows)
    if values:
        value_names = ["incident_id", "field", "value", "value_key"]
        conn.exec_driver_sql(f"INSERT INTO incident_values ({', '.join(value_names)}) "
                             f"VALUES ({_placeholders(conn, value_names)})", values)


def _placeholders(conn, names: list[str]) -> str:
    """Named parameters in the driver's own style (sqlite3 ``:name``, psycopg ``%(name)s``)."""
    if conn.dialect.paramstyle == "pyformat":
        return ", ".join(f"%({n})s" for n in names)
    return ", ".join(f":{n}" for n in names)


def _write_mentions(conn, mentions: Iterable[Mention]) -> None:
    """Replace these mentions and their claims: four statements for the whole list (one per
    row cost ~1 ms a mention, a third of what the ingesting process spent storing)."""
    mentions = list(mentions)
    if not mentions:
        return
    keys = [{"k": m.key} for m in mentions]
    claims = []
    for m in mentions:
        claims += [{"k": m.key, "a": m.article_id, "f": c.field, "v": json.dumps(c.value),
                    "s": c.start, "e": c.end, "q": c.quote, "x": c.extractor, "c": c.confidence}
                   for c in m.claims] or [{"k": m.key, "a": m.article_id, "f": "_none", "v": "null",
                                           "s": 0, "e": 0, "q": "", "x": "", "c": 0.0}]
    conn.execute(text("DELETE FROM claims WHERE mention_key = :k"), keys)
    conn.execute(text("DELETE FROM mentions WHERE key = :k"), keys)
    conn.execute(text("INSERT INTO mentions (key, article_id, idx, role, incident_id, "
                      "published) VALUES (:k, :a, :i, :r, :inc, :p)"),
                 [{"k": m.key, "a": m.article_id, "i": m.index, "r": m.role,
                   "inc": m.incident_id, "p": m.published} for m in mentions])
    conn.execute(
        text('INSERT INTO claims (mention_key, article_id, field, value_json, start, "end", '
             "quote, extractor, confidence) VALUES (:k, :a, :f, :v, :s, :e, :q, :x, :c)"), claims)


def _id_filter(column: str, ids: Iterable[str] | None) -> tuple[str, dict, set | None]:
    """A WHERE clause keeping ``column`` in ``ids`` (all rows when None), its parameters, and the
    wanted set. Past 1000 ids there is no clause: the caller reads all rows and keeps the wanted
    ones, so no backend's bound-parameter limit is hit."""
    if ids is None:
        return "", {}, None
    wanted = set(ids)
    if len(wanted) > 1000:
        return "", {}, wanted
    clause, params = _in_clause(wanted)
    return f"WHERE {column} IN {clause}", params, wanted


def _stored_text(art: Article) -> str | None:
    """What the ``text`` column holds: None when the text is exactly the raw bytes read as
    UTF-8 (most pages; ``article()`` decodes them again), else the text. Storing both doubled
    the bytes a 100 KB page writes, which made the store half of the ingesting process's time."""
    if art.raw and art.text and len(art.raw) >= len(art.text):
        try:
            if art.text.encode("utf-8") == art.raw:
                return None
        except UnicodeEncodeError:  # lone surrogates: not what any UTF-8 bytes decode to
            pass
    return art.text


def _in_clause(values: Iterable[str]) -> tuple[str, dict]:
    """An ``IN (...)`` clause with bound parameters; never empty (matches nothing then)."""
    vals = sorted(set(values))
    if not vals:
        return "(NULL)", {}
    return "(" + ", ".join(f":v{n}" for n in range(len(vals))) + ")", {f"v{n}": v for n, v in enumerate(vals)}


PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # Pages of 16 KB, not 4 KB, in a new file (an existing one keeps its own): a 100 KB raw
    # page is then a chain of 7 overflow pages, not 26, each written to the WAL and again at
    # the checkpoint, which cut the store's CPU a stored page by a quarter (and its wall time
    # by a third). Set before anything creates the file; a no-op once it exists.
    cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL never corrupts the file; only the last commits before a power cut can be
    # lost. FULL (the default) syncs every commit: 1.5 ms each, ~15% of ingest time.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # 64 MB of page cache (default 2 MB): index pages of a large database stay in memory,
    # which makes bulk loads ~20 % cheaper and repeated queries faster
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def record_merges(conn: Connection, merges: Iterable[tuple[str, str]]) -> None:
    """Remember that each ``(gone, kept)`` incident was merged into the other (in the caller's
    transaction, the one that moves the reports)."""
    at = _now()
    rows = [{"g": g, "k": k, "at": at} for g, k in merges]
    if rows:
        conn.execute(text("INSERT INTO incident_merges (gone, kept, at) VALUES (:g, :k, :at) "
                          "ON CONFLICT (gone) DO UPDATE SET kept = excluded.kept, at = excluded.at"), rows)
