"""Shared fixtures: paths to ../shared and the bundled sample corpus, and a real SQLite file."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("INCIDENTWIRE_SHARED", ROOT.parent / "shared")).resolve()
SEEDS = SHARED / "corpus" / "seeds"
SEEDS_META = SHARED / "corpus" / "seeds.metadata.jsonl"
EXAMPLES = ROOT / "examples" / "news"
EXAMPLES_META = ROOT / "examples" / "news.metadata.jsonl"

needs_shared = pytest.mark.skipif(not (SHARED / "eval" / "score.py").is_file(),
                                  reason=f"shared evaluation kit not found at {SHARED}")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def scorer():
    """The shared kit's score.py, imported as a module (stdlib only)."""
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["shared_score"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory):
    """The five seed articles ingested once (with their metadata sidecar) into a real SQLite file."""
    import incidentwire
    path = tmp_path_factory.mktemp("seeds") / "seeds.db"
    db = incidentwire.open(path)
    db.ingest([SEEDS], metadata=SEEDS_META)
    return db


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL server on 127.0.0.1 (see pgcluster.py); skips only where
    PostgreSQL or its driver is not installed, fails where it is installed but will not start."""
    import pgcluster
    try:
        cluster = pgcluster.start()
    except pgcluster.StartFailed as e:
        pytest.fail(str(e))
    except pgcluster.Unavailable as e:
        pytest.skip(str(e))
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """An empty database on each backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("postgres_cluster").new_database()


@pytest.fixture(scope="session")
def web_sample_db(tmp_path_factory) -> Path:
    """A SQLite file with the bundled sample news and hostile (XSS) articles, built once; web
    tests copy it (see tests/web_helpers.py)."""
    from web_helpers import build_sample_db
    return build_sample_db(tmp_path_factory.mktemp("web") / "sample.db")
