"""The public Python API: ``incidentwire.open(db)`` returns a Database over a store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from . import export as export_stage
from . import review, threat, tokens
from .engine import Executor
from .errors import ExportError
from .ingest import DEFAULT_MAX_BYTES, IngestOptions, load_metadata
from .pipeline import IngestReport, ingest, relink
from .records import Claim, Incident
from .results import IncidentList, IncidentPage
from .store import Store
from .store.query import IncidentQuery


class Database:
    """An incidentwire database: ingest news, query incidents, export them."""

    def __init__(self, db: str | Path):
        self.store = Store(db)

    def ingest(self, paths: Iterable[str | Path] | str | Path, metadata: str | Path | dict | None = None,
               relevance_filter: bool = True, on_article: Callable[[str], None] | None = None,
               fields: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
               retry_quarantine: bool = False, executor: Executor | None = None,
               extractor: str = "rules") -> IngestReport:
        """Ingest files, folders, archives, feeds, crawls (``"-"`` is stdin); ``metadata`` is a
        sidecar path (JSONL/CSV) or a ready dict; ``fields`` names the record fields of JSONL/CSV
        input ({"text": "body", "published": "date", ...}); inputs over ``max_bytes`` are
        quarantined. ``retry_quarantine`` also reads again every quarantined file.
        ``executor`` (see :mod:`incidentwire.engine`) runs the per-article stages elsewhere:
        worker processes or a Dask cluster; the database comes out the same. ``extractor`` is a
        registered extractor plugin (rules, learned, rules+learned; see extract/plugins.py)."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        paths = list(paths)
        if retry_quarantine:
            # the pipeline replaces each re-read file's quarantine rows with what it finds now
            paths += sorted({r["path"] for r in self.store.rejects() if r["path"]} - {str(p) for p in paths})
        meta = load_metadata(metadata) if isinstance(metadata, (str, Path)) else metadata
        options = IngestOptions(metadata=meta or {}, fields=dict(fields or {}), max_bytes=max_bytes)
        return ingest(self.store, paths, relevance_filter=relevance_filter, on_article=on_article,
                      executor=executor, options=options, extractor=extractor)

    def quarantine(self) -> list[dict]:
        """Every input refused: source, kind, reason, the file to retry, when."""
        return self.store.rejects()

    def incidents(self, *, since: str | None = None, until: str | None = None, country: str | None = None,
                  admin1: str | None = None, city: str | None = None,
                  bbox: tuple[float, float, float, float] | None = None,
                  near: tuple[float, float, float] | None = None, attack_type: str | list[str] | None = None,
                  weapon: str | None = None, target: str | None = None, perpetrator: str | None = None,
                  min_killed: int | None = None, min_injured: int | None = None, text: str | None = None,
                  min_sources: int | None = None, reviewed: bool | None = None, sort: str = "-date",
                  limit: int | None = None, offset: int = 0) -> IncidentList:
        """Incidents matching every filter given, newest first unless ``sort`` says otherwise.

        Dates are YYYY[-MM[-DD]] and match by overlap with the incident's date period;
        ``bbox`` is (min_lon, min_lat, max_lon, max_lat); ``near`` is (lat, lon, radius_km);
        country/admin1/city match case-insensitively, perpetrator/target/weapon as substrings;
        ``text`` searches the reporting articles; ``sort`` is one of ``store.query.SORTS``
        (``-`` prefix for descending). See ``store/query.py`` for the exact semantics."""
        query = IncidentQuery(since=since, until=until, country=country, admin1=admin1, city=city, bbox=bbox,
                              near=near, attack_type=attack_type, weapon=weapon, target=target,
                              perpetrator=perpetrator, min_killed=min_killed, min_injured=min_injured, text=text,
                              min_sources=min_sources, reviewed=reviewed, sort=sort, limit=limit, offset=offset)
        return IncidentList(self.store.query(query))

    def search(self, query: IncidentQuery | None = None, *, page: int = 1, per_page: int = 50,
               with_mentions: bool = True, **filters) -> IncidentPage:
        """One page of incidents (``page`` counts from 1) and the total that match; filters as
        keyword arguments (the same as :meth:`incidents`) or a ready ``IncidentQuery``."""
        query = replace(query or IncidentQuery(**filters), limit=per_page, offset=(max(page, 1) - 1) * per_page)
        items = IncidentList(self.store.query(query, with_mentions=with_mentions))
        return IncidentPage(items=items, total=self.store.count(query), query=query)

    def aggregate(self, by: str = "month", **filters) -> list[dict]:
        """Incidents and casualties (sums of best estimates) per ``by``: one of
        month, year, country, region (country + admin1), attack_type, group (perpetrator);
        the same keyword filters as :meth:`incidents`."""
        return self.store.aggregate(IncidentQuery(**filters), by)

    def set_reviewed(self, incident_id: str, reviewed: bool = True) -> None:
        """Mark an incident as checked by an analyst (or not); the ``reviewed`` filter reads it."""
        self.store.set_reviewed(incident_id, reviewed)

    def incident(self, incident_id: str) -> Incident:
        return self.store.incident(incident_id)

    def relink(self) -> dict:
        """Re-link every stored mention from scratch (batch, publication order) and rebuild the
        incidents (each keeping the old id most of its mentions had). Returns the incident counts before and after."""
        return relink(self.store)

    def toll_history(self, incident_id: str) -> list[dict]:
        """What each source said the toll was, ordered by publication time."""
        return self.store.incident(incident_id).fields.get("toll_history", [])

    def article(self, article_id: str) -> dict:
        return self.store.article(article_id)

    def rejects(self) -> list[dict]:
        return self.store.rejects()

    def threat_levels(self, region: str | None = None) -> list[Claim]:
        """Official threat levels stated in the stored articles, oldest first (threat.py)."""
        return threat.official_levels(self.store, region)

    def activity_levels(self, region: str | None = None, as_of: str | None = None,
                        config: threat.ActivityConfig | None = None, history: bool = False) -> list[dict]:
        """The computed activity level per region (or its history: the level at each incident)."""
        if history:
            return threat.activity_history(self.store, config, region)
        return threat.activity_levels(self.store, config, as_of, region)

    def alerts(self, rules: str | Path | None = None) -> list:
        """The alerts the rules in ``rules`` (or the default rules) fire for what is stored."""
        from . import alerts
        return alerts.evaluate(self.store, alerts.load_config(rules))

    def export(self, fmt: str = "json", output: str | Path | None = None, **filters) -> str | bytes:
        """Incidents in one of ``export.FORMATS`` (json, jsonl, csv, csv-codebook, eval-jsonl,
        geojson, parquet, stix): all of them, or those matching ``filters`` (the keyword filters
        of :meth:`incidents`). Returns the text (bytes for parquet); with ``output`` also
        writes it to that file."""
        chosen = self.store.query(IncidentQuery(**filters)) if filters else None
        data = export_stage.export(self.store, fmt, chosen)
        if output is not None:
            try:
                if isinstance(data, bytes):
                    Path(output).write_bytes(data)
                else:
                    Path(output).write_text(data, encoding="utf-8")
            except OSError as e:
                raise ExportError(f"cannot write {output}: {e.strerror}") from None
        return data

    # ---- analyst review (review.py): every action is audit-logged with ``who`` and can be undone
    def edit(self, incident_id: str, field: str, value, who: str, note: str | None = None) -> dict:
        """Store an analyst's value for one field of an incident (extracted claims are kept)."""
        return review.edit_field(self.store, incident_id, field, value, who, note)

    def merge(self, target_id: str, source_id: str, who: str, note: str | None = None) -> dict:
        """Fold incident ``source_id`` into ``target_id``."""
        return review.merge(self.store, target_id, source_id, who, note)

    def split(self, incident_id: str, article_ids: list[str], who: str, note: str | None = None) -> dict:
        """Move the reports from ``article_ids`` out of an incident into a new one."""
        return review.split(self.store, incident_id, article_ids, who, note)

    def mark_reviewed(self, incident_id: str, who: str, note: str | None = None) -> dict:
        return review.mark_reviewed(self.store, incident_id, who, note)

    def undo(self, audit_id: int, who: str) -> dict:
        """Reverse one audit entry (logged as an undo)."""
        return review.undo(self.store, audit_id, who)

    def audit_log(self, incident_id: str | None = None) -> list[dict]:
        return review.audit_log(self.store, incident_id)

    def analyst_claims(self, incident_id: str) -> list[dict]:
        return review.analyst_claims(self.store, incident_id, include_retracted=True)

    # ---- API tokens (tokens.py)
    def create_token(self, name: str) -> str:
        return tokens.create_token(self.store, name)

    def token_owner(self, token: str | None) -> str | None:
        return tokens.token_owner(self.store, token)


def open(db: str | Path = "incidentwire.db") -> Database:  # noqa: A001 - the documented name
    """Open (creating and migrating if needed) the database at ``db``: a file path or a URL."""
    return Database(db)
