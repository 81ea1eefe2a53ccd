"""Who is asking, and may they: API tokens, the browser session cookie, CSRF tokens.

- Programs send ``Authorization: Bearer <token>``; a browser signs in once with a token and gets
  it back as an HttpOnly, SameSite=Strict cookie. A token is never taken from a URL, so it
  never reaches an access log.
- JSON write endpoints accept only the header (a cookie would make them forgeable cross-site).
- HTML form posts carry a CSRF token: an HMAC of the session (or of "anonymous" for the sign-in
  form) under a secret kept in memory for the server's life (shared by its worker processes);
  a post without the right one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from ..errors import AuthError

COOKIE = "iw_session"


class Auth:
    def __init__(self, db, protect_reads: bool = False, secret: bytes | None = None):
        self.db = db
        self.protect_reads = protect_reads
        # several worker processes must share it, or a form shown by one fails at another
        self._secret = secret or secrets.token_bytes(32)

    # ---- who
    @staticmethod
    def header_token(request: Request) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def user(self, request: Request, allow_cookie: bool = True) -> str | None:
        """The name behind the request's token (header first, then the session cookie)."""
        token = self.header_token(request) or (request.cookies.get(COOKIE) if allow_cookie else None)
        return self.db.token_owner(token)

    def require_reader(self, request: Request) -> str | None:
        user = self.user(request)
        if self.protect_reads and not user:
            raise AuthError("this server requires a token to read: send 'Authorization: Bearer <token>' "
                            "or sign in at /login")
        return user

    def require_api_writer(self, request: Request) -> str:
        user = self.db.token_owner(self.header_token(request))
        if not user:
            raise AuthError("writing needs a valid token in 'Authorization: Bearer <token>' "
                            "(create one with: incidentwire token create NAME)")
        return user

    # ---- CSRF
    def csrf_token(self, request: Request) -> str:
        session = request.cookies.get(COOKIE) or "anonymous"
        return hmac.new(self._secret, hashlib.sha256(session.encode()).digest(), "sha256").hexdigest()

    def check_csrf(self, request: Request, sent: str | None) -> None:
        if not sent or not hmac.compare_digest(sent, self.csrf_token(request)):
            raise CsrfError("the form's CSRF token is missing or stale: reload the page and try again")

    def require_form_writer(self, request: Request, csrf: str | None) -> str:
        self.check_csrf(request, csrf)
        user = self.user(request)
        if not user:
            raise AuthError("sign in with a token to review incidents")
        return user


class CsrfError(AuthError):
    """A form post without the CSRF token of the page that showed it."""
