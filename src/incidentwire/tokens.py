"""API tokens: who may write (review actions, uploads) and, when configured, read.

A token is shown once, when created; the database keeps only its SHA-256 hash and the name of
whoever holds it, which the audit log records as "who". Tokens are never logged: the web layer
accepts them only in the Authorization header or a cookie, never in a URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import text

from .errors import AuthError
from .store import Store

PREFIX = "iw_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str) -> str:
    """A new token for ``name``; returns the token itself (it cannot be recovered later)."""
    name = (name or "").strip()
    if not name:
        raise AuthError("a token needs a name (who will use it)")
    token = PREFIX + secrets.token_urlsafe(32)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO api_tokens (name, token_hash, created_at) VALUES (:n, :h, :at)"),
                     {"n": name, "h": _hash(token),
                      "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    return token


def token_owner(store: Store, token: str | None) -> str | None:
    """The name a valid, unrevoked token belongs to, else None."""
    if not token:
        return None
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT name FROM api_tokens WHERE token_hash = :h AND revoked_at IS NULL"),
                            {"h": _hash(token)}).scalar()


def list_tokens(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(
            "SELECT id, name, created_at, revoked_at FROM api_tokens ORDER BY id")).mappings()]


def revoke_token(store: Store, token_id: int) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(text("UPDATE api_tokens SET revoked_at = :at WHERE id = :i AND revoked_at IS NULL"),
                            {"i": token_id, "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    if not done.rowcount:
        raise AuthError(f"no active token with id {token_id}")
