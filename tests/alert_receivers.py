"""Real local receivers for alert tests: an HTTP webhook server on 127.0.0.1 that can fail the
first N requests of each alert, hold a request open, check HMAC signatures and drop repeats by Idempotency-Key."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from incidentwire.alerts import verify_signature


class WebhookReceiver:
    """Start with ``with WebhookReceiver(...) as r:``; ``r.url`` is where to POST."""

    def __init__(self, secret: str = "s3cret", fail_first: int = 0, hold_request: int | None = None):
        self.secret = secret
        self.fail_first = fail_first              # per Idempotency-Key
        self.hold_request = hold_request          # the n-th request (1-based) waits for release()
        self.requests: list[dict] = []            # every request, in arrival order
        self.accepted: dict[str, dict] = {}       # idempotency key -> first body acknowledged
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                key = self.headers.get("Idempotency-Key")
                with receiver._lock:
                    n = len(receiver.requests) + 1
                    tries = sum(r["key"] == key for r in receiver.requests) + 1
                    receiver.requests.append({
                        "key": key, "body": body, "at": time.monotonic(),
                        "signed": verify_signature(receiver.secret, body,
                                                   self.headers.get("X-Incidentwire-Signature"))})
                if n == receiver.hold_request:
                    receiver.held.set()
                    receiver._release.wait(30)
                if tries <= receiver.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.accepted.setdefault(key, json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def release(self) -> None:
        self._release.set()

    def keys(self) -> list[str]:
        return [r["key"] for r in self.requests]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release()
        self.server.shutdown()
        self.server.server_close()
