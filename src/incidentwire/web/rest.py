"""The REST API under /api: reads (incidents, articles, search, export, stats, health) and
token-protected writes (review actions, ingest upload). Each route parses input, calls the
library and returns JSON; errors come back as ``{"error": {"status", "type", "message"}}``."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from .. import __version__
from ..errors import InputError
from ..export import FORMATS
from . import queries, views

UPLOAD_SUFFIXES = {".txt", ".html", ".htm", ".jsonl"}
EXPORT_TYPES = {"json": "application/json", "csv": "text/csv", "eval-jsonl": "application/x-ndjson"}


class EditBody(BaseModel):
    field: str = Field(description="one of the editable fields, e.g. killed, date, location")
    value: Any = Field(description="the analyst's value: as in the incident JSON, or a string "
                                   "such as '22', '5-7', '2017-05-22', 'Manchester, United Kingdom'")
    note: str | None = None


class MergeBody(BaseModel):
    other: str = Field(description="id of the incident to fold into this one")
    note: str | None = None


class SplitBody(BaseModel):
    article_ids: list[str] = Field(min_length=1, description="articles whose reports form the new incident")
    note: str | None = None


class NoteBody(BaseModel):
    note: str | None = None


def incident_detail(db, incident_id: str) -> dict:
    """An incident with its claims and evidence, toll history, sources, analyst claims and audit."""
    inc = db.incident(incident_id)
    out = inc.to_dict(with_claims=True)
    out["sources_detail"] = [_source(db.article(a)) for a in out["articles"]]
    out["analyst_claims"] = db.analyst_claims(incident_id)
    out["audit"] = db.audit_log(incident_id)
    return out


def _source(art: dict) -> dict:
    return {"article_id": art["id"], "publisher": art.get("publisher"), "published": art.get("published"),
            "title": art.get("title"), "url": art.get("url"), "safe_url": views.safe_url(art.get("url"))}


def build_router(db, auth) -> APIRouter:
    read = [Depends(auth.require_reader)]
    router = APIRouter(prefix="/api")

    def writer(request: Request) -> str:
        return auth.require_api_writer(request)

    @router.get("/health", tags=["meta"])
    def health() -> dict:
        """Liveness and row counts (never token-protected)."""
        return {"status": "ok", "version": __version__, "counts": db.store.counts()}

    @router.get("/incidents", dependencies=read, tags=["incidents"])
    def list_incidents(country: str | None = None, since: str | None = Query(None, description="YYYY[-MM[-DD]]"),
                       until: str | None = None, min_killed: int | None = Query(None, ge=0),
                       q: str | None = Query(None, description="free-text search"),
                       limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0)) -> dict:
        """Incidents, newest first, filtered and paged."""
        query = queries.IncidentQuery(country, since, until, min_killed, q, limit, offset)
        total, page = queries.find_incidents(db, query)
        return {"total": total, "limit": limit, "offset": offset,
                "items": [i.to_dict(with_claims=False) for i in page]}

    @router.get("/incidents/{incident_id}", dependencies=read, tags=["incidents"])
    def get_incident(incident_id: str) -> dict:
        """Every field, the claims behind it with their evidence, toll history, sources, review trail."""
        return incident_detail(db, incident_id)

    @router.get("/incidents/{incident_id}/audit", dependencies=read, tags=["review"])
    def incident_audit(incident_id: str) -> list[dict]:
        return db.audit_log(incident_id)

    @router.get("/audit", dependencies=read, tags=["review"])
    def audit() -> list[dict]:
        """The whole append-only audit log, oldest first."""
        return db.audit_log()

    @router.get("/articles/{article_id}", dependencies=read, tags=["articles"])
    def get_article(article_id: str) -> dict:
        """An article: clean text, raw bytes (as text, and base64), metadata, dropped lines."""
        art = dict(db.article(article_id))
        raw = art.pop("raw", None) or b""
        raw = raw if isinstance(raw, bytes) else bytes(raw)
        art["raw_text"] = raw.decode("utf-8", errors="replace")
        art["raw_base64"] = base64.b64encode(raw).decode("ascii")
        return art

    @router.get("/search", dependencies=read, tags=["incidents"])
    def search(q: str = Query(..., min_length=1), limit: int = Query(50, ge=1, le=1000)) -> dict:
        """Incidents matching free text, best first."""
        ids = queries.search_ids(db, q)[:limit]
        return {"q": q, "total": len(ids), "items": [db.incident(i).to_dict(with_claims=False) for i in ids]}

    @router.get("/export", dependencies=read, tags=["incidents"])
    def export(format: str = Query("json", description=" | ".join(FORMATS))) -> Response:  # noqa: A002
        """All incidents in one of the export formats."""
        return Response(db.export(format), media_type=EXPORT_TYPES.get(format, "text/plain"))

    @router.get("/stats", dependencies=read, tags=["incidents"])
    def stats() -> dict:
        return queries.stats(db)

    # ---- writes: a token in the Authorization header
    @router.post("/incidents/{incident_id}/edit", tags=["review"])
    def edit(incident_id: str, body: EditBody, who: str = Depends(writer)) -> dict:
        """Store an analyst's value for one field (the extracted claims are kept)."""
        return db.edit(incident_id, body.field, body.value, who, body.note)

    @router.post("/incidents/{incident_id}/merge", tags=["review"])
    def merge(incident_id: str, body: MergeBody, who: str = Depends(writer)) -> dict:
        return db.merge(incident_id, body.other, who, body.note)

    @router.post("/incidents/{incident_id}/split", tags=["review"])
    def split(incident_id: str, body: SplitBody, who: str = Depends(writer)) -> dict:
        return db.split(incident_id, body.article_ids, who, body.note)

    @router.post("/incidents/{incident_id}/reviewed", tags=["review"])
    def reviewed(incident_id: str, body: NoteBody | None = None, who: str = Depends(writer)) -> dict:
        return db.mark_reviewed(incident_id, who, body.note if body else None)

    @router.post("/audit/{audit_id}/undo", tags=["review"])
    def undo(audit_id: int, who: str = Depends(writer)) -> dict:
        return db.undo(audit_id, who)

    @router.post("/ingest", tags=["ingest"])
    def ingest(files: list[UploadFile] = File(...), no_relevance_filter: bool = False,
               who: str = Depends(writer)) -> dict:
        """Upload .txt/.html/.jsonl files and ingest them (request size limited: 413 past it)."""
        with tempfile.TemporaryDirectory(prefix="iw-upload-") as tmp:
            paths = []
            for up in files:
                name = Path(up.filename or "").name
                if not name or Path(name).suffix.lower() not in UPLOAD_SUFFIXES or name.startswith("."):
                    raise InputError(f"cannot ingest {name or 'a file without a name'!r}: "
                                     f"send {', '.join(sorted(UPLOAD_SUFFIXES))} files")
                path = Path(tmp) / name
                path.write_bytes(up.file.read())
                paths.append(path)
            report = db.ingest(paths, relevance_filter=not no_relevance_filter)
        return {"who": who, "summary": report.summary(), "added": report.added, "updated": report.updated,
                "unchanged": report.unchanged, "incidents_new": report.incidents_new,
                "incidents_updated": report.incidents_updated,
                "rejected": [{"source": Path(r.source).name, "reason": r.reason} for r in report.rejected]}

    return router
