"""The public Python API: ``incidentwire.open(db)`` returns a Database over a store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from . import export as export_stage
from . import review, tokens
from .ingest import load_metadata
from .pipeline import IngestReport, ingest
from .records import Incident
from .store import Store


class Database:
    """An incidentwire database: ingest news, query incidents, export them."""

    def __init__(self, db: str | Path):
        self.store = Store(db)

    def ingest(self, paths: Iterable[str | Path] | str | Path, metadata: str | Path | dict | None = None,
               relevance_filter: bool = True, on_article: Callable[[str], None] | None = None) -> IngestReport:
        """Ingest files/folders; ``metadata`` is a sidecar path (JSONL/CSV) or a ready dict."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        meta = load_metadata(metadata) if isinstance(metadata, (str, Path)) else metadata
        return ingest(self.store, paths, meta, relevance_filter=relevance_filter, on_article=on_article)

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
