"""The pipeline, top to bottom: ingest -> clean -> language -> relevance -> dedup -> extract -> link ->
reconcile -> store.

Each stage is a plain function over typed records; this module only wires them together and
keeps the run summary (what was seen, added, unchanged, updated, duplicated, quarantined and why).

Resumable: an article is stored together with its mentions in one transaction, and the
incidents they touch are marked pending until reconciled, so a run killed at any point and
started again ends with the same database as an uninterrupted one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import clean, language, relevance
from .dedup import StoryIndex
from .extract.incidents import extract_mentions
from .ingest import IngestOptions, read_articles
from .link import Linker
from .reconcile import reconcile
from .review import apply_analyst_claims
from .records import Article, Incident, Rejected
from .store import Store



@dataclass
class IngestReport:
    seen: int = 0              # articles read (before the unchanged check) plus inputs quarantined
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    duplicates: int = 0        # added/updated articles grouped with an earlier story (dedup.py)
    irrelevant: int = 0
    non_english: int = 0
    mentions: int = 0
    incidents_new: int = 0
    incidents_updated: int = 0
    seconds: float = 0.0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def ingested(self) -> int:
        return self.added + self.updated

    def summary(self) -> str:
        rate = self.seen / self.seconds if self.seconds else 0.0
        return (f"{self.seen} seen: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.duplicates} duplicates, {len(self.rejected)} quarantined, {self.irrelevant} not relevant, "
                f"{self.non_english} not English; {self.mentions} incident mentions -> {self.incidents_new} new "
                f"and {self.incidents_updated} updated incidents; {self.seconds:.1f} s, {rate:.1f} articles/s")


def prepare(article: Article) -> Article:
    """Clean the text and read the page's metadata, tell the language, judge relevance."""
    clean.clean_article(article)
    language.assess(article)
    return relevance.assess(article)


def read_and_prepare(paths: Iterable[str | Path], options: IngestOptions | None = None
                     ) -> Iterator[Article | Rejected]:
    """Everything ingest does before extraction and storage, for one process (benchmarks,
    previews): read, clean, language, relevance, duplicate grouping."""
    index = StoryIndex()
    for item in read_articles(paths, options=options):
        yield item if isinstance(item, Rejected) else index.assign(prepare(item))


def ingest(store: Store, paths: Iterable[str | Path], metadata: dict[str, dict] | None = None,
           relevance_filter: bool = True, on_article: Callable[[str], None] | None = None,
           options: IngestOptions | None = None) -> IngestReport:
    """Ingest documents into ``store`` and link their incidents to the ones already there.
    ``on_article`` gets the file (or source) of each item read."""
    t0 = time.perf_counter()
    report = IngestReport()
    linker = Linker(store.mentions(), store.next_incident_id_factory())
    stories = StoryIndex(store.story_sketches())
    touched: set[str] = set()
    known = set(linker.by_id)
    quarantined = {r["path"] for r in store.rejects() if r["path"]}
    for item in read_articles(paths, metadata, options):
        report.seen += 1
        if on_article:
            on_article(item.path or item.source)
        if item.path in quarantined:  # read again now: its old quarantine rows give way to today's
            quarantined.discard(item.path)
            store.release_rejects(paths=[item.path])
        if isinstance(item, Rejected):
            store.add_reject(item)
            report.rejected.append(item)
            continue
        old_hash = store.article_hash(item.id)
        if old_hash == item.content_hash:
            report.unchanged += 1
            continue
        if old_hash is not None:
            report.updated += 1
            touched |= store.remove_article_mentions(item.id)
            stories.forget(item.id)
            linker = Linker(store.mentions(), store.next_incident_id_factory())
        else:
            report.added += 1
        stories.assign(prepare(item))
        report.duplicates += item.story_id != item.id
        mentions = []
        if not language.is_english(item):
            report.non_english += 1
        elif not item.relevant:
            report.irrelevant += 1
        if language.is_english(item) and (item.relevant or not relevance_filter):
            mentions = extract_mentions(item)
            for m in mentions:
                linker.link(m)
        store.save_article(item, mentions, pending=[m.incident_id for m in mentions])
        touched |= {m.incident_id for m in mentions}
        report.mentions += len(mentions)
    touched |= store.pending_incidents()
    for incident_id in sorted(touched):
        cand = linker.by_id.get(incident_id)
        live = cand.mentions if cand else []
        if not live:
            store.delete_incident(incident_id)
            continue
        # analyst corrections (review.py) outlive re-reconciliation
        store.save_incident(Incident(id=incident_id, fields=apply_analyst_claims(store, incident_id, reconcile(live))))
        if incident_id in known:
            report.incidents_updated += 1
        else:
            report.incidents_new += 1
    store.clear_pending(touched)
    report.seconds = time.perf_counter() - t0
    return report
