"""Executors and the synthetic corpus: every executor gives the same database, byte for byte.

Real parts: real SQLite files, a real process pool, a real Dask LocalCluster of worker
processes. The 5k-article comparison and the timings live in bench/bench_scale.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import incidentwire
from incidentwire import synth
from incidentwire.cli import main
from incidentwire.engine import InlineExecutor, LocalExecutor, database_fingerprint, make_executor
from incidentwire.errors import EngineError
from incidentwire.ingest import load_metadata
from incidentwire.pipeline import ingest

from conftest import SEEDS, SEEDS_META, needs_shared

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def executors():
    """One of each engine, started once for the module (a Dask LocalCluster takes seconds)."""
    engines = {"inline": InlineExecutor(), "local": LocalExecutor(2), "dask": make_executor("dask", workers=2)}
    yield engines
    for engine in engines.values():
        engine.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return synth.write_corpus(tmp_path_factory.mktemp("synth") / "news.jsonl", 200, seed=7)


@pytest.fixture(scope="module")
def inline_synth(executors, corpus, tmp_path_factory):
    """The synthetic corpus ingested in this process: the database every executor must match."""
    return _ingest_with(executors["inline"], tmp_path_factory.mktemp("inline") / "inline.db", [corpus])


def _ingest_with(engine, db_file, paths, metadata=None, partition_size=16):
    db = incidentwire.open(db_file)
    meta = load_metadata(metadata) if metadata else None
    report = ingest(db.store, paths, meta, executor=engine, partition_size=partition_size)
    return db, report


def test_synthetic_corpus_is_deterministic_and_realistic(tmp_path):
    a = list(synth.generate(300, seed=3))
    assert a == list(synth.generate(300, seed=3))
    assert a != list(synth.generate(300, seed=4))
    assert len({r["doc_id"] for r in a}) == 300
    assert len({r["publisher"] for r in a}) >= 8
    assert 50 <= sum(r["html"] is not None for r in a) <= 100
    words = sum(len(r["text"].split()) for r in a) / len(a)
    assert 250 <= words <= 700, words
    assert any("Cookie notice" in r["text"] for r in a)
    folder = synth.write_corpus(tmp_path / "files", 20, seed=3, layout="files")
    names = sorted(p.suffix for p in (folder / "articles").iterdir())
    assert set(names) <= {".txt", ".html"} and len(names) == 20
    meta = [json.loads(line) for line in (folder / "metadata.jsonl").read_text().splitlines()]
    assert [m["doc_id"] for m in meta] == [r["doc_id"] for r in a[:20]]


def test_synthetic_reports_link_into_multi_source_incidents(inline_synth):
    db, report = inline_synth
    assert report.added == 200 and not report.rejected
    assert 20 <= report.irrelevant <= 60
    sources = [inc.fields["sources"] for inc in db.incidents()]
    assert max(sources) >= 3 and sum(s > 1 for s in sources) >= 10


@pytest.mark.parametrize("name", ["local", "dask"])
def test_executor_gives_the_inline_database_on_synthetic_corpus(executors, corpus, inline_synth, tmp_path, name):
    inline, r1 = inline_synth
    other, r2 = _ingest_with(executors[name], tmp_path / f"{name}.db", [corpus])
    assert r1.summary() == r2.summary()
    assert database_fingerprint(inline.store) == database_fingerprint(other.store)
    assert inline.export("eval-jsonl") == other.export("eval-jsonl")


@needs_shared
@pytest.mark.parametrize("name", ["local", "dask"])
def test_executor_gives_the_inline_database_on_seeds(executors, tmp_path, name):
    inline, _ = _ingest_with(executors["inline"], tmp_path / "inline.db", [SEEDS], SEEDS_META, 2)
    other, _ = _ingest_with(executors[name], tmp_path / f"{name}.db", [SEEDS], SEEDS_META, 2)
    assert len(inline.incidents()) >= 3
    assert database_fingerprint(inline.store) == database_fingerprint(other.store)


@pytest.mark.parametrize("name", ["local", "dask"])
def test_updates_and_repeats_give_the_same_database(executors, tmp_path, name):
    """A second run with changed articles (and one id repeated in the same run) relinks the same
    way on every executor."""
    first = tmp_path / "first.jsonl"
    records = [{k: v for k, v in r.items() if k != "html"} for r in synth.generate(40, seed=11)]
    first.write_text("".join(json.dumps(r) + "\n" for r in records))
    changed = [dict(r, text=r["text"].replace("killed", "shot dead")) for r in records[5:9]]
    second = tmp_path / "second.jsonl"
    second.write_text("".join(json.dumps(r) + "\n" for r in changed + changed[:1]))
    prints, reports = [], []
    for engine in (executors["inline"], executors[name]):
        db_file = tmp_path / f"{engine.name}.db"
        _ingest_with(engine, db_file, [first], partition_size=8)
        db, report = _ingest_with(engine, db_file, [second], partition_size=3)
        prints.append(database_fingerprint(db.store))
        reports.append(report.summary())
    assert reports[0] == reports[1]
    assert prints[0] == prints[1]


def test_cli_ingest_on_worker_processes(corpus, inline_synth, tmp_path):
    db_file = tmp_path / "cli.db"
    result = CliRunner().invoke(main, ["--db", str(db_file), "ingest", "--executor", "local", "--workers", "2",
                                       str(corpus)])
    assert result.exit_code == 0, result.output
    assert "local (2 workers)" in result.output and "200 added" in result.output
    assert database_fingerprint(incidentwire.open(db_file).store) == database_fingerprint(inline_synth[0].store)


def test_engine_errors_say_what_to_do():
    with pytest.raises(EngineError, match="unknown executor 'spark'"):
        make_executor("spark")
    with pytest.raises(EngineError, match="cannot reach Dask scheduler tcp://127.0.0.1:9"):
        make_executor("dask", scheduler="tcp://127.0.0.1:9", timeout="2s")
    assert isinstance(make_executor("local", workers=1), InlineExecutor)


def test_sharded_corpus_reads_as_the_single_file(tmp_path):
    """Scale corpora are written in shards (one 10k-article file passes ingest's 20 MB limit)."""
    from incidentwire.ingest import read_articles

    one = synth.write_corpus(tmp_path / "one.jsonl", 25, seed=3)
    shards = synth.write_corpus(tmp_path / "shards", 25, seed=3, shard_size=10)
    assert sorted(p.name for p in shards.iterdir()) == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    assert [(a.id, a.text) for a in read_articles([one])] == [(a.id, a.text) for a in read_articles([shards])]


_GAZETTEER_LOADED = "__import__('incidentwire.extract.gazetteer', fromlist=['_']) ._GAZETTEER is not None"


def test_workers_of_a_run_without_extraction_skip_the_gazetteer(corpus, inline_synth, tmp_path):
    """``ingest --extractor none`` starts workers without the gazetteer (seconds of CPU each
    that such a run never uses); one that later extracts loads it then, and gives the same
    database as the inline run."""
    engine = make_executor("local", workers=2, extracting=False)
    try:
        assert not any(engine._pool.submit(eval, _GAZETTEER_LOADED).result() for _ in range(4))
        db, _ = _ingest_with(engine, tmp_path / "late.db", [corpus])
        assert database_fingerprint(db.store) == database_fingerprint(inline_synth[0].store)
    finally:
        engine.close()
    with LocalExecutor(2) as extracting:
        assert all(extracting._pool.submit(eval, _GAZETTEER_LOADED).result() for _ in range(4))


def test_bench_prints_each_bar_figure_with_its_verdict():
    """`make bench` ends with issue 9's scale figures, each beside its bar: a figure under its
    bar reads NOT met, one the run did not measure says so, and the ratio's bar follows the
    sizes that were run (10x the articles: <= 11)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).parent.parent / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    lines = bench.bar_lines({"e2e_2workers_articles_per_s": 29.9, "e2e_peak_rss_mb": 900.0,
                             "workers_2_vs_1_speedup": 1.7, "size_10000_vs_1000_time_ratio": 9.1,
                             "size_100000_vs_10000_time_ratio": 11.2, "dask_equals_local_5000": True})
    rows = {line.split(" (`")[0].strip("| "): line for line in lines if "`" in line}
    assert rows["end-to-end articles/s, 2 workers, largest corpus"].endswith("| NOT met |")
    assert rows["peak RSS MB, all processes"].endswith("| met |")
    assert "size_100000_vs_10000_time_ratio`) | 11.2 | <= 11 (linear: 10) |" in rows["time ratio for 10x the articles"]
    assert rows["time ratio for 10x the articles"].endswith("| NOT met |")
    assert rows["Dask == local database"].endswith("| met |")
    assert "| 1 -> 2 workers speed-up (`workers_2_vs_1_speedup`) | 1.7 | printed |  |" in lines
    assert "| peak RSS MB, all processes | not measured | < 1500 | |" in bench.bar_lines({})
