"""The pipeline, top to bottom: ingest -> clean -> language -> relevance -> extract -> dedup -> link ->
reconcile -> store.

Each stage is a plain function over typed records; this module only wires them together and
keeps the run summary (what was seen, added, unchanged, updated, duplicated, quarantined and why).

Resumable: an article is stored together with its mentions in one transaction, and the
incidents they touch are marked pending until reconciled, so a run killed at any point and
started again ends with the same database as an uninterrupted one.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from . import clean, language, relevance
from .dedup import StoryIndex, fingerprint
from .engine import Executor, InlineExecutor
from .extract import plugins
from .ingest import IngestOptions, read_articles
from .link import Linker, add_link_terms, main_event_mention, relink_mentions
from .reconcile import reconcile
from .review import analyst_claims_of, apply_analyst_claims, binding_splits, reviewed_incidents
from .records import Article, Incident, Mention, Rejected
from .store import Store, record_merges

PARTITION_SIZE = 32  # articles per task: big enough to hide scheduling, small enough to stream
# mentions of known incidents the ingesting process keeps in memory between saves; the rest
# stay in the store, read again when a report needs them. A main mention weighs ~20-30 KB
# (its words as a dict, the article text as the words' evidence): at 20,000 the cache alone
# held ~600 MB in a 100k-article run. Incidents read from their link cards (to score) are held
# apart, up to link.known.CARD_REPORTS_PER_MENTION times as many reports (~5.5 KB each)
LINK_CACHE_MENTIONS = 5_000


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
        """What happened (the same whichever executor ran it); ``timing()`` says how fast."""
        return (f"{self.seen} seen: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.duplicates} duplicates, {len(self.rejected)} quarantined, {self.irrelevant} not relevant, "
                f"{self.non_english} not English; {self.mentions} incident mentions -> {self.incidents_new} new "
                f"and {self.incidents_updated} updated incidents")

    def timing(self) -> str:
        rate = self.seen / self.seconds if self.seconds else 0.0
        return f"{self.seconds:.1f} s, {rate:.1f} articles/s"


def prepare(article: Article) -> Article:
    """Clean the text and read the page's metadata, tell the language, judge relevance, hash
    the clean text for the duplicate stage (``dedup.fingerprint``: on the worker, so the
    process that assigns stories in order only looks them up)."""
    clean.clean_article(article)
    language.assess(article)
    relevance.assess(article)
    return fingerprint(article)


def read_and_prepare(paths: Iterable[str | Path], options: IngestOptions | None = None
                     ) -> Iterator[Article | Rejected]:
    """Everything ingest does before extraction and storage, in one process (benchmarks,
    previews): read, clean, language, relevance, duplicate grouping."""
    index = StoryIndex()
    for item in read_articles(paths, options=options):
        yield item if isinstance(item, Rejected) else index.assign(prepare(item))


def process(article: Article, relevance_filter: bool = True, extractor: str = "rules") -> tuple[Article, list[Mention]]:
    """The per-article stages (clean, language, relevance, extract): pure, so they run on any
    executor. ``extractor`` names a registered extractor plugin (``extract.plugins``).
    Non-English articles are not extracted (every extractor reads English)."""
    prepare(article)
    if extractor == plugins.NO_EXTRACTION or not (language.is_english(article)
                                                   and (article.relevant or not relevance_filter)):
        return article, []
    mentions = plugins.get(extractor)(article)
    if not mentions and not relevance_filter:  # every article is linked by its main event
        mentions = [main_event_mention(article)]
    for m in mentions:
        m.publisher, m.on_topic = article.publisher, bool(article.relevant)
    add_link_terms(article, mentions)
    return article, mentions


def process_partition(articles: list[Article], relevance_filter: bool = True,
                      extractor: str = "rules", slim: bool = False) -> list[tuple[Article, list[Mention]]]:
    """``process`` over one partition of articles (the unit of work an executor runs).
    ``slim``: the articles came from another process, which keeps their input text: send
    them back without it (``_unslim`` puts it back)."""
    done = [process(a, relevance_filter, extractor) for a in articles]
    if slim:
        for article, _ in done:
            article.text = ""
    return done


def _slim(article: Article) -> Article:
    """The article as a worker needs it: without its raw bytes (a copy: the ingesting process
    keeps the original, whose bytes it stores). A 100 KB page then crosses to a worker once, as
    text, and comes back as what the stages made of it, not as 200 KB each way."""
    return replace(article, raw=b"")


def _unslim(done: Article, sent: Article) -> Article:
    done.raw, done.text = sent.raw, sent.text
    return done


def _save(store: Store, done: list[tuple[Article, list[Mention]]], linker: Linker) -> None:
    """Articles with their mentions and claims, the incidents they touch marked pending, and
    what linking them changed in the block index: one transaction for many articles, so a
    killed run resumes cleanly (see the module doc)."""
    mentions = [m for _, ms in done for m in ms]
    moved, merges = linker.take_merges()  # incidents the linker merged: their reports move over
    gone = [g for g, _ in merges]
    if moved:
        keys = {m.key for m in moved}
        mentions = [m for m in mentions if m.key not in keys] + moved
    store.save_articles([a for a, _ in done], mentions, pending=[m.incident_id for m in mentions] + gone,
                        also=lambda conn: (linker.flush(conn), record_merges(conn, merges)))


def _remove_old_mentions(store: Store, article_id: str, linker: Linker) -> set[str]:
    """Take an updated article's stored mentions out of the linker and the store, its index
    changes in the transaction that deletes them (``Linker.remove``): only the incidents they
    belonged to are touched, where rebuilding the linker from every stored mention made one
    update cost minutes and gigabytes on a large store. Returns the incidents that lost one."""
    linker.remove(store.article_mentions(article_id))
    return store.remove_article_mentions(article_id, also=linker.flush)


def open_linker(store: Store, created: set[str] | None = None) -> Linker:
    """A linker over the block index kept in ``store`` (store/link_index.py), rebuilt from every
    stored mention when it does not match them (an older database, mentions moved behind the
    linker's back: a relink, an analyst's merge or split), and bound by analysts' splits and
    reviews. Ids of the incidents it creates are added to ``created``. An updated article's
    old mentions leave it through ``Linker.remove``, without a rebuild."""
    fresh_id = store.next_incident_id_factory()

    def new_id() -> str:
        incident_id = fresh_id()
        if created is not None:
            created.add(incident_id)
        return incident_id

    blocks = store.link_index()
    known = None
    if not blocks.valid:
        whole = Linker(store.mentions(), new_id)
        blocks.replace(whole.blocks.items(), whole.df, whole.n_mentions, whole._common, whole.by_id.values())
        known = whole.by_id
    linker = Linker.stored(blocks, store.mentions_by_incident, new_id, LINK_CACHE_MENTIONS, known)
    linker.keep_apart(binding_splits(store), reviewed_incidents(store))
    linker.by_id.trim()
    return linker


def ingest(store: Store, paths: Iterable[str | Path], metadata: dict[str, dict] | None = None,
           relevance_filter: bool = True, on_article: Callable[[str], None] | None = None,
           executor: Executor | None = None, partition_size: int = PARTITION_SIZE,
           extractor: str = "rules", options: IngestOptions | None = None) -> IngestReport:
    """Ingest documents into ``store`` and link their incidents to the ones already there.

    The per-article stages run on ``executor`` (default: in this process), a task of
    ``partition_size`` new or changed articles at a time (fewer where the executor asks for
    smaller tasks: ``Executor.task_size``); linking and storing take the results in input
    order, a transaction per ``partition_size`` articles, so every executor gives the same
    database. ``extractor`` names the extractor
    plugin (rules, learned, rules+learned: ``extract.plugins``), checked before any work.
    ``on_article`` gets the file (or source) of each item read; ``options`` says how to read
    inputs (ingest/sources.py)."""
    plugins.get(extractor)
    t0 = time.perf_counter()
    report = IngestReport()
    created: set[str] = set()  # incidents this run started (the others were known before)
    linker = open_linker(store, created)
    stories = StoryIndex(store.story_sketches())
    touched: set[str] = set()
    quarantined = {r["path"] for r in store.rejects() if r["path"]}
    seen: dict[str, str] = {}  # hashes of the articles sent this run: a repeated id is an update
    stored_before: deque[bool] = deque()  # per article sent, in order: is it an update?
    executor = executor or InlineExecutor()
    # another process gets each article without its raw bytes and returns it without its text
    slim = not isinstance(executor, InlineExecutor)
    originals: deque[list[Article]] = deque()  # per partition sent, the articles as read
    task_size = min(partition_size, executor.task_size or partition_size)

    def partitions():
        part: list[Article] = []
        read: list[Article] = []  # read, not yet checked against the store

        def check() -> None:
            """Drop the unchanged ones of ``read`` (one query for their stored hashes, not one
            an article), in order, into ``part``."""
            stored = store.article_hashes([a.id for a in read if a.id not in seen])
            for item in read:
                old_hash = seen[item.id] if item.id in seen else stored.get(item.id)
                if old_hash == item.content_hash:
                    report.unchanged += 1
                    continue
                seen[item.id] = item.content_hash
                stored_before.append(old_hash is not None)
                part.append(item)
            read.clear()

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
            read.append(item)
            if len(read) >= partition_size:  # one store lookup a partition
                check()
                while len(part) >= task_size:
                    yield sent(part[:task_size])
                    del part[:task_size]
        check()
        while part:
            yield sent(part[:task_size])
            del part[:task_size]

    def sent(part: list[Article]) -> list[Article]:
        if not slim:
            return part
        originals.append(part)
        return [_slim(a) for a in part]

    work = partial(process_partition, relevance_filter=relevance_filter, extractor=extractor, slim=slim)
    done: list[tuple[Article, list[Mention]]] = []  # saved ``partition_size`` articles at a time
    for _part, results in executor.imap(work, partitions()):
        if slim:
            results = [(_unslim(item, original), mentions)
                       for (item, mentions), original in zip(results, originals.popleft())]
        for item, mentions in results:
            if stored_before.popleft():
                _save(store, done, linker)  # the update re-reads the store: write what came before it
                done = []
                report.updated += 1
                touched |= _remove_old_mentions(store, item.id, linker)
                stories.forget(item.id)
            else:
                report.added += 1
            stories.assign(item)
            report.duplicates += item.story_id != item.id
            if not language.is_english(item):
                report.non_english += 1
            elif not item.relevant:
                report.irrelevant += 1
            for m in mentions:
                m.story_id = item.story_id
                linker.link(m)
                touched.add(m.incident_id)
            done.append((item, mentions))
            report.mentions += len(mentions)
        if len(done) >= partition_size:
            _save(store, done, linker)
            done = []
    _save(store, done, linker)
    # linking is over: the cards (~5.5 KB a report, up to 20,000 reports) would only swell the
    # peak of reconciling below, which reads full mentions (a 100k-article run: 943 -> 1002 MB)
    linker.by_id.drop_cards()
    touched |= store.pending_incidents()
    ordered = sorted(touched)
    for start in range(0, len(ordered), 500):  # a slice at a time: memory stays flat
        chunk = ordered[start:start + 500]
        live = linker.by_id.mentions_of(chunk)
        claimed = analyst_claims_of(store, chunk)
        incidents = []
        for incident_id in chunk:
            if not live.get(incident_id):
                store.delete_incident(incident_id)
                continue
            # analyst corrections (review.py) outlive re-reconciliation
            fields = apply_analyst_claims(store, incident_id, reconcile(live[incident_id]),
                                          claimed.get(incident_id, []))
            incidents.append(Incident(id=incident_id, fields=fields))
            if incident_id in created:
                report.incidents_new += 1
            else:
                report.incidents_updated += 1
        store.save_incidents(incidents)
    store.clear_pending(touched)
    report.seconds = time.perf_counter() - t0
    return report


def relink(store: Store) -> dict:
    """Re-link every stored mention from scratch, in publication order, and rebuild the
    incidents (for comparison with the incremental result after a change of linking rules).
    A rebuilt incident keeps the old id most of its mentions had (so analyst corrections stay
    with it); returns the incident counts before and after."""
    mentions = store.mentions()
    old_ids = {m.key: m.incident_id for m in mentions}
    linker = relink_mentions(mentions, store.next_incident_id_factory())
    votes = Counter((old_ids[m.key], m.incident_id) for m in mentions if old_ids[m.key])
    rename, taken = {}, set()
    for (old, new), _n in sorted(votes.items(), key=lambda kv: -kv[1]):
        if new not in rename and old not in taken:
            rename[new] = old
            taken.add(old)
    for m in mentions:
        m.incident_id = rename.get(m.incident_id, m.incident_id)
    store.save_mentions(mentions)
    for incident_id in set(old_ids.values()) - set(rename.values()) - {None}:
        store.delete_incident(incident_id)
    after = {rename.get(i, i): c.mentions for i, c in linker.by_id.items()}
    store.save_incidents(Incident(id=i, fields=apply_analyst_claims(store, i, reconcile(ms)))
                         for i, ms in after.items())
    return {"mentions": len(mentions), "incidents_before": len(set(old_ids.values()) - {None}),
            "incidents_after": len(after)}
