"""What changed, and when: the alert candidates a store holds, replayed in publication order.

Each incident's articles are replayed in publication order (then ingestion time): after each
article the incident is reconciled from the mentions seen so far (the pipeline's own
:func:`~incidentwire.reconcile.reconcile`), and a change becomes an :class:`Alert` candidate:

* ``new_incident`` - the first article that reports the incident;
* ``toll_revised`` - the best killed count rises above every count reported before (a lower
  later report is not an update: tolls are revised upward, and a one-off low figure would
  otherwise raise a storm of updates); it references the incident's first alert;
* ``attack_type`` - the attack type becomes known or changes;
* ``group_named`` - a perpetrator group is named for the first time;
* ``level_change`` - a region's official threat level changes (from :mod:`incidentwire.threat`),
  or, when asked for, its computed activity level.

Alert ids are deterministic (``inc-000010:new``, ``inc-000010:killed:6``,
``level:KZ/city/Almaty:KZ:red:2016-07-18``), so replaying the same store gives the same alerts,
and the outbox can use them as idempotency keys. An alert's ``sent`` time is when the article
that triggered it was ingested.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import text

from .. import threat
from ..reconcile import publication_sort_key, reconcile
from ..records import Incident, Mention

KIND_ORDER = {"new_incident": 0, "toll_revised": 1, "attack_type": 2, "group_named": 2, "level_change": 3}
SNAPSHOT_FIELDS = ("date", "location", "attack_type", "killed", "injured", "perpetrators", "targets",
                   "weapons", "sources")


@dataclass
class Alert:
    """One alert: what changed, about what, the evidence, and where it goes."""

    id: str
    kind: str
    headline: str
    description: str
    sent: str                                   # ISO date-time with offset
    incident_id: str | None = None
    region: dict | None = None                  # place dict (name, kind, country, lat, lon...)
    fields: dict = field(default_factory=dict)  # incident snapshot, or the level claim's value
    previous: Any = None                        # killed before a revision, level before a change
    evidence: dict = field(default_factory=dict)   # article_id, quote, start, end, publisher, url, published
    references: list[dict] = field(default_factory=list)   # [{id, sent}] of alerts this one updates
    rules: list[str] = field(default_factory=list)
    sinks: list[str] = field(default_factory=list)
    order: tuple = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("order")
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Alert:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "order"})


def _articles(store) -> dict[str, dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, published, ingested_at, publisher, url, title FROM articles"))
        return {r[0]: dict(r._mapping) for r in rows}


def _article_order(a: dict) -> tuple:
    return (publication_sort_key(a.get("published")), a.get("ingested_at") or "", a["id"])


def _source(article: dict) -> dict:
    return {k: article.get(k) for k in ("publisher", "url", "published", "title")}


def _claim_evidence(claim, article: dict) -> dict:
    return {"article_id": claim.article_id or article["id"], "field": claim.field, "quote": claim.quote,
            "start": claim.start, "end": claim.end, **_source(article)}


def _evidence(mentions: list[Mention], field_name: str, article: dict) -> dict:
    for m in mentions:
        for c in m.claims:
            if c.field == field_name:
                return _claim_evidence(c, article)
    return {"article_id": article["id"], "field": None, "quote": None, **_source(article)}


def _place(fields: dict) -> str:
    loc = fields.get("location") or {}
    names = [loc.get("name"), loc.get("country")]
    return ", ".join(dict.fromkeys(n for n in names if n)) or "unknown place"


def _killed(fields: dict) -> int | None:
    return (fields.get("killed") or {}).get("best")


def _describe(fields: dict) -> str:
    date = (fields.get("date") or {}).get("value") or "date unknown"
    kind = fields.get("attack_type") or "unknown"
    what = "incident" if kind == "unknown" else kind.replace("_", " ")
    parts = [f"{what} in {_place(fields)} on {date}"]
    if _killed(fields) is not None:
        parts.append(f"{_killed(fields)} killed")
    injured = (fields.get("injured") or {}).get("best")
    if injured is not None:
        parts.append(f"{injured} injured")
    if fields.get("perpetrators"):
        parts.append("perpetrators named: " + "; ".join(fields["perpetrators"][:3]))
    return ", ".join(parts) + "."


def _incident_alert(kind: str, alert_id: str, inc: Incident, fields: dict, article: dict,
                    evidence_field: str, mentions: list[Mention], headline: str, previous=None) -> Alert:
    snapshot = {k: fields.get(k) for k in SNAPSHOT_FIELDS}
    loc = fields.get("location") or None
    if loc:
        loc = dict(loc, country_code=threat.country_code_of(loc))
        loc["key"] = threat.region_key(loc)
    return Alert(id=alert_id, kind=kind, headline=headline, description=_describe(fields),
                 sent=article.get("ingested_at") or "", incident_id=inc.id, region=loc, fields=snapshot,
                 previous=previous, evidence=_evidence(mentions, evidence_field, article),
                 order=(*_article_order(article), KIND_ORDER[kind], alert_id))


def incident_alerts(inc: Incident, articles: dict[str, dict]) -> list[Alert]:
    """The alert candidates of one incident, replaying its articles in publication order."""
    by_article: dict[str, list[Mention]] = defaultdict(list)
    for m in inc.mentions:
        by_article[m.article_id].append(m)
    known = [articles.get(a) or {"id": a} for a in by_article]
    seen: list[Mention] = []
    out: list[Alert] = []
    top_killed = None
    attack_type, groups = "unknown", set()
    for step, article in enumerate(sorted(known, key=_article_order)):
        mentions = by_article[article["id"]]
        seen += mentions
        f = reconcile(seen)
        killed = _killed(f)
        place = _place(f)
        if step == 0:
            out.append(_incident_alert("new_incident", f"{inc.id}:new", inc, f, article, "killed", mentions,
                                       f"New incident: {_describe(f)[:-1]}"))
        else:
            if killed is not None and (top_killed is None or killed > top_killed):
                out.append(_incident_alert(
                    "toll_revised", f"{inc.id}:killed:{killed}", inc, f, article, "killed", mentions,
                    f"Toll revised: {killed} killed in {place} (was {top_killed if top_killed is not None else 'unknown'})",
                    previous=top_killed))
            if f["attack_type"] not in ("unknown", attack_type):
                out.append(_incident_alert("attack_type", f"{inc.id}:type:{f['attack_type']}", inc, f, article,
                                           "attack_type", mentions,
                                           f"Attack type now {f['attack_type'].replace('_', ' ')} in {place}",
                                           previous=attack_type))
            new_groups = [g for g in f["perpetrators"] if g.lower() not in groups]
            if new_groups:
                out.append(_incident_alert("group_named", f"{inc.id}:group:{new_groups[0].lower()}", inc, f,
                                           article, "perpetrators", mentions,
                                           f"Group named for incident in {place}: {', '.join(new_groups)}",
                                           previous=sorted(groups)))
        if killed is not None:
            top_killed = killed if top_killed is None else max(top_killed, killed)
        attack_type = f["attack_type"] if f["attack_type"] != "unknown" else attack_type
        groups |= {g.lower() for g in f["perpetrators"]}
    analyst_toll = _analyst_toll(inc, top_killed)
    return out + ([analyst_toll] if analyst_toll else [])


def _analyst_toll(inc: Incident, top_killed: int | None) -> Alert | None:
    """A toll an analyst raised above every reported count (review.py keeps it in ``analyst``)."""
    edit = (inc.fields.get("analyst") or {}).get("killed")
    killed = _killed(inc.fields)
    if not edit or killed is None or (top_killed is not None and killed <= top_killed):
        return None
    who = edit.get("who") or "analyst"
    at = edit.get("at") or ""
    source = {"id": f"analyst:{who}", "published": at[:10] or None, "ingested_at": at,
              "publisher": f"analyst {who}"}
    alert = _incident_alert("toll_revised", f"{inc.id}:killed:{killed}", inc, inc.fields, source, "killed", [],
                            f"Toll revised by an analyst: {killed} killed in {_place(inc.fields)} "
                            f"(was {top_killed if top_killed is not None else 'unknown'})", previous=top_killed)
    alert.evidence["quote"] = edit.get("note")
    return alert


def official_level_alerts(store, articles: dict[str, dict]) -> list[Alert]:
    """An alert each time a region's official threat level changes (first declaration included)."""
    by_region: dict[str, list] = defaultdict(list)
    for c in threat.official_levels(store):
        by_region[(c.value.get("region") or {}).get("key") or "?"].append(c)
    out = []
    for key, claims in by_region.items():
        current = None
        for c in claims:
            v = c.value
            level = None if v["action"] == "lifted" else v["level"]
            if level == current:
                continue
            article = articles.get(c.article_id) or {"id": c.article_id}
            region = v.get("region") or {}
            date = (v.get("date") or {}).get("value") or "undated"
            what = f"{v['level']} level lifted" if level is None else f"threat level {level}"
            out.append(Alert(
                id=f"level:{key}:{v['scale']}:{level or 'lifted'}:{date}", kind="level_change",
                headline=f"{region.get('name') or key}: {what} ({v['scale_name']})",
                description=(f"Official {v['scale_name']}: {what} for {region.get('name') or key} "
                             f"({v['action']}, {date}); previously {current or 'none known'}."),
                sent=article.get("ingested_at") or "", region=region,
                fields=dict(v, source_kind="official"), previous=current,
                evidence=_claim_evidence(c, article),
                order=(*_article_order(article), KIND_ORDER["level_change"], key)))
            current = level
    return out


def computed_level_alerts(store, articles: dict[str, dict], config: threat.ActivityConfig) -> list[Alert]:
    """An alert each time a region's computed activity level changes at an incident's date."""
    with store.engine.connect() as conn:
        first_article = {r[0]: r[1] for r in conn.execute(text(
            "SELECT incident_id, MIN(article_id) FROM mentions GROUP BY incident_id"))}
    current: dict[str, str] = {}
    out = []
    for row in threat.activity_history(store, config):
        key = row["region"]["key"]
        if row["level"] == current.get(key, "none"):
            continue
        article = articles.get(first_article.get(row["incident_id"])) or {"id": "?"}
        name = row["region"]["name"]
        out.append(Alert(
            id=f"activity:{key}:{row['level']}:{row['date']}", kind="level_change",
            headline=f"{name}: computed activity level {row['level']}",
            description=(f"Computed activity level for {name} is {row['level']} (score {row['score']}) "
                         f"on {row['date']}; previously {current.get(key, 'none')}."),
            sent=article.get("ingested_at") or "", incident_id=row["incident_id"], region=row["region"],
            fields={"source_kind": "computed", "level": row["level"], "score": row["score"],
                    "date": {"value": row["date"]}, "rank": list(config.thresholds).index(row["level"])
                    if row["level"] in config.thresholds else 0},
            previous=current.get(key, "none"),
            order=(*_article_order(article), KIND_ORDER["level_change"], key)))
        current[key] = row["level"]
    return out


def candidates(store, incident_ids=None, computed: threat.ActivityConfig | None = None) -> list[Alert]:
    """Every alert candidate in the store (or for the given incidents plus all level changes), in
    publication order. ``computed``: also the computed activity-level changes, with this config."""
    articles = _articles(store)
    out: list[Alert] = []
    for inc in store.incidents(incident_ids):
        out += incident_alerts(inc, articles)
    out += official_level_alerts(store, articles)
    if computed is not None:
        out += computed_level_alerts(store, articles, computed)
    return sorted(out, key=lambda a: a.order)
