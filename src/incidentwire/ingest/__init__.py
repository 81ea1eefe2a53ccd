"""Ingest stage: turn paths (files, folder trees, archives, stdin) into ``Article`` records.

Formats (see ``sources.py``; new ones plug in with ``register_source``): plain text, HTML in
any encoding, JSONL/NDJSON/JSON and CSV exports with configurable field names, RSS/Atom
feeds, WARC crawls, .gz and .zip archives of any of these, and ``-`` for stdin.

Nothing is lost: every input becomes Articles or a ``Rejected`` record with a kind and a
reason (missing, unreadable, binary, empty, too-large, undecodable, malformed-json with its
line number, malformed-record, malformed-feed, malformed-archive, unsupported), which the
pipeline stores in quarantine. The raw bytes and their SHA-256 are kept so a re-ingest of the
same content is a no-op.

An article's id is its record's id field (``doc_id``), its file name without extension, or,
for feed entries, WARC responses and id-less records, a hash of its URL or feed guid.
Publication metadata comes, in order of trust, from a sidecar file (``--metadata``: JSONL or
CSV keyed by ``doc_id`` or ``file``), the record's own fields (feed entry dates, JSON/CSV
fields), then the page itself (HTML metadata, a dateline; see clean.py).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..records import Article, Rejected
from .sources import (DEFAULT_MAX_BYTES, Blob, IngestOptions, Source, dispatch, pick_source,
                      register_source, sha256, sources)

__all__ = ["read_articles", "load_metadata", "input_files", "IngestOptions", "register_source", "sources",
           "Source", "Blob", "pick_source", "sha256", "DEFAULT_MAX_BYTES", "STDIN", "SUPPORTED", "JSONL_SUFFIXES",
           "supported_suffixes"]

STDIN = "-"


def supported_suffixes() -> frozenset[str]:
    """Every file suffix a registered source reads (plugins included)."""
    return frozenset(s for src in sources() for s in src.suffixes)


# The built-in suffixes, for callers that pick files before reading (watch.py); a folder walk
# itself reads every file and sniffs those without a known suffix.
SUPPORTED = supported_suffixes()
JSONL_SUFFIXES = frozenset(next(s for s in sources() if s.name == "jsonl").suffixes)
META_FIELDS = ("title", "publisher", "url", "published", "author")
_PUBLISHED_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def load_metadata(path: str | Path) -> dict[str, dict]:
    """Read a metadata sidecar (JSONL or CSV) into {doc_id or file name: {title, publisher, url,
    published, author}}. Raises InputError with the file and line on bad input."""
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
        if not isinstance(row, dict):
            raise InputError(f"{path}: record {n} is not an object")
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


def input_files(paths: Iterable[str | Path]) -> Iterator[Path | str | Rejected]:
    """Expand paths into files (folders recursively, sorted, dot files skipped), ``-`` for
    stdin, or a Rejected for a path that does not exist."""
    for p in paths:
        if str(p) == STDIN:
            yield STDIN
            continue
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        elif p.exists():
            yield p
        else:
            yield Rejected(str(p), "path does not exist", kind="missing", path=str(p))


def read_file(path: Path | str, options: IngestOptions) -> Iterator[Article | Rejected]:
    """Every article in one file (or stdin), or the reasons it has none."""
    if path == STDIN:
        data = sys.stdin.buffer.read(options.max_bytes + 1)
        yield from dispatch(Blob(data, "<stdin>", "<stdin>", None), options)
        return
    where = str(path)
    try:
        size = path.stat().st_size
        if size > options.max_bytes:
            yield Rejected(where, f"{size:,} bytes is over the {options.max_bytes:,}-byte limit "
                           "(raise it with --max-size)", kind="too-large", path=where)
            return
        data = path.read_bytes()
    except OSError as e:
        yield Rejected(where, f"cannot read file: {e.strerror or e}", kind="unreadable", path=where)
        return
    yield from dispatch(Blob(data, where, path.name, where), options)


def read_articles(paths: Iterable[str | Path], metadata: dict[str, dict] | None = None,
                  options: IngestOptions | None = None) -> Iterator[Article | Rejected]:
    """Yield one Article per document under ``paths``, or a Rejected with the reason."""
    options = options or IngestOptions()
    if metadata:
        options.metadata = metadata
    for item in input_files(paths):
        if isinstance(item, Rejected):
            yield item
        else:
            yield from read_file(item, options)

