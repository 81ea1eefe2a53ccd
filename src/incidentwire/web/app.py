"""The FastAPI application: REST API (/api), HTML pages, offline API docs, static files.

Dependencies and why: FastAPI + uvicorn (REST, the house choice), Jinja2 (autoescaped pages),
python-multipart (form posts and uploads), fastapi-offline (Swagger UI assets shipped
in a PyPI package, so /docs renders without a CDN).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import AuthError, IncidentwireError, NotFoundError, ReviewError
from . import pages, rest
from .auth import Auth, CsrfError

STATIC = Path(__file__).parent / "static"
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Pages load scripts, styles and data only from this server; even a rendering bug could not run
# an injected inline script or handler. The API docs pages use inline scripts and are exempt.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_DOCS = ("/docs",)


def _status(exc: Exception) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, CsrfError):
        return 403
    if isinstance(exc, AuthError):
        return 401
    if isinstance(exc, ReviewError):
        return 409 if "undo" in str(exc) or "already" in str(exc) else 422
    return 400


class UploadLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413, whether the client
    declares a Content-Length or streams the body."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _too_large(self.max_bytes, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLarge()
            return message
        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(self.max_bytes, send)


class SecurityHeaders:
    """ASGI middleware adding the CSP (pages only) and no-sniff / no-referrer headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        if not scope["path"].startswith(_DOCS):
            extra.append((b"content-security-policy", CSP.encode()))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)
        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


async def _too_large(max_bytes: int, send) -> None:
    body = JSONResponse({"error": {"status": 413, "type": "PayloadTooLarge",
                                   "message": f"request body over the limit of {max_bytes} bytes"}},
                        status_code=413)
    await send({"type": "http.response.start", "status": 413, "headers": body.raw_headers})
    await send({"type": "http.response.body", "body": body.body})


def create_app(db, protect_reads: bool = False, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
               csrf_secret: bytes | None = None):
    """The web application over an open ``incidentwire.Database``."""
    # ReDoc is left out: its bundle fetches a logo from its vendor's CDN
    app = FastAPIOffline(title="incidentwire", version=__version__, static_url="/static/apidocs", redoc_url=None,
                         description="Reconciled, evidence-backed incidents of political violence. "
                                     "Writes need `Authorization: Bearer <token>` "
                                     "(`incidentwire token create NAME`).")
    auth = Auth(db, protect_reads=protect_reads, secret=csrf_secret)
    app.state.db, app.state.auth = db, auth
    app.include_router(rest.build_router(db, auth))
    app.include_router(pages.build_router(db, auth))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(UploadLimit, max_bytes=max_upload_bytes)

    app.add_middleware(SecurityHeaders)

    def error(request: Request, status: int, kind: str, message: str):
        if request.url.path.startswith("/api") or request.url.path.startswith(_DOCS):
            return JSONResponse({"error": {"status": status, "type": kind, "message": message}},
                                status_code=status)
        tpl = pages.templates()
        return tpl.TemplateResponse(request, "error.html", {
            "request": request, "status": status, "message": message, "user": None, "csrf": "",
            "msg": None}, status_code=status)

    @app.exception_handler(IncidentwireError)
    async def library_error(request: Request, exc: IncidentwireError):
        return error(request, _status(exc), type(exc).__name__, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error(request, exc.status_code, "HTTPError", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        parts = ["/".join(str(x) for x in e.get("loc", ())) + ": " + e.get("msg", "") for e in exc.errors()]
        return error(request, 422, "ValidationError", "; ".join(parts))

    return app


_ENV = "INCIDENTWIRE_SERVE"


def app_from_environment():
    """The application a uvicorn worker process builds from the settings ``serve`` left in the
    environment (uvicorn starts workers from an import string, not from an object)."""
    import json

    from .. import api
    settings = json.loads(os.environ[_ENV])
    return create_app(api.open(settings["db"]), settings["protect_reads"], settings["max_upload_bytes"],
                      bytes.fromhex(settings["secret"]))


def serve(db, host: str = "127.0.0.1", port: int = 8000, protect_reads: bool = False,
          max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES, log_level: str = "info",
          timeout_keep_alive: int = 5, workers: int = 1) -> None:
    """Run the web application with uvicorn until interrupted; ``workers`` > 1 runs that many
    processes on one socket (``db`` is then the database path or URL)."""
    import json
    import secrets

    import uvicorn
    options = dict(host=host, port=port, log_level=log_level, timeout_keep_alive=timeout_keep_alive)
    if workers <= 1:
        uvicorn.run(create_app(db, protect_reads, max_upload_bytes), **options)
        return
    os.environ[_ENV] = json.dumps({"db": str(getattr(getattr(db, "store", None), "url", db)),
                                   "protect_reads": protect_reads, "max_upload_bytes": max_upload_bytes,
                                   "secret": secrets.token_hex(32)})
    uvicorn.run("incidentwire.web.app:app_from_environment", factory=True, workers=workers, **options)


__all__ = ["create_app", "serve"]
