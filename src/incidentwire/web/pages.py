"""Server-rendered HTML pages (Jinja2, autoescaped) and the review forms behind them.

Form posts need the page's CSRF token and a signed-in analyst; each calls one library action
and redirects back (post/redirect/get).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from ..errors import MergedIncidentError
from ..records import ATTACK_TYPES
from ..review import EDITABLE_FIELDS
from . import queries, views
from .auth import COOKIE
from .rest import incident_detail

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 50
MAP_LIMIT = 20000


def templates() -> Jinja2Templates:
    # autoescape on for every template: article text is data, never markup
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["fmt"] = lambda value, name="": views.format_value(name, value)
    return Jinja2Templates(env=env)


def build_router(db, auth) -> APIRouter:
    tpl = templates()
    router = APIRouter(include_in_schema=False)

    def render(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.update(request=request, user=auth.user(request), csrf=auth.csrf_token(request),
                   msg=request.query_params.get("msg"))
        return tpl.TemplateResponse(request, name, ctx, status_code=status)

    def back(path: str, msg: str) -> RedirectResponse:
        return RedirectResponse(f"{path}?{urlencode({'msg': msg})}", status_code=303)

    # ---- reading
    @router.get("/", response_class=HTMLResponse)
    def incident_list(request: Request, page: int = 1, sort: str = "-date"):
        auth.require_reader(request)
        page = max(1, page)
        found = db.search(page=page, per_page=PAGE_SIZE, with_mentions=False, sort=sort,
                          **queries.parse_filters(request.query_params))
        params = {k: v for k, v in request.query_params.items() if v and k != "page"}
        return render(request, "list.html", incidents=found.items, total=found.total, page=page, query=params,
                      pages=max(1, -(-found.total // PAGE_SIZE)), attack_types=ATTACK_TYPES,
                      qs=lambda **kw: urlencode({**params, **kw}))

    @router.get("/incidents/{incident_id}", response_class=HTMLResponse)
    def incident_page(request: Request, incident_id: str):
        auth.require_reader(request)
        try:
            inc = db.incident(incident_id)
        except MergedIncidentError as e:  # merged into another since: show that one
            return RedirectResponse(f"/incidents/{quote(e.merged_into)}", status_code=303)
        detail = incident_detail(db, inc)
        ev = views.evidence(inc)
        articles = []
        for art_id in detail["articles"]:
            art = db.article(art_id)
            spans = [(c["start"], c["end"], name) for name, claims in ev.items()
                     for c in claims if c["article_id"] == art_id]
            articles.append({"id": art_id, "source": next(s for s in detail["sources_detail"]
                                                          if s["article_id"] == art_id),
                             "segments": views.highlight(art.get("clean_text") or "", spans)})
        return render(request, "incident.html", inc=inc, f=inc.fields, detail=detail, evidence=ev,
                      field_order=views.FIELD_ORDER, conflict=views.has_conflict, articles=articles,
                      chart=views.toll_chart(inc.fields.get("toll_history") or []),
                      editable=EDITABLE_FIELDS, attack_types=ATTACK_TYPES)

    @router.get("/articles/{article_id}", response_class=HTMLResponse)
    def article_page(request: Request, article_id: str):
        auth.require_reader(request)
        art = db.article(article_id)
        raw = art.get("raw") or b""
        return render(request, "article.html", art=art, safe_url=views.safe_url(art.get("url")),
                      raw_text=bytes(raw).decode("utf-8", errors="replace"))

    @router.get("/map", response_class=HTMLResponse)
    def map_page(request: Request):
        auth.require_reader(request)
        everything = db.search(page=1, per_page=MAP_LIMIT, with_mentions=False, **queries.parse_filters(request.query_params))
        return render(request, "map.html", points=views.map_points(everything.items), total=everything.total)

    @router.get("/timeline", response_class=HTMLResponse)
    def timeline_page(request: Request):
        auth.require_reader(request)
        filters = queries.parse_filters(request.query_params)
        total = db.search(page=1, per_page=1, with_mentions=False, **filters).total
        return render(request, "timeline.html", tl=views.timeline(db.aggregate("month", **filters),
                                                                  db.aggregate("year", **filters), total))

    @router.get("/levels", response_class=HTMLResponse)
    def levels_page(request: Request, region: str | None = None):
        auth.require_reader(request)
        region = region or None
        return render(request, "levels.html", region=region or "",
                      official=list(reversed(db.threat_levels(region))),
                      activity=db.activity_levels(region),
                      history=list(reversed(db.activity_levels(region, history=True))))

    @router.get("/audit", response_class=HTMLResponse)
    def audit_page(request: Request):
        auth.require_reader(request)
        return render(request, "audit.html", entries=list(reversed(db.audit_log())))

    # ---- signing in
    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request):
        return render(request, "login.html")

    @router.post("/login")
    def login(request: Request, token: str = Form(...), csrf: str = Form("")):
        auth.check_csrf(request, csrf)
        who = db.token_owner(token.strip())
        if not who:
            return render(request, "login.html", status=401, error="that token is not valid")
        resp = back("/", f"signed in as {who}")
        resp.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
        return resp

    @router.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        auth.check_csrf(request, csrf)
        resp = back("/", "signed out")
        resp.delete_cookie(COOKIE, path="/")
        return resp

    # ---- review forms
    @router.post("/incidents/{incident_id}/edit")
    def edit(request: Request, incident_id: str, field: str = Form(...), value: str = Form(""),
             note: str = Form(""), csrf: str = Form("")):
        who = auth.require_form_writer(request, csrf)
        entry = db.edit(incident_id, field, value, who, note or None)
        return back(f"/incidents/{incident_id}", f"#{entry['id']}: {field} set by {who}")

    @router.post("/incidents/{incident_id}/merge")
    def merge(request: Request, incident_id: str, other: str = Form(...), note: str = Form(""),
              csrf: str = Form("")):
        who = auth.require_form_writer(request, csrf)
        entry = db.merge(incident_id, other.strip(), who, note or None)
        return back(f"/incidents/{incident_id}", f"#{entry['id']}: merged {other.strip()} into {incident_id}")

    @router.post("/incidents/{incident_id}/split")
    def split(request: Request, incident_id: str, article_ids: list[str] = Form(...), note: str = Form(""),
              csrf: str = Form("")):
        who = auth.require_form_writer(request, csrf)
        entry = db.split(incident_id, article_ids, who, note or None)
        return back(f"/incidents/{incident_id}", f"#{entry['id']}: split off {entry['detail']['new']}")

    @router.post("/incidents/{incident_id}/reviewed")
    def reviewed(request: Request, incident_id: str, note: str = Form(""), csrf: str = Form("")):
        who = auth.require_form_writer(request, csrf)
        entry = db.mark_reviewed(incident_id, who, note or None)
        return back(f"/incidents/{incident_id}", f"#{entry['id']}: marked reviewed by {who}")

    @router.post("/audit/{audit_id}/undo")
    def undo(request: Request, audit_id: int, back_to: str = Form("/audit"), csrf: str = Form("")):
        who = auth.require_form_writer(request, csrf)
        entry = db.undo(audit_id, who)
        target = back_to if back_to.startswith("/") and not back_to.startswith("//") else "/audit"
        return back(target, f"#{entry['id']}: undid #{audit_id}")

    return router
