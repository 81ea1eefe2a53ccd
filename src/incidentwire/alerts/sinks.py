"""Alert sinks: where alerts go. A plugin point, by registration.

A sink is an object with ``send(alert)``: it returns when the receiver has acknowledged the
alert and raises :class:`~incidentwire.errors.DeliveryError` (or ``OSError``) when it has not;
the outbox (:mod:`.outbox`) retries with backoff and dead-letters after ``max_attempts``. Every
sink's settings may set ``max_attempts`` (default 5), ``backoff_s`` (first retry delay, doubled
each time, default 2) and ``max_backoff_s`` (default 300).

Built in (``type`` in the configuration):

* ``cap`` - ``dir``: one validated CAP 1.2 file per alert (``<id>.xml``, written atomically);
* ``atom`` - ``path``: an Atom feed file, newest first, at most ``max_entries`` (default 100);
* ``jsonl`` - ``path`` (``-`` for standard output): one JSON alert a line;
* ``webhook`` - ``url``: a JSON POST, signed with HMAC-SHA256 of the body under ``secret`` (or
  the environment variable named by ``secret_env``) in ``X-Incidentwire-Signature: sha256=<hex>``;
  ``Idempotency-Key`` carries the alert id so a receiver can drop a repeat; 2xx acknowledges;
* ``smtp`` - ``host``, ``port``, ``from``, ``to`` (list), optional ``starttls``, ``username`` and
  ``password_env``: a plain-text mail whose Message-ID derives from the alert id.

New sinks: decorate a factory ``(name, settings, sender) -> sink`` with
``@register_sink("type")``, or expose it under the ``incidentwire.alert_sinks`` entry-point group.
httpx is used for webhooks (timeouts, connection errors as exceptions); smtplib and email from
the standard library for mail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import sys
from collections.abc import Callable
from email.message import EmailMessage
from importlib.metadata import entry_points
from pathlib import Path

import httpx
from lxml import etree

from ..errors import AlertError, DeliveryError
from .events import Alert
from .formats import ATOM_NS, atom_entry, atom_feed, to_cap

SIGNATURE_HEADER = "X-Incidentwire-Signature"
_REGISTRY: dict[str, Callable] = {}


def register_sink(type_name: str):
    """Register a sink factory ``(name, settings, sender) -> sink`` under a ``type`` name."""
    def deco(factory):
        _REGISTRY[type_name] = factory
        return factory
    return deco


class BaseSink:
    def __init__(self, name: str, settings: dict, sender: str):
        self.name = name
        self.settings = settings
        self.sender = sender
        self.max_attempts = int(settings.get("max_attempts", 5))
        self.backoff_s = float(settings.get("backoff_s", 2.0))
        self.max_backoff_s = float(settings.get("max_backoff_s", 300.0))

    def _need(self, key: str):
        if not self.settings.get(key):
            raise AlertError(f"sink {self.name!r} ({self.settings.get('type')}) needs {key!r}")
        return self.settings[key]

    def close(self) -> None:
        """Release connections; called when delivery stops."""


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _safe_name(alert_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in alert_id)


@register_sink("cap")
class CapFileSink(BaseSink):
    def send(self, alert: Alert) -> None:
        _write_atomically(Path(self._need("dir")) / f"{_safe_name(alert.id)}.xml", to_cap(alert, self.sender))


@register_sink("atom")
class AtomFileSink(BaseSink):
    def send(self, alert: Alert) -> None:
        path = Path(self._need("path"))
        limit = int(self.settings.get("max_entries", 100))
        entries = []
        if path.is_file():
            entries = etree.parse(str(path)).getroot().findall(f"{{{ATOM_NS}}}entry")
        new = atom_entry(alert)
        new_id = new.findtext(f"{{{ATOM_NS}}}id")
        kept = [e for e in entries if e.findtext(f"{{{ATOM_NS}}}id") != new_id][: limit - 1]
        feed = etree.fromstring(atom_feed([], title=self.settings.get("title", "incidentwire alerts")).encode())
        feed.find(f"{{{ATOM_NS}}}updated").text = new.findtext(f"{{{ATOM_NS}}}updated")
        feed.extend([new, *kept])
        _write_atomically(path, etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@register_sink("jsonl")
class JsonLinesSink(BaseSink):
    def send(self, alert: Alert) -> None:
        line = json.dumps(alert.to_dict(), ensure_ascii=False) + "\n"
        target = self._need("path")
        if target == "-":
            sys.stdout.write(line)
            sys.stdout.flush()
            return
        with open(target, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


def sign(secret: str | bytes, body: bytes) -> str:
    """The signature header value for a webhook body: ``sha256=<hex HMAC-SHA256>``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """For receivers: whether ``header`` is the right signature of ``body`` (constant time)."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header)


@register_sink("webhook")
class WebhookSink(BaseSink):
    def __init__(self, name, settings, sender):
        super().__init__(name, settings, sender)
        self.url = self._need("url")
        secret = settings.get("secret")
        if settings.get("secret_env"):
            secret = os.environ.get(settings["secret_env"])
            if not secret:
                raise AlertError(f"sink {name!r}: environment variable {settings['secret_env']} is not set")
        self.secret = secret or ""
        self.client = httpx.Client(timeout=float(settings.get("timeout_s", 10.0)))

    def send(self, alert: Alert) -> None:
        body = json.dumps(alert.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": alert.id,
                   "User-Agent": "incidentwire-alerts"}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        try:
            resp = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as e:
            raise DeliveryError(f"POST {self.url}: {e.__class__.__name__}: {e}") from None
        if not 200 <= resp.status_code < 300:
            raise DeliveryError(f"POST {self.url}: HTTP {resp.status_code}")

    def close(self) -> None:
        self.client.close()


@register_sink("smtp")
class SmtpSink(BaseSink):
    def send(self, alert: Alert) -> None:
        to = self._need("to")
        msg = EmailMessage()
        msg["From"] = self._need("from")
        msg["To"] = ", ".join(to) if isinstance(to, list) else to
        msg["Subject"] = f"[incidentwire] {alert.headline}"[:200]
        msg["Message-ID"] = f"<{_safe_name(alert.id)}@incidentwire>"
        if alert.references:
            msg["References"] = " ".join(f"<{_safe_name(r['id'])}@incidentwire>" for r in alert.references)
        ev = alert.evidence or {}
        lines = [alert.description, ""]
        if ev.get("quote"):
            lines.append(f'Evidence ({ev.get("article_id")}, {ev.get("publisher") or "?"}): "{ev["quote"]}"')
        if ev.get("url"):
            lines.append(ev["url"])
        lines += ["", f"alert id: {alert.id}"]
        msg.set_content("\n".join(lines))
        host, port = self._need("host"), int(self.settings.get("port", 25))
        try:
            with smtplib.SMTP(host, port, timeout=float(self.settings.get("timeout_s", 10.0))) as smtp:
                if self.settings.get("starttls"):
                    smtp.starttls()
                if self.settings.get("username"):
                    smtp.login(self.settings["username"], os.environ.get(self.settings.get("password_env", ""), ""))
                smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(f"SMTP {host}:{port}: {e}") from None


def build_sinks(settings: dict[str, dict], sender: str = "incidentwire@localhost") -> dict[str, BaseSink]:
    """The configured sinks by name (plugins from the ``incidentwire.alert_sinks`` entry points)."""
    for ep in entry_points(group="incidentwire.alert_sinks"):
        _REGISTRY.setdefault(ep.name, ep.load())
    out = {}
    for name, cfg in settings.items():
        factory = _REGISTRY.get(cfg.get("type"))
        if factory is None:
            raise AlertError(f"sink {name!r}: unknown type {cfg.get('type')!r}; known: {', '.join(sorted(_REGISTRY))}")
        out[name] = factory(name, cfg, sender)
    return out
