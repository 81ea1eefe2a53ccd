"""Helpers for the web tests: a real uvicorn server on 127.0.0.1 in a thread, a sample database
(the bundled news plus hostile articles) ingested once, and the system Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import uvicorn

import incidentwire
from incidentwire.web import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "news"
EXAMPLES_META = ROOT / "examples" / "news.metadata.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
# Playwright gives every launch a fresh temporary profile (its own --user-data-dir).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Articles that try to run code when shown: every one must appear as plain text.
XSS_TEXT = (
    "Gunmen attacked a market in Peshawar, Pakistan, on Monday, killing 7 people, police said.\n"
    "Witnesses said one attacker shouted <script>window.__xss = 'inline script'</script> and fired at "
    "stalls <img src=\"x\" onerror=\"window.__xss = 'inline onerror'\"> near the "
    "<a href=\"javascript:window.__xss='js url'\" id=\"evil-link\">main gate</a> of the market.\n"
    "<script>window.__xss = 'script tag'</script>\n"
    "A spokesman said 7 people were killed in the attack on the Peshawar market.\n"
)
XSS_HTML = (
    "<html><head><title>Bomb kills 5 in Quetta</title></head><body><article>"
    "<h1>Bomb kills 5 in Quetta <img src=x onerror=\"window.__xss='html onerror'\"></h1>"
    "<p>A bomb exploded in Quetta, Pakistan, on Tuesday, killing 5 people, officials said.</p>"
    "<p>&lt;script&gt;window.__xss='escaped script'&lt;/script&gt; The blast hit a police van.</p>"
    "<script>window.__xss='html script'</script>"
    "</article></body></html>"
)
XSS_META = [
    {"doc_id": "xss-market", "published": "2024-03-05", "publisher": "<b onmouseover=\"window.__xss='publisher'\">Evil</b>",
     "title": "<svg onload=\"window.__xss='title'\"></svg>Market attack", "url": "javascript:window.__xss='url'"},
    {"doc_id": "xss-quetta", "published": "2024-03-06", "publisher": "Quetta Times",
     "url": "https://example.org/quetta\"><script>window.__xss='url2'</script>"},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_hostile_articles(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "xss-market.txt").write_text(XSS_TEXT, encoding="utf-8")
    (folder / "xss-quetta.html").write_text(XSS_HTML, encoding="utf-8")
    meta = folder.parent / "xss.metadata.jsonl"
    meta.write_text("\n".join(json.dumps(m) for m in XSS_META) + "\n", encoding="utf-8")
    return folder, meta


def build_sample_db(path: Path) -> Path:
    """The bundled sample news and the hostile articles, ingested into a SQLite file."""
    folder, meta = write_hostile_articles(path.parent / "hostile")
    db = incidentwire.open(path)
    db.ingest([EXAMPLES], metadata=EXAMPLES_META)
    db.ingest([folder], metadata=meta)
    db.store.engine.dispose()   # closes the connections, so the WAL is folded into the file
    return path


def copy_db(template: Path, to: Path) -> Path:
    shutil.copy(template, to)
    return to


class Server:
    """uvicorn serving the app on a free loopback port, in a background thread."""

    def __init__(self, app, log_config=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="info",
                                log_config=log_config, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve_db(path: Path, **options) -> tuple[Server, incidentwire.Database]:
    db = incidentwire.open(path)
    return Server(create_app(db, **options)), db
