"""Source readers: one function per input format, found by registration.

A reader takes a ``Blob`` (the bytes of one file or archive member, where it came from) and
the run's ``IngestOptions`` and yields ``Article`` or ``Rejected`` records -- never raises for
bad input. Built in: plain text, HTML, JSONL/NDJSON/JSON, CSV/TSV, RSS/Atom (feedparser),
WARC (warcio), .gz and .zip (which hand their members back to ``dispatch``).

New formats plug in without editing this file::

    from incidentwire.ingest import register_source

    @register_source("mbox", suffixes=(".mbox",), sniff=lambda head: head.startswith(b"From "))
    def read_mbox(blob, options):
        ...yield Article(...) or Rejected(...)

or from another package through the ``incidentwire.sources`` entry-point group (the entry
point is imported, which runs its ``register_source`` calls).

Which reader: the file suffix first (after ``.gz``), then each reader's ``sniff`` of the first
bytes in registration order (stdin and files without a known suffix), then plain text.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath

from ..clean import publisher_from_url
from ..records import Article, Rejected
from .decode import DecodeError, decode

MAX_ARCHIVE_DEPTH = 3
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Field names tried, in order, when the user names none (--text-field etc. override).
FIELD_CANDIDATES = {
    "id": ("doc_id", "id", "guid"),
    "text": ("text", "content", "body", "article", "maintext", "story"),
    "title": ("title", "headline"),
    # Not a bare "date": in event datasets it is the incident's date, not the article's.
    "published": ("published", "pub_date", "published_at", "date_publish", "datePublished", "pubDate"),
    "url": ("url", "link", "uri"),
    "publisher": ("publisher", "outlet", "site", "site_name", "source_name", "source"),
    "author": ("author", "authors", "byline"),
}


@dataclass(frozen=True)
class Blob:
    """The bytes of one input: a file, an archive member, stdin."""

    data: bytes
    where: str            # what a user reads: path, path!member, <stdin>
    name: str             # file name: its suffix picks the reader, its stem is the article id
    path: str | None      # the file on disk to read again on retry (None for stdin)
    depth: int = 0        # archive nesting


@dataclass
class IngestOptions:
    """How to read inputs: sidecar metadata, record field names, the size limit."""

    metadata: dict[str, dict] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)   # {"text": "body", "published": "date", ...}
    max_bytes: int = DEFAULT_MAX_BYTES

    def candidates(self, key: str) -> tuple[str, ...]:
        return (self.fields[key],) if self.fields.get(key) else FIELD_CANDIDATES[key]


Reader = Callable[[Blob, IngestOptions], Iterator["Article | Rejected"]]


@dataclass(frozen=True)
class Source:
    name: str
    suffixes: tuple[str, ...]
    read: Reader
    sniff: Callable[[bytes], bool] | None = None


_SOURCES: dict[str, Source] = {}
_plugins_loaded = False


def register_source(name: str, suffixes: tuple[str, ...] = (), sniff: Callable[[bytes], bool] | None = None):
    """Decorator: register ``read(blob, options)`` for files ending in ``suffixes`` (lower case,
    with the dot) and for content whose first 2 KB ``sniff`` accepts. A later registration of
    the same name replaces the earlier one."""
    def deco(read: Reader) -> Reader:
        _SOURCES[name] = Source(name, tuple(s.lower() for s in suffixes), read, sniff)
        return read
    return deco


def sources() -> list[Source]:
    """Every registered source, built-in and plugin."""
    _load_plugins()
    return list(_SOURCES.values())


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group="incidentwire.sources"):
        ep.load()


def pick_source(name: str, head: bytes) -> Source:
    """The reader for a file called ``name`` starting with ``head``."""
    _load_plugins()
    low = name.lower()
    by_suffix = [(len(s), src) for src in _SOURCES.values() for s in src.suffixes if low.endswith(s)]
    if by_suffix:
        return max(by_suffix, key=lambda x: x[0])[1]
    for src in _SOURCES.values():
        if src.sniff and src.sniff(head):
            return src
    return _SOURCES["text"]


def dispatch(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    """Read one blob with its reader; size and emptiness are checked here for every format."""
    if len(blob.data) > options.max_bytes:
        yield _reject(blob, "too-large", f"{len(blob.data):,} bytes is over the "
                      f"{options.max_bytes:,}-byte limit (raise it with --max-size)")
        return
    if not blob.data.strip():
        yield _reject(blob, "empty", "empty file")
        return
    source = pick_source(blob.name, blob.data[:2048])
    produced = False
    for item in source.read(blob, options):
        produced = True
        yield item
    if not produced:  # every input is accounted for, whatever a (plugin) reader does
        yield _reject(blob, "empty", f"no documents found in it (read as {source.name})")


# ---------------------------------------------------------------------- helpers
def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reject(blob: Blob, kind: str, reason: str, where: str | None = None) -> Rejected:
    return Rejected(where or blob.where, reason, kind=kind, path=blob.path)


def _stem(name: str) -> str:
    p = PurePosixPath(name.replace("\\", "/"))
    return p.name[: -len("".join(p.suffixes))] if p.suffixes and p.name != "".join(p.suffixes) else p.name


def _short_id(prefix: str, key: str) -> str:
    return f"{prefix}-{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith("<") and ("</" in head or "<html" in head or "<p" in head)


_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def normalize_date(value) -> str | None:
    """YYYY-MM-DD (or YYYY-MM / YYYY) from an ISO string, an RFC 2822 date or a time tuple."""
    if value is None or value == "":
        return None
    if isinstance(value, (tuple, list)) and len(value) >= 3 and all(isinstance(v, int) for v in value[:3]):
        return f"{value[0]:04d}-{value[1]:02d}-{value[2]:02d}"
    s = str(value).strip()
    m = _ISO.match(s)
    if m and 1800 <= int(m.group(1)) <= 2100:
        try:
            if m.group(3):
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
        return m.group(0)
    try:
        return parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _first(rec: dict, keys: tuple[str, ...]):
    for k in keys:
        v = rec.get(k)
        if v not in (None, "", [], {}):
            return v
    return None


def _as_str(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, dict):
        return _as_str(value.get("name") or value.get("title"))
    return None


def new_article(art_id: str, text: str, blob: Blob, fmt: str, raw: bytes, where: str | None = None,
                meta: dict | None = None, basis: str | None = None, options: IngestOptions | None = None
                ) -> Article:
    """An Article with its own metadata (``meta``, trusted as ``basis``) then the sidecar's."""
    art = Article(id=art_id, text=text, source=where or blob.where, raw=raw, content_hash=sha256(raw),
                  format=fmt, path=blob.path)
    apply_metadata(art, meta, basis)
    if options and options.metadata:
        side = options.metadata.get(art.id) or options.metadata.get(PurePosixPath(blob.name).name)
        apply_metadata(art, side, "metadata sidecar")
    return art


def apply_metadata(art: Article, meta: dict | None, basis: str | None) -> None:
    if not meta:
        return
    for key in ("title", "publisher", "url", "author"):
        value = _as_str(meta.get(key))
        if value:
            setattr(art, key, value[:1000])
    raw_date = meta.get("published")
    pub = normalize_date(raw_date)
    if pub:
        art.published, art.published_basis = pub, basis
    elif raw_date not in (None, "") and not art.published:
        art.published_basis = f"unknown: unreadable date {str(raw_date)[:40]!r} in {basis}"


def _decoded(blob: Blob, html: bool = False, declared: str | None = None) -> str | Rejected:
    """The blob's text, or the Rejected that says why it has none."""
    if declared:
        try:
            return blob.data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode(blob.data, blob.where, html=html)
    except DecodeError as e:
        return _reject(blob, e.kind, str(e).removeprefix(f"{blob.where}: "))


# ---------------------------------------------------------------------- single documents
@register_source("text", suffixes=(".txt", ".text", ".md"))
def read_text(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    yield from _document(blob, options, "text")


@register_source("html", suffixes=(".html", ".htm", ".xhtml", ".shtml"),
                 sniff=lambda head: bool(re.match(rb"\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<p\b|<div)",
                                                   head.lstrip(b"\xef\xbb\xbf"), re.IGNORECASE)))
def read_html(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    yield from _document(blob, options, "html")


def _document(blob: Blob, options: IngestOptions, fmt: str, declared: str | None = None,
              art_id: str | None = None, meta: dict | None = None, basis: str | None = None
              ) -> Iterator[Article | Rejected]:
    text = _decoded(blob, html=fmt == "html", declared=declared)
    if isinstance(text, Rejected):
        yield text
        return
    if not text.strip():
        yield _reject(blob, "empty", "no text after decoding")
        return
    yield new_article(art_id or _stem(blob.name), text, blob, fmt, blob.data, meta=meta, basis=basis,
                      options=options)


# ---------------------------------------------------------------------- records (JSONL, JSON, CSV)
def _record_article(rec: dict, blob: Blob, options: IngestOptions, where: str, raw: bytes,
                    fmt: str) -> Article | Rejected:
    text = _first(rec, options.candidates("text"))
    if not isinstance(text, str) or not text.strip():
        names = "/".join(options.candidates("text"))
        return _reject(blob, "malformed-record", f"record has no text field ({names}; set --text-field)", where)
    url = _as_str(_first(rec, options.candidates("url")))
    rid = _first(rec, options.candidates("id"))
    if isinstance(rid, (str, int)) and str(rid).strip():
        art_id = str(rid).strip()
    elif url:
        art_id = _short_id("url", url)
    else:
        return _reject(blob, "malformed-record", "record needs an id field (doc_id/id; set --id-field) "
                       "or a url", where)
    meta = {key: _first(rec, options.candidates(key)) for key in ("title", "publisher", "author", "published")}
    meta["url"] = url
    if not meta["publisher"] and url:  # as for pages (clean.page_metadata): the site's host
        meta["publisher"] = publisher_from_url(url)
    basis = "record field"
    if not normalize_date(meta["published"]) and isinstance(rec.get("dateline"), str):
        meta["published"], basis = _date_from_dateline(rec["dateline"]), "dateline field"
    return new_article(art_id, text, blob, "html" if _looks_html(text) else fmt, raw, where, meta, basis, options)


def _date_from_dateline(dateline: str) -> str | None:
    """A wire dateline such as "SAN SALVADOR, 10 JAN 90" states the publication day."""
    from ..extract.dates import find_dates
    found = [d for d in find_dates(dateline, None) if d.precision == "day"]
    return found[0].value if found else None


@register_source("jsonl", suffixes=(".jsonl", ".ndjson", ".jsonlines"), sniff=lambda head: head.lstrip()[:1] == b"{")
def read_jsonl(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    text = _decoded(blob)
    if isinstance(text, Rejected):
        yield text
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{blob.where}:{n}"
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            yield _reject(blob, "malformed-json", f"line {n}: not valid JSON ({getattr(e, 'msg', 'nested too deep')})",
                          where)
            continue
        if not isinstance(rec, dict):
            yield _reject(blob, "malformed-json", f"line {n}: a JSON {type(rec).__name__}, not an object", where)
            continue
        yield _record_article(rec, blob, options, where, line.encode("utf-8", "surrogatepass"), "jsonl")


@register_source("json", suffixes=(".json",), sniff=lambda head: head.lstrip()[:1] == b"[")
def read_json(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    """One JSON document: an object (one article) or an array of objects."""
    text = _decoded(blob)
    if isinstance(text, Rejected):
        yield text
        return
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        yield _reject(blob, "malformed-json", f"not valid JSON ({getattr(e, 'msg', 'nested too deep')}"
                      f"{', line %d' % e.lineno if hasattr(e, 'lineno') else ''})")
        return
    records = data if isinstance(data, list) else [data]
    if not records:
        yield _reject(blob, "empty", "an empty JSON array")
    for n, rec in enumerate(records, 1):
        where = f"{blob.where}[{n}]"
        if not isinstance(rec, dict):
            yield _reject(blob, "malformed-json", f"item {n} is not an object", where)
            continue
        yield _record_article(rec, blob, options, where, json.dumps(rec, sort_keys=True).encode(), "jsonl")


@register_source("csv", suffixes=(".csv", ".tsv"))
def read_csv(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    text = _decoded(blob)
    if isinstance(text, Rejected):
        yield text
        return
    csv.field_size_limit(max(options.max_bytes, 131072))
    delimiter = "\t" if blob.name.lower().endswith(".tsv") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if not reader.fieldnames:
            yield _reject(blob, "empty", "CSV file has no header row")
            return
    except csv.Error as e:
        yield _reject(blob, "malformed-record", f"line 1: bad CSV header ({e})", f"{blob.where}:1")
        return
    rows = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            if not rows:
                yield _reject(blob, "empty", "CSV file has a header but no rows")
            return
        except csv.Error as e:
            yield _reject(blob, "malformed-record", f"line {start}: bad CSV ({e})", f"{blob.where}:{start}")
            return
        rows += 1
        where = f"{blob.where}:{start}"
        rec = {k: v for k, v in row.items() if isinstance(k, str)}
        yield _record_article(rec, blob, options, where, json.dumps(rec, sort_keys=True).encode(), "text")


# ---------------------------------------------------------------------- feeds and crawls
_FEED_SNIFF = re.compile(rb"<(?:rss|feed|rdf:rdf)\b", re.IGNORECASE)


@register_source("feed", suffixes=(".rss", ".atom", ".xml"), sniff=lambda head: bool(_FEED_SNIFF.search(head)))
def read_feed(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    """RSS/Atom: one article per entry (content, else summary); feed title as publisher."""
    import feedparser

    if not _FEED_SNIFF.search(blob.data[:4096]):
        # feedparser's lenient parser takes seconds on large tag soup: check it is a feed first
        yield _reject(blob, "malformed-feed", "not an RSS/Atom feed (no <rss>, <feed> or <rdf:RDF> element)")
        return
    parsed = feedparser.parse(blob.data)
    if not parsed.entries:
        why = f"not a readable RSS/Atom feed ({parsed.get('bozo_exception')})" if parsed.bozo else "feed has no entries"
        yield _reject(blob, "malformed-feed" if parsed.bozo else "empty", why)
        return
    publisher = parsed.feed.get("title")
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{blob.where}#{n}"
        body = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
        if not body.strip():
            yield _reject(blob, "empty", f"entry {n} has no content or summary", where)
            continue
        key = entry.get("id") or entry.get("link") or f"{entry.get('title')}|{body[:200]}"
        meta = {"title": entry.get("title"), "url": entry.get("link"), "author": entry.get("author"),
                "publisher": publisher,
                "published": entry.get("published_parsed") or entry.get("updated_parsed")}
        raw = json.dumps({"id": key, "title": meta["title"], "body": body}, sort_keys=True).encode()
        yield new_article(_short_id("feed", key), body, blob, "html" if _looks_html(body) else "text", raw,
                          where, meta, "feed entry date", options)


@register_source("warc", suffixes=(".warc", ".arc"), sniff=lambda head: head.startswith((b"WARC/", b"filedesc://")))
def read_warc(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    """WARC crawls: one article per HTML (or plain-text) response; the rest are not news pages."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    try:
        for record in ArchiveIterator(io.BytesIO(blob.data)):
            if record.rec_type not in ("response", "resource"):
                continue
            n += 1
            uri = record.rec_headers.get_header("WARC-Target-URI") or f"record-{n}"
            where = f"{blob.where}#{uri}"
            headers = record.http_headers
            status = headers.get_statuscode() if headers else "200"
            ctype = (headers.get_header("Content-Type") if headers else None) or \
                record.rec_headers.get_header("Content-Type") or ""
            payload = record.content_stream().read(options.max_bytes + 1)
            member = Blob(payload, where, uri, blob.path, blob.depth)
            if status and not str(status).startswith("2"):
                yield _reject(member, "unsupported", f"HTTP status {status}, not a page")
            elif "html" not in ctype.lower() and "text/plain" not in ctype.lower():
                yield _reject(member, "unsupported", f"content type {ctype or 'unknown'!r} is not a news page")
            elif len(payload) > options.max_bytes:
                yield _reject(member, "too-large", f"over the {options.max_bytes:,}-byte limit")
            elif not payload.strip():
                yield _reject(member, "empty", "empty response")
            else:
                m = re.search(r"charset=([\w.:-]+)", ctype, re.IGNORECASE)
                yield from _document(member, options, "html" if "html" in ctype.lower() else "text",
                                     declared=m.group(1) if m else None, art_id=_short_id("url", uri),
                                     meta={"url": uri})
    except (ArchiveLoadFailed, ValueError, OSError, EOFError, zlib.error, IndexError, KeyError, AttributeError,
            TypeError) as e:  # warcio trips over some broken headers with AttributeError/TypeError
        yield _reject(blob, "malformed-archive", f"broken WARC after {n} records ({type(e).__name__}: "
                      f"{str(e)[:200]})")
        return
    if n == 0:
        yield _reject(blob, "empty", "WARC file has no response records")


# ---------------------------------------------------------------------- archives
@register_source("gzip", suffixes=(".gz", ".gzip"), sniff=lambda head: head.startswith(b"\x1f\x8b"))
def read_gzip(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    if blob.depth >= MAX_ARCHIVE_DEPTH:
        yield _reject(blob, "malformed-archive", f"archives nested more than {MAX_ARCHIVE_DEPTH} deep")
        return
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(blob.data)) as f:
            data = f.read(options.max_bytes + 1)
    except (OSError, EOFError, zlib.error) as e:
        yield _reject(blob, "malformed-archive", f"broken gzip data ({e})")
        return
    inner = blob.name[: -len(PurePosixPath(blob.name).suffix)] if blob.name.lower().endswith((".gz", ".gzip")) \
        else blob.name + ".unknown"
    member = Blob(data, blob.where, inner, blob.path, blob.depth + 1)
    if len(data) > options.max_bytes:
        yield _reject(member, "too-large", f"decompresses to over the {options.max_bytes:,}-byte limit")
        return
    yield from dispatch(member, options)


@register_source("zip", suffixes=(".zip",), sniff=lambda head: head.startswith(b"PK\x03\x04"))
def read_zip(blob: Blob, options: IngestOptions) -> Iterator[Article | Rejected]:
    if blob.depth >= MAX_ARCHIVE_DEPTH:
        yield _reject(blob, "malformed-archive", f"archives nested more than {MAX_ARCHIVE_DEPTH} deep")
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob.data))
        infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        yield _reject(blob, "malformed-archive", f"broken zip file ({e})")
        return
    infos = [i for i in infos if not (PurePosixPath(i.filename).name.startswith(".")
                                       or i.filename.startswith("__MACOSX/"))]  # resource forks, dot files
    if not infos:
        yield _reject(blob, "empty", "zip file has no documents")
    for info in infos:
        where = f"{blob.where}!{info.filename}"
        name = PurePosixPath(info.filename).name
        if info.file_size > options.max_bytes:
            yield Rejected(where, f"{info.file_size:,} bytes is over the {options.max_bytes:,}-byte limit",
                           kind="too-large", path=blob.path)
            continue
        try:
            with zf.open(info) as f:
                data = f.read(options.max_bytes + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError,
                RuntimeError) as e:
            yield Rejected(where, f"cannot extract ({e})", kind="malformed-archive", path=blob.path)
            continue
        yield from dispatch(Blob(data, where, name, blob.path, blob.depth + 1), options)
