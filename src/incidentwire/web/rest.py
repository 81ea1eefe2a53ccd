"""The REST API under /api: reads (incidents, articles, search, export, stats, health) and
token-protected writes (review actions, ingest upload). Each route parses input, calls the
library and returns JSON; errors come back as ``{"error": {"status", "type", "message"}}``."""

from __future__ import annotations

import base64
import os
import tempfile
from urllib.parse import quote
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from .. import __version__
from ..errors import InputError, MergedIncidentError
from ..export import FORMATS
from . import queries, views

UPLOAD_SUFFIXES = {".txt", ".html", ".htm", ".jsonl"}
EXPORT_TYPES = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv",
                "csv-codebook": "text/csv", "eval-jsonl": "application/x-ndjson", "geojson": "application/geo+json",
                "parquet": "application/vnd.apache.parquet", "stix": "application/json"}


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


def incident_detail(db, inc) -> dict:
    """An incident with its claims and evidence, toll history, sources, analyst claims and audit."""
    incident_id = inc.id
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
    def list_incidents(
            request: Request,
            since: str | None = Query(None, description="YYYY[-MM[-DD]]: incidents whose date period overlaps"),
            until: str | None = Query(None, description="YYYY[-MM[-DD]]"),
            country: str | None = None, admin1: str | None = None, city: str | None = None,
            bbox: str | None = Query(None, description="min_lon,min_lat,max_lon,max_lat"),
            near: str | None = Query(None, description="lat,lon,radius_km"),
            attack_type: str | None = Query(None, description="one type, or several comma-separated"),
            weapon: str | None = None, target: str | None = None, perpetrator: str | None = None,
            min_killed: int | None = Query(None, ge=0), min_injured: int | None = Query(None, ge=0),
            min_sources: int | None = Query(None, ge=1), reviewed: bool | None = None,
            q: str | None = Query(None, description="words in the reporting articles (full-text)"),
            sort: str = Query("-date", description="date, killed, injured, sources, country, updated, id; "
                                                   "- prefix for descending"),
            page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=1000)) -> dict:
        """Incidents matching every filter given, one page at a time, with the total."""
        found = db.search(page=page, per_page=per_page, with_mentions=False, sort=sort,
                          **queries.parse_filters(request.query_params))
        return {"total": found.total, "page": page, "per_page": per_page, "has_more": found.has_more,
                "items": [i.to_dict(with_claims=False) for i in found.items]}

    @router.get("/incidents/{incident_id}", dependencies=read, tags=["incidents"])
    def get_incident(incident_id: str) -> dict:
        """Every field, the claims behind it with their evidence, toll history, sources, review
        trail. An incident merged into another redirects (308) to the one it became."""
        try:
            return incident_detail(db, db.incident(incident_id))
        except MergedIncidentError as e:
            return RedirectResponse(f"/api/incidents/{quote(e.merged_into)}", status_code=308)

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
    def search(q: str = Query(..., min_length=1, description="words that must all occur in a report"),
               page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=1000)) -> dict:
        """Incidents whose reporting articles contain the words (full-text, stemmed)."""
        found = db.search(text=q, page=page, per_page=per_page, with_mentions=False)
        return {"q": q, "total": found.total, "page": page, "items": [i.to_dict(with_claims=False) for i in found]}

    @router.get("/export", dependencies=read, tags=["incidents"])
    def export(request: Request, format: str = Query("json", description=" | ".join(FORMATS))) -> Response:  # noqa: A002
        """Incidents in one of the export formats: all, or those matching the filters of /api/incidents."""
        data = db.export(format, **queries.parse_filters(request.query_params))
        return Response(data, media_type=EXPORT_TYPES.get(format, "application/octet-stream"))

    @router.get("/stats", dependencies=read, tags=["incidents"])
    def stats(request: Request) -> dict:
        """Row counts, and incidents / killed / injured per year, month, country, attack type and
        group; the filters of /api/incidents apply."""
        filters = queries.parse_filters(request.query_params)
        return {"counts": db.store.counts(),
                **{f"by_{by}": db.aggregate(by, **filters) for by in ("year", "month", "country", "attack_type",
                                                                       "group")}}

    @router.get("/levels", dependencies=read, tags=["alerts"])
    def levels(region: str | None = None, as_of: str | None = Query(None, description="YYYY-MM-DD or today"),
               history: bool = False) -> dict:
        """Official threat levels stated in the news (with evidence) and the computed activity level
        per region, or their histories."""
        return {"official": [c.to_dict() for c in db.threat_levels(region)],
                "computed": db.activity_levels(region, as_of, history=history)}

    @router.get("/alerts", dependencies=read, tags=["alerts"])
    def alerts(format: str = Query("json", description="json | atom | cap")) -> Response:  # noqa: A002
        """The alerts the rules (INCIDENTWIRE_RULES, else the default rules) fire for what is stored:
        JSON, an Atom feed, or CAP 1.2."""
        from ..alerts import render
        found = db.alerts(os.environ.get("INCIDENTWIRE_RULES"))
        media = {"json": "application/json", "atom": "application/atom+xml", "cap": "application/xml"}
        if format not in media:
            raise InputError(f"unknown alert format {format!r}; use json, atom or cap")
        return Response(render(found, format), media_type=media[format])

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
