"""The pipeline, top to bottom: ingest -> clean -> relevance -> extract -> link -> reconcile -> store.

Each stage is a plain function over typed records; this module only wires them together and
keeps the run summary (what was added, unchanged, updated, rejected and why).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import clean, relevance
from .extract.dates import find_dates
from .engine import Executor, InlineExecutor
from .extract import plugins
from .ingest import read_articles
from .link import Linker
from .reconcile import reconcile
from .review import apply_analyst_claims
from .records import Article, Incident, Mention, Rejected
from .store import Store

DATELINE_CHARS = 400
PARTITION_SIZE = 32  # articles per task: big enough to hide scheduling, small enough to stream


@dataclass
class IngestReport:
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    irrelevant: int = 0
    mentions: int = 0
    incidents_new: int = 0
    incidents_updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.rejected)} rejected, {self.irrelevant} not relevant; "
                f"{self.mentions} incident mentions -> {self.incidents_new} new and "
                f"{self.incidents_updated} updated incidents")


def prepare(article: Article) -> Article:
    """Clean the text, fill the publication date if the page states it, judge relevance."""
    if article.format == "html":
        result = clean.clean_html(article.text)
        meta = clean.html_metadata(article.text)
        for key in ("title", "publisher", "url"):
            if not getattr(article, key) and meta.get(key):
                setattr(article, key, meta[key])
        if not article.published and meta.get("published"):
            article.published, article.published_basis = meta["published"], "html metadata"
    else:
        result = clean.clean_text(article.text)
    article.clean_text = result.text
    article.title = article.title or result.title
    article.dropped_lines = [{"line": d.line_no, "text": d.text, "reason": d.reason} for d in result.dropped]
    if not article.published:
        stated = [d for d in find_dates(article.clean_text[:DATELINE_CHARS], None) if d.precision == "day"]
        if stated:
            article.published, article.published_basis = stated[0].value, "dateline in text"
        else:
            article.published_basis = "unknown: no metadata and no dateline"
    return relevance.assess(article)


def process(article: Article, relevance_filter: bool = True, extractor: str = "rules") -> tuple[Article, list[Mention]]:
    """The per-article stages (clean, relevance, extract): pure, so they run on any executor.
    ``extractor`` names a registered extractor plugin (``extract.plugins``)."""
    prepare(article)
    if article.relevant or not relevance_filter:
        return article, plugins.get(extractor)(article)
    return article, []


def process_partition(articles: list[Article], relevance_filter: bool = True,
                      extractor: str = "rules") -> list[tuple[Article, list[Mention]]]:
    """``process`` over one partition of articles (the unit of work an executor runs)."""
    return [process(a, relevance_filter, extractor) for a in articles]


def _save(store: Store, done: list[tuple[Article, list[Mention]]]) -> None:
    """Articles, then their mentions and claims: one transaction each for many articles."""
    store.save_articles(a for a, _ in done)
    store.save_mentions(m for _, mentions in done for m in mentions)


def ingest(store: Store, paths: Iterable[str | Path], metadata: dict[str, dict] | None = None,
           relevance_filter: bool = True, on_article: Callable[[str], None] | None = None,
           executor: Executor | None = None, partition_size: int = PARTITION_SIZE,
           extractor: str = "rules") -> IngestReport:
    """Ingest documents into ``store`` and link their incidents to the ones already there.

    The per-article stages run on ``executor`` (default: in this process), a partition of
    ``partition_size`` new or changed articles at a time; linking and storing take the results
    in input order, so every executor gives the same database. ``extractor`` names the extractor
    plugin (rules, learned, rules+learned: ``extract.plugins``), checked before any work."""
    plugins.get(extractor)
    report = IngestReport()
    linker = Linker(store.mentions(), store.next_incident_id_factory())
    touched: set[str] = set()
    known = set(linker.by_id)
    seen: dict[str, str] = {}  # hashes of the articles sent this run: a repeated id is an update
    stored_before: deque[bool] = deque()  # per article sent, in order: is it an update?

    def partitions():
        part: list[Article] = []
        for item in read_articles(paths, metadata):
            if on_article:
                on_article(getattr(item, "id", None) or item.source)
            if isinstance(item, Rejected):
                store.add_reject(item)
                report.rejected.append(item)
                continue
            old_hash = seen[item.id] if item.id in seen else store.article_hash(item.id)
            if old_hash == item.content_hash:
                report.unchanged += 1
                continue
            seen[item.id] = item.content_hash
            stored_before.append(old_hash is not None)
            part.append(item)
            if len(part) >= partition_size:
                yield part
                part = []
        if part:
            yield part

    executor = executor or InlineExecutor()
    work = partial(process_partition, relevance_filter=relevance_filter, extractor=extractor)
    for _part, results in executor.imap(work, partitions()):
        done: list[tuple[Article, list[Mention]]] = []  # saved a partition at a time
        for item, mentions in results:
            if stored_before.popleft():
                _save(store, done)  # the update re-reads the store: write what came before it
                done = []
                report.updated += 1
                touched |= store.remove_article_mentions(item.id)
                linker = Linker(store.mentions(), store.next_incident_id_factory())
            else:
                report.added += 1
            if not item.relevant:
                report.irrelevant += 1
                if relevance_filter:
                    done.append((item, []))
                    continue
            for m in mentions:
                linker.link(m)
                touched.add(m.incident_id)
            done.append((item, mentions))
            report.mentions += len(mentions)
        _save(store, done)
    incidents = []
    for incident_id in sorted(touched):
        cand = linker.by_id.get(incident_id)
        live = cand.mentions if cand else []
        if not live:
            store.delete_incident(incident_id)
            continue
        # analyst corrections (review.py) outlive re-reconciliation
        incidents.append(Incident(id=incident_id, fields=apply_analyst_claims(store, incident_id, reconcile(live))))
        if incident_id in known:
            report.incidents_updated += 1
        else:
            report.incidents_new += 1
    store.save_incidents(incidents)
    return report
