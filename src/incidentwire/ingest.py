"""Ingest stage: turn paths (files, folders, JSONL) into ``Article`` records.

Reads .txt, .html/.htm, and .jsonl/.ndjson files (one article per line with ``doc_id`` and
``text``, the format of the shared eval kit), walking folders recursively. The raw bytes and
their SHA-256 are kept so a re-ingest of the same content is a no-op. Anything that cannot be
read (missing path, binary file, undecodable text, bad JSON line) comes back as a ``Rejected``
record with its reason, never dropped silently.

An article's id is its ``doc_id`` (JSONL) or its file name without extension. Publication
metadata comes, in order of trust, from a sidecar file (``--metadata``: JSONL or CSV keyed by
``doc_id`` or ``file``), the record's own fields, then the HTML page's metadata.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError
from .records import Article, Rejected

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
META_FIELDS = ("title", "publisher", "url", "published")
_PUBLISHED_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_metadata(path: str | Path) -> dict[str, dict]:
    """Read a metadata sidecar (JSONL or CSV) into {doc_id or file name: {title, publisher, url,
    published}}. Raises InputError with the file and line on bad input."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"metadata file not found: {path}")
    rows: list[dict] = []
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        else:
            with path.open(encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        try:
                            rows.append(json.loads(line))
                        except json.JSONDecodeError as e:
                            raise InputError(f"{path}:{n}: not valid JSON ({e.msg})") from None
    except UnicodeDecodeError:
        raise InputError(f"metadata file is not UTF-8 text: {path}") from None
    out: dict[str, dict] = {}
    for n, row in enumerate(rows, 1):
        keys = [str(row[k]) for k in ("doc_id", "file") if row.get(k)]
        if not keys:
            raise InputError(f"{path}: record {n} has neither doc_id nor file")
        meta = {k: (row.get(k) or None) for k in META_FIELDS}
        if meta["published"] and not _PUBLISHED_RE.match(str(meta["published"])):
            raise InputError(f"{path}: record {n}: published must be YYYY, YYYY-MM or YYYY-MM-DD, "
                             f"got {meta['published']!r}")
        for key in keys:
            out[key] = meta
    return out


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | Rejected]:
    """Expand paths into readable files, folders recursively, in a stable order."""
    for p in map(Path, paths):
        if not p.exists():
            yield Rejected(str(p), "path does not exist")
        elif p.is_dir():
            for child in sorted(c for c in p.rglob("*") if c.is_file()):
                if child.suffix.lower() in SUPPORTED:
                    yield child
                elif not child.name.startswith("."):
                    yield Rejected(str(child), f"unsupported file type {child.suffix or '(none)'!r}")
        else:
            yield p


def decode(raw: bytes, source: str) -> str:
    """Decode bytes as text, refusing binary content."""
    if b"\x00" in raw[:8192]:
        raise InputError(f"{source}: binary file (contains NUL bytes), not a news article")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{source}: cannot decode as UTF-8 or Windows-1252 text")


def read_articles(paths: Iterable[str | Path], metadata: dict[str, dict] | None = None
                  ) -> Iterator[Article | Rejected]:
    """Yield one Article per readable document under ``paths``, or a Rejected with the reason."""
    metadata = metadata or {}
    for item in iter_files(paths):
        if isinstance(item, Rejected):
            yield item
            continue
        try:
            raw = item.read_bytes()
        except OSError as e:
            yield Rejected(str(item), f"cannot read file: {e.strerror or e}")
            continue
        suffix = item.suffix.lower()
        try:
            if suffix in JSONL_SUFFIXES:
                yield from _jsonl_articles(item, raw, metadata)
                continue
            text = decode(raw, str(item))
        except InputError as e:
            yield Rejected(str(item), str(e))
            continue
        if not text.strip():
            yield Rejected(str(item), "empty file")
            continue
        art = Article(id=item.stem, text=text, source=str(item), raw=raw, content_hash=sha256(raw),
                      format="html" if suffix in HTML_SUFFIXES else "text")
        _apply_metadata(art, metadata.get(art.id) or metadata.get(item.name), "metadata sidecar")
        yield art


def _jsonl_articles(path: Path, raw: bytes, metadata: dict[str, dict]) -> Iterator[Article | Rejected]:
    text = decode(raw, str(path))
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield Rejected(where, f"not valid JSON ({e.msg})")
            continue
        if not isinstance(rec, dict) or not rec.get("doc_id") or not isinstance(rec.get("text"), str):
            yield Rejected(where, "JSONL record needs a 'doc_id' and a string 'text'")
            continue
        line_bytes = line.encode("utf-8")
        art = Article(id=str(rec["doc_id"]), text=rec["text"], source=where, raw=line_bytes,
                      content_hash=sha256(line_bytes), format="jsonl")
        own = {"title": rec.get("title"), "url": rec.get("url"), "publisher": rec.get("publisher"),
               "published": rec.get("published") or rec.get("pub_date")}
        if not own["published"] and rec.get("dateline"):
            own["published"] = _date_from_dateline(rec["dateline"])
        _apply_metadata(art, own, "record field" if own["published"] else None)
        _apply_metadata(art, metadata.get(art.id), "metadata sidecar")
        yield art


def _date_from_dateline(dateline: str) -> str | None:
    """A wire dateline such as "SAN SALVADOR, 10 JAN 90" states the publication day."""
    from .extract.dates import find_dates
    found = [d for d in find_dates(dateline, None) if d.precision == "day"]
    return found[0].value if found else None


def _apply_metadata(art: Article, meta: dict | None, basis: str | None) -> None:
    if not meta:
        return
    for key in ("title", "publisher", "url"):
        if meta.get(key):
            setattr(art, key, str(meta[key]))
    pub = meta.get("published")
    if pub and _PUBLISHED_RE.match(str(pub)[:10]):
        art.published = str(pub)[:10]
        art.published_basis = basis
