"""The public Python API: ``incidentwire.open(db)`` returns a Database over a store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from . import export as export_stage
from .ingest import DEFAULT_MAX_BYTES, IngestOptions, load_metadata
from .pipeline import IngestReport, ingest
from .records import Incident
from .store import Store


class Database:
    """An incidentwire database: ingest news, query incidents, export them."""

    def __init__(self, db: str | Path):
        self.store = Store(db)

    def ingest(self, paths: Iterable[str | Path] | str | Path, metadata: str | Path | dict | None = None,
               relevance_filter: bool = True, on_article: Callable[[str], None] | None = None,
               fields: dict[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
               retry_quarantine: bool = False) -> IngestReport:
        """Ingest files, folders, archives, feeds, crawls (``"-"`` is stdin); ``metadata`` is a
        sidecar path (JSONL/CSV) or a ready dict; ``fields`` names the record fields of JSONL/CSV
        input ({"text": "body", "published": "date", ...}); inputs over ``max_bytes`` are
        quarantined. ``retry_quarantine`` also reads again every quarantined file."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        paths = list(paths)
        if retry_quarantine:
            # the pipeline replaces each re-read file's quarantine rows with what it finds now
            paths += sorted({r["path"] for r in self.store.rejects() if r["path"]} - {str(p) for p in paths})
        meta = load_metadata(metadata) if isinstance(metadata, (str, Path)) else metadata
        options = IngestOptions(metadata=meta or {}, fields=dict(fields or {}), max_bytes=max_bytes)
        return ingest(self.store, paths, relevance_filter=relevance_filter, on_article=on_article,
                      options=options)

    def quarantine(self) -> list[dict]:
        """Every input refused: source, kind, reason, the file to retry, when."""
        return self.store.rejects()

    def incidents(self, country: str | None = None, since: str | None = None, until: str | None = None,
                  min_killed: int | None = None) -> list[Incident]:
        """Incidents, newest first, optionally filtered."""
        out = []
        for inc in self.store.incidents():
            f = inc.fields
            date = (f.get("date") or {}).get("value") or ""
            if country and ((f.get("location") or {}).get("country") or "").lower() != country.lower():
                continue
            if since and (not date or date < since):
                continue
            if until and (not date or date[:len(until)] > until):
                continue
            if min_killed is not None and ((f.get("killed") or {}).get("best") or 0) < min_killed:
                continue
            out.append(inc)
        return sorted(out, key=lambda i: ((i.fields.get("date") or {}).get("value") or "", i.id), reverse=True)

    def incident(self, incident_id: str) -> Incident:
        return self.store.incident(incident_id)

    def article(self, article_id: str) -> dict:
        return self.store.article(article_id)

    def rejects(self) -> list[dict]:
        return self.store.rejects()

    def export(self, fmt: str = "json") -> str:
        """All incidents in one of ``export.FORMATS`` (json, csv, eval-jsonl)."""
        return export_stage.export(self.store, fmt)


def open(db: str | Path = "incidentwire.db") -> Database:  # noqa: A001 - the documented name
    """Open (creating and migrating if needed) the database at ``db``: a file path or a URL."""
    return Database(db)
