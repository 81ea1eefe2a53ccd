"""Typed records that flow between pipeline stages.

Article -> [Mention] (each a bundle of Claims) -> Incident. Every extracted value is a
``Claim`` carrying the character span of its evidence in the article's clean text, the
extractor that produced it and a confidence; incidents are built only from claims.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The nine GTD attack types (the eval interchange format uses these names).
ATTACK_TYPES = (
    "assassination", "armed_assault", "bombing_explosion", "hijacking", "hostage_barricade",
    "hostage_kidnapping", "facility_infrastructure_attack", "unarmed_assault", "unknown",
)

# Fields an incident mention can carry. Scalar fields hold one value per mention; list
# fields hold one claim per item.
SCALAR_FIELDS = ("date", "location", "attack_type", "killed", "injured", "perpetrators_killed")
LIST_FIELDS = ("perpetrators", "targets", "weapons", "victims")


@dataclass
class Article:
    """One news article as ingested. ``clean_text`` is what every evidence span indexes into."""

    id: str
    text: str
    source: str = ""                 # path (and line, for JSONL) it came from
    content_hash: str = ""
    raw: bytes = b""
    format: str = "text"             # text | html | jsonl
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: str | None = None     # YYYY | YYYY-MM | YYYY-MM-DD, or None when unknown
    published_basis: str | None = None   # where the publication date came from, or why it is unknown
    clean_text: str = ""
    dropped_lines: list[dict] = field(default_factory=list)
    relevant: bool | None = None
    relevance_reason: str | None = None
    author: str | None = None
    language: str | None = None          # ISO 639-1 code ("en"), None when too little text to tell
    # Near-duplicate grouping (dedup.py): every article of one story -- a wire report and its
    # syndicated copies -- shares ``story_id`` (the id of the first article seen of that story),
    # so later stages count independent sources by distinct story_id, not by article.
    story_id: str | None = None
    duplicate_of: str | None = None      # id of an earlier article with the same clean text
    minhash: bytes = b""                 # MinHash signature behind story_id (dedup.py)
    text_key: str | None = None          # hash of the folded clean text, for exact duplicates
    path: str | None = None              # the file on disk it came from (None for stdin)


@dataclass
class Claim:
    """One extracted value with its evidence."""

    field: str
    value: Any
    start: int
    end: int
    quote: str
    extractor: str
    confidence: float = 0.5
    article_id: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Mention:
    """What one article says about one incident: its main incident or a background one."""

    article_id: str
    index: int                       # position within the article (0 = main incident)
    role: str                        # "main" | "background"
    claims: list[Claim] = field(default_factory=list)
    incident_id: str | None = None
    published: str | None = None     # the article's publication date, for ordering reports
    publisher: str | None = None     # the article's outlet: copies from one outlet are one source
    story_id: str | None = None      # the article's story (dedup.py): syndicated copies share it
    on_topic: bool = True            # False when the article was judged off-topic (claims are weaker)

    def values(self, name: str) -> list[Any]:
        return [c.value for c in self.claims if c.field == name]

    def value(self, name: str) -> Any:
        vals = self.values(name)
        return vals[0] if vals else None

    @property
    def key(self) -> str:
        return f"{self.article_id}#{self.index}"


@dataclass
class Incident:
    """A real-world incident reconciled from the mentions linked to it."""

    id: str
    mentions: list[Mention] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)   # reconciled values (see reconcile.py)

    def to_dict(self, with_claims: bool = True) -> dict:
        out = {"id": self.id, **self.fields,
               "articles": sorted({m.article_id for m in self.mentions})}
        if with_claims:
            out["mentions"] = [
                {"article_id": m.article_id, "index": m.index, "role": m.role,
                 "published": m.published, "claims": [c.to_dict() for c in m.claims]}
                for m in self.mentions
            ]
        return out


@dataclass
class Rejected:
    """An input that could not be ingested, kept with its reason (nothing is dropped silently)."""

    source: str
    reason: str
    kind: str = "unreadable"   # missing | unreadable | binary | empty | too-large | undecodable |
    #                            malformed-json | malformed-record | malformed-feed | malformed-archive |
    #                            unsupported
    path: str | None = None    # the file to read again on ``ingest --retry-quarantine``
