"""Fuzz: 10,000+ malformed inputs through the readers, 0 crashes, every one accounted for.

A seeded generator of our own (fast and reproducible; hypothesis's shrinking is not needed
to find the crash, the traceback does) makes random bytes, truncated and nested-tag-bomb
HTML, invalid UTF-8 and UTF-16, huge lines, empty and whitespace files, broken JSON lines,
CSV, feeds, WARC, gzip and zip, each under a file name that sends it to a reader (or to
sniffing). Each one goes through ``dispatch`` in-process, exactly as a file from disk would;
it must yield at least one record, and every Rejected must carry a known kind and a reason.
A sample of the articles that come out also goes through clean, language and relevance.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import zipfile

from incidentwire.ingest import Blob, IngestOptions
from incidentwire.ingest.sources import dispatch
from incidentwire.pipeline import prepare
from incidentwire.records import Article, Rejected

N_INPUTS = 10_000
KINDS = {"missing", "unreadable", "binary", "empty", "too-large", "undecodable", "malformed-json",
         "malformed-record", "malformed-feed", "malformed-archive", "unsupported"}
NAMES = ["x.txt", "x.html", "x.jsonl", "x.json", "x.csv", "x.rss", "x.xml", "x.warc", "x.gz", "x.zip",
         "x.warc.gz", "x.txt.gz", "noext", "x.bin", "<stdin>"]
PAGE = ("<html><head><title>T</title><meta charset='utf-8'></head><body><nav>Home | World</nav><article>"
        "<h1>Bomb kills five</h1><p>A bomb exploded in a market on Monday, killing five people, police said.</p>"
        "<p>Nobody claimed the attack.</p></article></body></html>")


def _random_bytes(rng):
    return rng.randbytes(rng.choice([0, 1, 7, 64, 512, 4096]))


def _truncated_html(rng):
    return PAGE.encode()[: rng.randint(0, len(PAGE))]


def _tag_bomb(rng):
    tag = rng.choice(["div", "p", "span", "table", "b", "a"])
    depth = rng.choice([100, 1000, 5000])
    return ("<html><body>" + f"<{tag}>" * depth + "text" + f"</{tag}>" * rng.randint(0, depth)).encode()


def _bad_utf8(rng):
    good = "Gunmen attacked a checkpoint, killing two officers. ".encode() * rng.randint(1, 5)
    cut = rng.randint(0, len(good))
    return good[:cut] + rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + good[cut:]


def _bad_utf16(rng):
    body = "Explosion at the market. ".encode("utf-16-le") * rng.randint(1, 4)
    return rng.choice([b"\xff\xfe", b"\xfe\xff"]) + body[: rng.randint(0, len(body))] + rng.choice([b"", b"\x00", b"\xd8"])


def _huge_line(rng):
    return (rng.choice(["a", "killed ", "<p>", "{", "é"]) * rng.choice([10_000, 100_000])).encode()


def _empty(rng):
    return rng.choice([b"", b" ", b"\n\n\t", b"\xef\xbb\xbf", b"\xff\xfe", "\u00a0\u2003".encode()])


def _bad_json(rng):
    lines = [json.dumps({"doc_id": f"d{i}", "text": "Rebels ambushed a convoy."}) for i in range(3)]
    broken = rng.choice(['{"doc_id": "a", "text": ', "[1, 2", '{"doc_id": null, "text": 5}', '"just a string"',
                         "{" * 5000, '{"text": "no id"}', '{"doc_id": "x", "text": "\\ud800"}', "NaN", "{}"])
    lines.insert(rng.randint(0, 3), broken)
    return "\n".join(lines).encode()


def _bad_csv(rng):
    return rng.choice([b'doc_id,text\n1,"unterminated', b"\x00,\x00\n", b"a,b\n1,2,3,4\n", b"text\n" + b"x" * 1000,
                       b'"""\n', b"doc_id,text\n,\n"])


def _bad_feed(rng):
    feed = (f"<?xml version='1.0'?><rss><channel><title>F</title><item><title>t</title>"
            f"<description>{'x' * rng.randint(0, 50)}</description></item></channel></rss>").encode()
    return feed[: rng.randint(0, len(feed))]


def _bad_archive(rng):
    kind = rng.randint(0, 4)
    if kind == 0:
        data = gzip.compress(PAGE.encode())
        return data[: rng.randint(0, len(data))]
    if kind == 1:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.html", PAGE)
            zf.writestr("b.jsonl", '{"doc_id": 1, "text": "x"}\n{bad')
        data = buf.getvalue()
        return data[: rng.randint(0, len(data))] if rng.random() < 0.7 else data
    if kind == 2:
        return b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n" + rng.randbytes(rng.randint(0, 200))
    if kind == 3:
        return gzip.compress(gzip.compress(gzip.compress(gzip.compress(b"deep"))))
    return b"PK\x03\x04" + rng.randbytes(rng.randint(0, 300))


GENERATORS = [_random_bytes, _truncated_html, _tag_bomb, _bad_utf8, _bad_utf16, _huge_line, _empty, _bad_json,
              _bad_csv, _bad_feed, _bad_archive]


def test_fuzz_ten_thousand_malformed_inputs_no_crash_all_accounted():
    rng = random.Random(20261123)
    options = IngestOptions(max_bytes=1_000_000)
    counts = {"inputs": 0, "articles": 0, "rejected": 0, "prepared": 0}
    for n in range(N_INPUTS):
        gen = GENERATORS[n % len(GENERATORS)]
        data, name = gen(rng), rng.choice(NAMES)
        items = list(dispatch(Blob(data, f"fuzz/{n}/{name}", name, f"fuzz/{n}"), options))
        counts["inputs"] += 1
        assert items, f"input {n} ({gen.__name__}, {name}) produced nothing: unaccounted"
        for item in items:
            if isinstance(item, Rejected):
                counts["rejected"] += 1
                assert item.kind in KINDS and item.reason, (n, gen.__name__, name, item)
                assert item.path == f"fuzz/{n}"
            else:
                assert isinstance(item, Article) and item.id and item.text.strip(), (n, gen.__name__, name)
                counts["articles"] += 1
                if n % 20 == 0:  # the costly stages on a sample: trafilatura, lingua
                    prepare(item)
                    counts["prepared"] += 1
    assert counts["inputs"] >= 10_000 and counts["rejected"] > 1000 and counts["prepared"] > 50, counts
