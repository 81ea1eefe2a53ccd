"""Threat levels per region: official levels declared in the news, and an activity level computed
from the incidents stored.

Official levels (claims from article text)
------------------------------------------
Governments publish terrorism threat levels on fixed scales; articles report them ("a red level
of terrorist threat has been declared in Almaty", "the UK threat level was raised to
critical"). :func:`find_threat_levels` reads such statements from an article's clean text and
returns one :class:`~incidentwire.records.Claim` (field ``threat_level``) per statement, with
the scale, the level, its rank on a common 0-4 scale, the region it applies to, the date and the
source, and the sentence as evidence. Known scales (:data:`SCALES`):

* Kazakhstan (2013 decree): yellow < orange < red;
* United Kingdom (MI5/JTAC): low < moderate < substantial < severe < critical;
* Netherlands (NCTV): minimal < limited < substantial < significant < critical;
* Belgium (OCAM/CUTA): level 1 < 2 < 3 < 4;
* France (Vigipirate): vigilance < "security reinforced / attack risk" < "attack emergency".

A scale is applied only to text about its country (the region's country, else the article's), so
English words such as "severe" or "critical" never read as a level in an article about
Kazakhstan. The region is the most specific place the sentence names (resolved with the shared
gazetteer, :mod:`incidentwire.extract.places`); a sentence that says "the city" gets the city of
the article's main incident, one that names no place gets the article's country. The date is a
date stated in the sentence, else the article's publication date (``rule: publication-date``).
Limits: one statement per sentence; "lowered from X to Y" and "raised to X from Y" are read, more
tangled wording is not; statements of levels that are *not* in force ("it is enacted only when
...") are not told apart.

Levels are extracted lazily: :func:`refresh` scans the stored articles not scanned yet (by
content hash) and keeps the claims in the ``threat_levels`` table, so ingest needs no change and
a re-ingested article is rescanned.

Computed activity level
-----------------------
:func:`activity_levels` scores each region (city, first-level region, country) from the
incidents stored there::

    score(region, as_of) = sum over incidents in the region with 0 <= age <= window_days of
        (w_incident + w_killed * killed + w_injured * injured) * 0.5 ** (age / half_life_days)

where ``age`` is the number of days from the incident's date (the first day of its month or year
when the date is imprecise) to ``as_of``, and killed/injured are the reconciled best counts
(0 when unknown). The score maps to a level by :attr:`ActivityConfig.thresholds` (the highest
threshold reached). Defaults: window 365 days, half-life 90 days, weights 1 / 1 / 0.5,
thresholds low > 0, elevated >= 5, high >= 15, severe >= 40. ``as_of`` defaults to the newest
incident date stored, so a historical corpus gives meaningful levels; pass today's date for a
live view. History (:func:`activity_history`) gives the level at each date an incident occurred
in the region.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from .extract.dates import find_dates
from .extract.places import find_places, lookup, main_country
from .records import Claim
from .reconcile import publication_sort_key

__all__ = ["Scale", "SCALES", "find_threat_levels", "refresh", "official_levels", "ActivityConfig",
           "activity_levels", "activity_history", "region_key", "date_start"]

EXTRACTOR = "threat.rules"


@dataclass(frozen=True)
class Scale:
    """An official threat-level scale: its levels in rising order and the words naming each."""

    id: str
    country_code: str
    name: str
    levels: tuple[str, ...]
    words: dict[str, str]          # lower-case phrase in text -> level
    ranks: tuple[int, ...]          # each level's rank on the common 0-4 severity scale

    def rank(self, level: str) -> int:
        return self.ranks[self.levels.index(level)]


SCALES: dict[str, Scale] = {s.country_code: s for s in (
    Scale("KZ", "KZ", "Kazakhstan terrorist threat levels", ("yellow", "orange", "red"),
          {"yellow": "yellow", "orange": "orange", "red": "red"}, (2, 3, 4)),
    Scale("GB", "GB", "UK national terrorism threat levels",
          ("low", "moderate", "substantial", "severe", "critical"),
          {w: w for w in ("low", "moderate", "substantial", "severe", "critical")}, (0, 1, 2, 3, 4)),
    Scale("NL", "NL", "Dutch terrorist threat levels (NCTV)",
          ("minimal", "limited", "substantial", "significant", "critical"),
          {w: w for w in ("minimal", "limited", "substantial", "significant", "critical")},
          (0, 1, 2, 3, 4)),
    Scale("BE", "BE", "Belgian threat levels (OCAM/CUTA)", ("1", "2", "3", "4"),
          {"level 1": "1", "level 2": "2", "level 3": "3", "level 4": "4",
           "level one": "1", "level two": "2", "level three": "3", "level four": "4"}, (1, 2, 3, 4)),
    Scale("FR", "FR", "French Vigipirate plan", ("vigilance", "reinforced security", "attack emergency"),
          {"vigilance": "vigilance", "securite renforcee": "reinforced security",
           "sécurité renforcée": "reinforced security", "reinforced security": "reinforced security",
           "urgence attentat": "attack emergency", "attack emergency": "attack emergency",
           "emergency attack": "attack emergency"}, (1, 3, 4)),
)}
_COUNTRY_WORDS = {"GB": r"\b(?:uk|u\.k\.|britain|british|england|united kingdom)\b",
                  "FR": r"\b(?:france|french|vigipirate)\b", "NL": r"\b(?:netherlands|dutch|nctv)\b",
                  "BE": r"\b(?:belgium|belgian|ocam|cuta)\b", "KZ": r"\b(?:kazakhstan|kazakh)\b"}

_CUE = re.compile(r"\b(?:terror\w*|threat|alert|vigipirate|danger)\b", re.IGNORECASE)
_LEVEL_NOUN = r"(?:level|alert|threat|warning|regime|status)"
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_ACTIONS = (("lifted", r"\b(?:lift|lifted|cancel+ed|ended|withdrawn|revoked)\b"),
            ("lowered", r"\b(?:lower\w*|reduc\w*|downgrad\w*|cut)\b"),
            ("raised", r"\b(?:rais\w*|increas\w*|upgrad\w*|elevat\w*|heighten\w*)\b"),
            ("declared", r"\b(?:declar\w*|announc\w*|introduc\w*|issu\w*|impos\w*|set|put)\b"))
_LOCAL_WORDS = re.compile(r"\b(?:city|town|village)\b", re.IGNORECASE)


def _level_patterns(scale: Scale) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    words = "|".join(sorted((re.escape(w) for w in scale.words), key=len, reverse=True))
    before = re.compile(rf"\b(?P<lvl>{words})\b[\s-]+(?:[\w'-]+\s+){{0,3}}?{_LEVEL_NOUN}\b", re.IGNORECASE)
    after = re.compile(rf"\b{_LEVEL_NOUN}\b(?:\s+[\w'-]+){{0,5}}?\s+(?:of\s+|to\s+|at\s+|is\s+|:\s*)?"
                       rf"\b(?P<lvl>{words})\b", re.IGNORECASE)
    from_to = re.compile(rf"\bfrom\s+(?:\w+\s+)?(?:{words})\b\s+to\s+(?:\w+\s+)?\b(?P<lvl>{words})\b",
                         re.IGNORECASE)
    return from_to, before, after


_PATTERNS = {cc: _level_patterns(s) for cc, s in SCALES.items()}


def country_code_of(place: dict) -> str | None:
    """The ISO2 code of a place dict's country (reconciled locations carry only the name)."""
    if place.get("country_code"):
        return place["country_code"]
    found = lookup(place["country"]) if place.get("country") else None
    return found.country_code if found is not None else None


def region_key(place: dict) -> str:
    """A stable key for a region: COUNTRY/kind/name (e.g. ``KZ/city/Almaty``)."""
    return f"{place.get('country_code') or '??'}/{place.get('kind') or 'place'}/{place.get('name') or ''}"


def _place_dict(place) -> dict:
    d = {k: getattr(place, k) for k in ("name", "kind", "admin1", "country", "country_code", "lat",
                                         "lon", "geonameid", "precision")}
    d["key"] = region_key(d)
    return d


def _country_region(code: str | None, name: str | None) -> dict | None:
    place = lookup(name) if name else None
    if place is None and code:
        place = lookup(code)
    return _place_dict(place) if place is not None and place.kind == "country" else None


def _region_for(sentence: tuple[int, int], sentence_text: str, places, main_location: dict | None,
                article_country: str | None) -> dict | None:
    inside = [p for p in places if sentence[0] <= p.start < sentence[1]]
    if inside:
        best = min(inside, key=lambda p: (p.place.precision, -p.confidence))
        return _place_dict(best.place)
    if main_location and main_location.get("name") and _LOCAL_WORDS.search(sentence_text):
        loc = dict(main_location, country_code=country_code_of(main_location))
        loc.setdefault("kind", "city" if loc.get("precision") == 1 else "admin1")
        loc["key"] = region_key(loc)
        return {k: loc.get(k) for k in ("name", "kind", "admin1", "country", "country_code", "lat", "lon",
                                         "geonameid", "precision", "key")}
    if main_location and main_location.get("country"):
        return _country_region(country_code_of(main_location), main_location.get("country"))
    return _country_region(None, article_country)


def _scale_for(region: dict | None, sentence_text: str) -> Scale | None:
    if region and region.get("country_code") in SCALES:
        return SCALES[region["country_code"]]
    for cc, pattern in _COUNTRY_WORDS.items():
        if re.search(pattern, sentence_text, re.IGNORECASE):
            return SCALES[cc]
    return None


def _find_level(scale: Scale, sentence_text: str) -> str | None:
    for pattern in _PATTERNS[scale.country_code]:
        m = pattern.search(sentence_text)
        if m:
            return scale.words[m.group("lvl").lower()]
    return None


def _action(sentence_text: str) -> str:
    for name, pattern in _ACTIONS:
        if re.search(pattern, sentence_text, re.IGNORECASE):
            return name
    return "stated"


def _date_for(sentence_text: str, published: str | None) -> dict | None:
    stated = [d for d in find_dates(sentence_text, published) if d.precision in ("day", "month")]
    if stated:
        return {"value": stated[0].value, "precision": stated[0].precision, "rule": stated[0].rule}
    if published:
        return {"value": published, "precision": ("year", "month", "day")[published.count("-")],
                "rule": "publication-date"}
    return None


def find_threat_levels(clean_text: str, published: str | None = None, article_id: str = "",
                       main_location: dict | None = None, source: dict | None = None) -> list[Claim]:
    """Official threat levels stated in ``clean_text``, one ``threat_level`` Claim per sentence.

    ``main_location`` is the article's main incident location (a reconciled location dict), used
    for "the city"; ``source`` (publisher, url, title) is copied into each claim's value."""
    out: list[Claim] = []
    places = None
    article_country = None
    for m in _SENTENCE.finditer(clean_text):
        sentence = m.group(0)
        if not _CUE.search(sentence):
            continue
        if places is None:
            places = find_places(clean_text)
            article_country = main_country(clean_text)
        start, end = m.start(), m.end()
        region = _region_for((start, end), sentence, places, main_location, article_country)
        scale = _scale_for(region, sentence)
        level = _find_level(scale, sentence) if scale else None
        if level is None:
            continue
        lead = len(sentence) - len(sentence.lstrip())
        tail = len(sentence.rstrip())
        value = {"scale": scale.id, "scale_name": scale.name, "level": level, "rank": scale.rank(level),
                 "region": region, "date": _date_for(sentence, published), "action": _action(sentence),
                 "source": {"article_id": article_id, "published": published, **(source or {})}}
        out.append(Claim(field="threat_level", value=value, start=start + lead, end=start + tail,
                         quote=sentence[lead:tail], extractor=EXTRACTOR, confidence=0.8,
                         article_id=article_id))
    return out


# ------------------------------------------------------------------------------------ storage

def _main_locations(conn) -> dict[str, dict]:
    """Each article's main-incident location claim (the value the pipeline resolved)."""
    rows = conn.execute(text("SELECT m.article_id, c.value_json FROM mentions m JOIN claims c "
                             "ON c.mention_key = m.key WHERE c.field = 'location' AND m.idx = 0 "
                             "ORDER BY c.id"))
    out: dict[str, dict] = {}
    for article_id, value in rows:
        out.setdefault(article_id, json.loads(value))
    return out


def refresh(store) -> int:
    """Scan the stored articles not scanned yet (or changed since) for official threat levels;
    returns how many articles were scanned."""
    with store.engine.connect() as conn:
        todo = conn.execute(text(
            "SELECT a.id, a.content_hash FROM articles a LEFT JOIN threat_scanned s ON s.article_id = a.id "
            "WHERE s.content_hash IS NULL OR s.content_hash <> a.content_hash ORDER BY a.id")).all()
        if not todo:
            return 0
        locations = _main_locations(conn)
    for article_id, content_hash in todo:
        with store.engine.connect() as conn:
            art = conn.execute(text("SELECT clean_text, published, publisher, url, title FROM articles "
                                    "WHERE id = :id"), {"id": article_id}).mappings().first()
        claims = find_threat_levels(art["clean_text"] or "", art["published"], article_id,
                                    locations.get(article_id),
                                    {k: art[k] for k in ("publisher", "url", "title")})
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM threat_levels WHERE article_id = :a"), {"a": article_id})
            for c in claims:
                v = c.value
                conn.execute(text(
                    'INSERT INTO threat_levels (article_id, region_key, scale, level, rank, date_value, '
                    'published, claim_json) VALUES (:a, :r, :s, :l, :k, :d, :p, :j)'),
                    {"a": article_id, "r": (v["region"] or {}).get("key"), "s": v["scale"], "l": v["level"],
                     "k": v["rank"], "d": (v["date"] or {}).get("value"), "p": art["published"],
                     "j": json.dumps(c.to_dict())})
            conn.execute(text("DELETE FROM threat_scanned WHERE article_id = :a"), {"a": article_id})
            conn.execute(text("INSERT INTO threat_scanned (article_id, content_hash) VALUES (:a, :h)"),
                         {"a": article_id, "h": content_hash})
    return len(todo)


def official_levels(store, region: str | None = None) -> list[Claim]:
    """Every official threat-level claim stored, in time order (by the level's date, then the
    publication date); ``region`` keeps those whose region name, first-level region, country or
    key matches (case-insensitive)."""
    refresh(store)
    with store.engine.connect() as conn:
        claims = [Claim(**json.loads(r[0])) for r in conn.execute(text("SELECT claim_json FROM threat_levels"))]
    if region:
        claims = [c for c in claims if region_matches(c.value.get("region") or {}, region)]
    return sorted(claims, key=lambda c: (publication_sort_key((c.value.get("date") or {}).get("value")),
                                         publication_sort_key(c.value["source"].get("published")),
                                         c.article_id, c.start))


def region_matches(place: dict, wanted: str) -> bool:
    """Whether a place dict lies in the region named ``wanted`` (its name, admin1, country or key)."""
    w = wanted.strip().lower()
    return any((place.get(k) or "").lower() == w for k in ("name", "admin1", "country", "country_code", "key"))


# ------------------------------------------------------------------------------------ activity

@dataclass
class ActivityConfig:
    """Window, weights and thresholds of the computed activity level (see the module docstring)."""

    window_days: int = 365
    half_life_days: float = 90.0
    w_incident: float = 1.0
    w_killed: float = 1.0
    w_injured: float = 0.5
    thresholds: dict[str, float] = field(default_factory=lambda: {"low": 0.0, "elevated": 5.0,
                                                                  "high": 15.0, "severe": 40.0})

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ActivityConfig:
        d = dict(d or {})
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            from .errors import InputError
            raise InputError(f"unknown activity setting(s): {', '.join(sorted(unknown))}")
        return cls(**d)

    def level(self, score: float) -> str:
        """The level for a score: the highest threshold it exceeds ("low" is any score > 0)."""
        if score <= 0:
            return "none"
        reached = [name for name, t in self.thresholds.items() if score >= t and (t > 0 or score > 0)]
        return max(reached, key=lambda n: self.thresholds[n]) if reached else "none"


def date_start(value: str | None) -> dt.date | None:
    """The first day of a YYYY[-MM[-DD]] date."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _regions_of(location: dict | None) -> list[dict]:
    """The regions an incident counts for: its city, its first-level region, its country."""
    if not location:
        return []
    out = []
    cc = country_code_of(location)
    if location.get("name") and (location.get("precision") or 9) <= 3:
        kind = "city" if (location.get("precision") or 9) == 1 else "admin1"
        out.append({"name": location["name"], "kind": kind, "country": location.get("country"),
                    "country_code": cc})
    if location.get("admin1") and (location.get("precision") or 9) == 1:
        out.append({"name": location["admin1"], "kind": "admin1", "country": location.get("country"),
                    "country_code": cc})
    if location.get("country"):
        out.append({"name": location["country"], "kind": "country", "country": location["country"],
                    "country_code": cc})
    for r in out:
        r["key"] = region_key(r)
    return out


def _incident_points(store) -> list[tuple[dt.date, tuple[int, int], list[dict], str]]:
    """(date, (killed, injured), regions, incident id) of every dated incident, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, fields_json FROM incidents ORDER BY id")).all()
    points = []
    for incident_id, fields_json in rows:
        f = json.loads(fields_json)
        day = date_start((f.get("date") or {}).get("value"))
        if day is None:
            continue
        killed = (f.get("killed") or {}).get("best") or 0
        injured = (f.get("injured") or {}).get("best") or 0
        points.append((day, (killed, injured), _regions_of(f.get("location")), incident_id))
    return sorted(points, key=lambda p: (p[0], p[3]))


def _by_region(points) -> dict[str, tuple[dict, list]]:
    """Region key -> (region, its points), so each score reads only its own region's incidents."""
    out: dict[str, tuple[dict, list]] = {}
    for p in points:
        for r in p[2]:
            out.setdefault(r["key"], (r, []))[1].append(p)
    return out


def _score(points, as_of: dt.date, cfg: ActivityConfig) -> tuple[float, int]:
    score, n = 0.0, 0
    for day, (killed, injured), _regions, _ in points:
        age = (as_of - day).days
        if 0 <= age <= cfg.window_days:
            score += ((cfg.w_incident + cfg.w_killed * killed + cfg.w_injured * injured)
                      * 0.5 ** (age / cfg.half_life_days))
            n += 1
    return score, n


def _as_of(points, as_of: str | dt.date | None) -> dt.date:
    if isinstance(as_of, dt.date):
        return as_of
    if as_of == "today":
        return dt.datetime.now(dt.timezone.utc).date()
    if as_of:
        return date_start(as_of)
    return max((p[0] for p in points), default=dt.datetime.now(dt.timezone.utc).date())


def activity_levels(store, config: ActivityConfig | None = None, as_of: str | dt.date | None = None,
                    region: str | None = None) -> list[dict]:
    """The computed activity level of every region with incidents, highest score first:
    {region, score, level, incidents, as_of}. ``as_of``: a date, "today", or None for the newest
    incident date stored."""
    cfg = config or ActivityConfig()
    points = _incident_points(store)
    day = _as_of(points, as_of)
    out = []
    for reg, own in _by_region(points).values():
        if region and not region_matches(reg, region):
            continue
        score, n = _score(own, day, cfg)
        out.append({"region": reg, "score": round(score, 3), "level": cfg.level(score), "incidents": n,
                    "as_of": day.isoformat()})
    return sorted(out, key=lambda r: (-r["score"], r["region"]["key"]))


def activity_history(store, config: ActivityConfig | None = None,
                     region: str | None = None) -> list[dict]:
    """Per region, the computed level at each date an incident occurred there, oldest first:
    {region, date, score, level, incident_id}."""
    cfg = config or ActivityConfig()
    out = []
    for reg, own in _by_region(_incident_points(store)).values():
        if region and not region_matches(reg, region):
            continue
        days = [p[0] for p in own]
        for i, (day, _, _, incident_id) in enumerate(own):
            first = bisect.bisect_left(days, day - dt.timedelta(days=cfg.window_days))
            score, _n = _score(own[first : i + 1], day, cfg)   # same-day incidents after it do not count yet
            out.append({"region": reg, "date": day.isoformat(), "score": round(score, 3),
                        "level": cfg.level(score), "incident_id": incident_id})
    return sorted(out, key=lambda r: (r["date"], r["incident_id"], r["region"]["key"]))
