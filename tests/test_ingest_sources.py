"""Every input format, read from real files the tests write: a WARC written with warcio, RSS
and Atom feeds, gzip and zip archives, CSV and JSONL exports with their own field names,
HTML in legacy encodings, stdin, folder trees -- and the plugin point for new formats."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from incidentwire.ingest import IngestOptions, read_articles, register_source, sources
from incidentwire.ingest.sources import _SOURCES, normalize_date
from incidentwire.records import Article, Rejected

STORY = ("Gunmen attacked a police checkpoint on the main road into Oldmere on Tuesday night, killing two "
         "officers, the regional governor said. The attackers fled towards the hills after a gunfight.")
PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Checkpoint attack | Herald</title>
<meta property="og:site_name" content="City Herald"><meta name="author" content="Ann Reporter">
<meta property="article:published_time" content="2020-06-09T08:00:00+00:00">
<link rel="canonical" href="https://herald.example/checkpoint"></head>
<body><nav><a href="/">Front page</a> <a href="/world">World desk</a></nav>
<article><h1>Gunmen attack checkpoint in Oldmere</h1><p>{STORY}</p>
<p>A third officer was taken to hospital with gunshot wounds and is in a stable condition, doctors said.</p>
</article><footer>All rights reserved.</footer></body></html>"""


def read(*paths, **options) -> list[Article | Rejected]:
    return list(read_articles([str(p) for p in paths], options=IngestOptions(**options)))


def articles(items) -> list[Article]:
    assert not [i for i in items if isinstance(i, Rejected)], items
    return items


def test_registry_lists_every_builtin_format():
    names = {s.name for s in sources()}
    assert {"text", "html", "jsonl", "json", "csv", "feed", "warc", "gzip", "zip"} <= names


def test_plain_text_and_html_with_metadata(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.html").write_text(PAGE)
    a, b = articles(read(tmp_path))
    assert (a.id, a.format, b.id, b.format) == ("a", "text", "b", "html")
    assert a.path == str(tmp_path / "a.txt") and a.content_hash


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "iso-8859-7", "utf-16", "shift_jis", "gb18030"])
def test_legacy_encodings_are_detected(tmp_path, encoding):
    texts = {"cp1251": "Боевики напали на полицейский пост в Алматы, погибли двое полицейских. " * 3,
             "koi8-r": "Взрыв произошёл на рынке в центре города, пострадали двенадцать человек. " * 3,
             "iso-8859-7": "Ένοπλοι επιτέθηκαν σε αστυνομικό φυλάκιο στην Αθήνα το βράδυ της Τρίτης. " * 3,
             "utf-16": STORY, "shift_jis": "武装集団が火曜日の夜、検問所を襲撃し、警察官二人が死亡した。" * 3,
             "gb18030": "武装分子周二晚上袭击了一个警察检查站，造成两名警察死亡。" * 3}
    path = tmp_path / "story.txt"
    path.write_bytes(texts[encoding].encode(encoding))
    (art,) = articles(read(path))
    assert art.text == texts[encoding]


def test_html_meta_charset_wins_over_guessing(tmp_path):
    body = "<html><head><meta charset='windows-1251'></head><body><p>Террористы взорвали мост.</p></body></html>"
    path = tmp_path / "ru.html"
    path.write_bytes(body.encode("cp1251"))
    (art,) = articles(read(path))
    assert "Террористы взорвали мост" in art.text


def test_jsonl_with_configurable_fields_and_line_numbers(tmp_path):
    path = tmp_path / "export.ndjson"
    path.write_text(json.dumps({"key": "k1", "body": STORY, "headline": "Checkpoint attack",
                                "when": "2021-03-04T10:00:00Z", "link": "https://x.example/1"}) + "\n"
                    + "\n{broken\n" + json.dumps([1, 2]) + "\n"
                    + json.dumps({"key": "k2", "headline": "no body"}) + "\n")
    items = read(path, fields={"id": "key", "text": "body", "title": "headline", "published": "when",
                               "url": "link"})
    art = items[0]
    assert (art.id, art.title, art.published, art.url, art.published_basis) == (
        "k1", "Checkpoint attack", "2021-03-04", "https://x.example/1", "record field")
    rejected = items[1:]
    assert [(r.kind, r.source) for r in rejected] == [("malformed-json", f"{path}:3"), ("malformed-json", f"{path}:4"),
                                                      ("malformed-record", f"{path}:5")]
    assert "line 3" in rejected[0].reason and all(r.path == str(path) for r in rejected)


def test_jsonl_default_fields_and_url_ids(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_text(json.dumps({"url": "https://x.example/2", "content": STORY, "pubDate": "Tue, 09 Jun 2020 08:00:00 GMT",
                                "publisher": "Wire"}) + "\n")
    (art,) = articles(read(path))
    assert art.id.startswith("url-") and art.published == "2020-06-09" and art.publisher == "Wire"


def test_json_array_and_csv_export(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"id": "j1", "text": STORY}, {"id": "j2", "text": STORY + " More."}]))
    with (tmp_path / "b.csv").open("w", newline="") as f:
        f.write('doc_id,title,text,published\nc1,Attack,"' + STORY.replace('"', '""') + '\nSecond line.",2019-01-02\n'
                'c2,Other,"Short text here.",not a date\n')
    items = articles(read(tmp_path))
    assert [a.id for a in items] == ["j1", "j2", "c1", "c2"]
    c1, c2 = items[2], items[3]
    assert c1.text.endswith("Second line.") and c1.published == "2019-01-02" and c1.source == f"{tmp_path / 'b.csv'}:2"
    assert c2.published is None and c2.published_basis.startswith("unknown: unreadable date 'not a date'")


RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Herald Wire</title>
<link>https://herald.example</link><description>news</description>
<item><title>Checkpoint attack</title><link>https://herald.example/1</link><guid>h-1</guid>
<pubDate>Tue, 09 Jun 2020 08:00:00 GMT</pubDate><author>ann@herald.example (Ann)</author>
<description>{story}</description></item>
<item><title>Empty item</title><link>https://herald.example/2</link></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
<id>urn:desk</id><updated>2021-05-01T00:00:00Z</updated>
<entry><title>Bomb in market</title><id>urn:e1</id><link href="https://desk.example/e1"/>
<updated>2021-05-01T12:00:00Z</updated><published>2021-04-30T09:00:00Z</published>
<content type="html">&lt;p&gt;{story}&lt;/p&gt;</content></entry></feed>"""


def test_rss_and_atom_feeds(tmp_path):
    (tmp_path / "wire.rss").write_text(RSS.format(story=STORY))
    (tmp_path / "desk.atom").write_text(ATOM.format(story=STORY))
    atom, rss, empty = sorted(read(tmp_path), key=lambda x: (isinstance(x, Rejected), x.source))
    assert (rss.title, rss.url, rss.published, rss.publisher, rss.published_basis) == (
        "Checkpoint attack", "https://herald.example/1", "2020-06-09", "Herald Wire", "feed entry date")
    assert rss.id.startswith("feed-") and rss.text == STORY
    assert (atom.published, atom.format, atom.publisher) == ("2021-04-30", "html", "Atom Desk")
    assert isinstance(empty, Rejected) and empty.kind == "empty" and empty.source.endswith("wire.rss#2")


def test_malformed_feed_is_quarantined(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel><item><title>unclosed")
    (rej,) = read(path)
    assert rej.kind in ("malformed-feed", "empty")


def _write_warc(path: Path, gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=gz)
        for uri, ctype, status, body in (
                ("https://herald.example/checkpoint", "text/html; charset=utf-8", "200 OK", PAGE.encode()),
                ("https://herald.example/logo.png", "image/png", "200 OK", b"\x89PNG\r\n\x1a\n\x00\x00"),
                ("https://herald.example/gone", "text/html", "404 Not Found", b"<html>gone</html>"),
                ("https://herald.example/ru", "text/html; charset=windows-1251", "200 OK",
                 "<html><body><p>Взрыв на рынке.</p></body></html>".encode("cp1251"))):
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        writer.write_record(writer.create_warc_record("https://herald.example/checkpoint", "request",
                                                      payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_written_with_warcio(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    _write_warc(path, gz)
    items = read(path)
    arts = [i for i in items if isinstance(i, Article)]
    rejected = {i.source.rsplit("#", 1)[1]: i for i in items if isinstance(i, Rejected)}
    assert [a.url for a in arts] == ["https://herald.example/checkpoint", "https://herald.example/ru"]
    assert arts[0].format == "html" and STORY in arts[0].text and "Взрыв на рынке" in arts[1].text
    assert rejected["https://herald.example/logo.png"].kind == "unsupported"
    assert "404" in rejected["https://herald.example/gone"].reason


def test_gzip_and_zip_archives(tmp_path):
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(STORY.encode()))
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        zf.writestr("news/one.html", PAGE)
        zf.writestr("news/two.jsonl", json.dumps({"doc_id": "z2", "text": STORY}) + "\n")
        zf.writestr("news/inner.txt.gz", gzip.compress(b"Rebels ambushed an army convoy, killing four soldiers."))
        zf.writestr("news/photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    items = read(tmp_path)
    by_id = {i.id: i for i in items if isinstance(i, Article)}
    assert set(by_id) == {"inner", "one", "z2", "story"}
    assert by_id["one"].source == f"{tmp_path / 'bundle.zip'}!news/one.html"
    assert by_id["z2"].source == f"{tmp_path / 'bundle.zip'}!news/two.jsonl:1"
    (jpg,) = [i for i in items if isinstance(i, Rejected)]
    assert jpg.kind == "binary" and jpg.path == str(tmp_path / "bundle.zip")


def test_broken_archives_and_size_limit(tmp_path):
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "big.txt").write_text(STORY * 100)
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 50_000))
    kinds = {Path(r.source).name: r.kind for r in read(tmp_path, max_bytes=10_000)}
    assert kinds == {"bad.gz": "malformed-archive", "bad.zip": "malformed-archive", "big.txt": "too-large",
                     "bomb.txt.gz": "too-large"}


def test_folder_tree_is_walked_in_order_skipping_dot_files(tmp_path):
    for rel in ("b/2.txt", "a/1.txt", "a/c/3.txt", ".git/x.txt", "a/.hidden.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(STORY)
    assert [a.id for a in articles(read(tmp_path))] == ["1", "3", "2"]


def test_unknown_suffix_is_sniffed_and_binary_is_quarantined(tmp_path):
    (tmp_path / "page.dat").write_text(PAGE)
    (tmp_path / "feed.bin").write_text(RSS.format(story=STORY))
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    items = sorted(read(tmp_path), key=lambda x: x.source)
    assert isinstance(items[0], Article) and items[0].format == "text"  # RSS entry, plain description
    assert isinstance(items[2], Rejected) and items[2].kind == "binary"
    assert isinstance(items[3], Article) and items[3].format == "html"


def test_stdin(tmp_path):
    db = tmp_path / "stdin.db"
    r = subprocess.run([sys.executable, "-m", "incidentwire.cli", "--db", str(db), "ingest", "-"],
                       input=PAGE.encode(), capture_output=True)
    assert r.returncode == 0, r.stderr
    import incidentwire
    (aid,) = incidentwire.open(db).store.article_ids()
    art = incidentwire.open(db).article(aid)
    assert art["publisher"] == "City Herald" and art["author"] == "Ann Reporter" and art["published"] == "2020-06-09"


def test_plugin_point_registers_a_new_format(tmp_path):
    @register_source("pipe-separated", suffixes=(".psv",))
    def read_psv(blob, options):
        for n, line in enumerate(blob.data.decode().splitlines(), 1):
            art_id, text = line.split("|", 1)
            yield Article(id=art_id, text=text, source=f"{blob.where}:{n}", raw=line.encode(), path=blob.path)

    try:
        (tmp_path / "x.psv").write_text(f"p1|{STORY}\np2|{STORY}")
        assert [a.id for a in articles(read(tmp_path))] == ["p1", "p2"]
    finally:
        del _SOURCES["pipe-separated"]


@pytest.mark.parametrize("value,expected", [("2020-06-09T08:00:00Z", "2020-06-09"), ("2020-06", "2020-06"),
                                            ("Tue, 09 Jun 2020 08:00:00 GMT", "2020-06-09"), ((2020, 6, 9, 0, 0), "2020-06-09"),
                                            ("2020-02-31", None), ("yesterday", None), ("", None), (None, None)])
def test_normalize_date(value, expected):
    assert normalize_date(value) == expected
