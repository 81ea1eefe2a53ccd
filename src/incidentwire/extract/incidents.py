"""Split an article into the incidents it reports and turn each into a Mention of Claims.

How an article becomes incidents ("frames"):
1. The clean text is split into sentences, and sentences into clauses at consequence cues
   (", prompting a security operation in which ..." starts a follow-up incident).
2. Running totals ("the death toll so far") and anniversaries are skipped. Aftermath
   sentences (arrests, charges, trials, foiled plots, funerals) start no incident and give no
   actors, but their tolls go to the current incident (to the first one when they come before
   it): "Police made an arrest in a shooting that left one person critically injured". So do
   clashes between armed sides (war, not an attack), and bomb words in a sentence that lists
   seized arms start nothing (MUC-4 dev micro_gtt 0.4837 -> 0.4850, train 0.4543 -> 0.4582). The
   headline opens the main incident, but its places wait for the body (an outlet's city
   often ends a headline: "... | CBS Denver").
3. A clause with an attack trigger word is a candidate event. Its city-level places and dates
   decide which frame it belongs to: an existing frame with the same place and a compatible
   date, the current frame when it names neither, else a new frame. When a clause names two
   cities, it is cut at the trigger before each ("a suicide bombing in Aktobe in May, and a car
   explosion ... in Astana").
   A clause that counts several events ("Two explosions ... killed at least two people in
   May") gives one frame per event when it names no place and no day, or one per city when one
   trigger word covers several cities; the events share the clause's toll (``_count_group``).
4. Sentences without a trigger still give their casualty counts and perpetrators to the current
   frame ("Local media reported that at least seven police are being treated in hospital");
   those before the first incident go to the main one, since a report often names who was hit
   or who is blamed before it says what happened ("the investigation into the death of leader
   x ..."): MUC-4 dev micro_gtt 0.443 -> 0.445.
5. An aggregate that itemises its dead ("including ... two occupants of the exploding car")
   gives a count to the one frame an item's words point at (extract/breakdown.py).
The first frame is the article's main incident; the others are background incidents.

Limits: rule-based and sentence-local; pronouns and "the same group" are not resolved; an
incident whose place and date are both unstated merges into the current frame.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from ..records import Article, Claim, Mention
from . import actors, breakdown, lexicon, registry, responses, types
from .dates import DateMention, find_dates
from .places import Place, PlaceMention, find_places, main_country
from .toll_claims import claim, frame_tolls, none_reported, shared_toll
from .tolls import TollMention, find_references, find_tolls

TRIGGER_RE = re.compile(
    r"\b(?:attack(?:s|ed|er|ers|ing)?|shooting(?:s)?|shot|gunshots?|gunm[ae]n|gunfire|opened\s+fire|"
    r"bomb(?:s|ing|ings|ed|er|ers)?|explo(?:sions?|ded)|explosives|blasts?|blew\s+(?:\w+self\s+)?up|"
    r"kill(?:ed|ing|ings)|murder(?:ed|s|ing)?|slain|slaying|died|dead|stabb(?:ed|ing)|rampage|"
    r"ambush(?:ed)?|kidnap\w*|abduct\w*|hostages?|hijack\w*|massacre\w*|assassinat\w*|arson|"
    r"set\s+fire|torched|grenades?|rammed|massacred)\b", re.IGNORECASE)
# Sentences that talk about something other than an incident as it happened: running totals
# and anniversaries are skipped; what came after an incident (arrests, charges, trials,
# funerals) starts no incident but tells the current one's toll ("charged in the shooting
# death of ...", "an arrest in a shooting that left one person critically injured").
NON_INCIDENT_RE = re.compile(
    r"\b(?:so\s+far|this\s+year|since\s+(?:19|20)\d\d|in\s+recent\s+(?:months|years)|anniversary)\b",
    re.IGNORECASE)
AFTERMATH_RE = re.compile(
    r"\b(?:sentenced|court|trial|convicted|foiled|thwarted|plot(?:s|ting)?|arrests?|"
    r"detained\s+\w+\s+\w+\s+on\s+suspicion|on\s+suspicion|buried|funeral|mourn\w*|"
    r"memorial(?!\s+(?:hospital|medical|health|regional)))\b", re.IGNORECASE)
# Fighting between armed sides ("clashed with a rebel column", "an armed clash with troops") is
# war, not an attack: such a sentence starts no incident and names no attacker, but its toll counts
COMBAT_RE = re.compile(r"\b(?:clash(?:ed|es)?|skirmish\w*|firefights?)\b", re.IGNORECASE)
# weapon words that name arms, not their use
_ARMS_RE = re.compile(r"grenades?|explosives|bombs?", re.IGNORECASE)
# Trigger words that name no new attack: "officers forced their way in using a controlled
# explosion" (the police's technique), "arrested a man in connection with the bombing" (the one
# already told)
_NOT_AN_ATTACK_RE = re.compile(r"\bcontrolled\s+$|\bin\s+connection\s+with\s+(?:the|this|that|these|those)\s+"
                               r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# "MANCHESTER, May 23 (Atlas Daily) - ...": the dateline's date is the report's (the publication
# day: clean.apply_page_metadata reads it there), not the day of what the story tells
_DATELINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*[A-Z][A-Za-z .,'’-]{1,40},[ \t]*$")
_DATELINE_AFTER = re.compile(r"(?:,?[ \t]*\d{4})?[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?(?:-|–|—|:)")


# "The victim, Brandon Ward, from Gwynn Oak, ...", "X, 22, of Camp Hill": where someone lives, not
# where an incident happened ("a Baltimore man" or "a medellin judge" often names both: kept)
_RESIDENCE_RE = re.compile(r",\s*(?:from|of)\s+$", re.IGNORECASE)


def _is_dateline(text: str, d: DateMention) -> bool:
    return bool(_DATELINE_BEFORE.search(text, max(0, d.start - 45), d.start) and _DATELINE_AFTER.match(text, d.end))


# A trigger that points back at an incident already introduced ("in the wake of the attack",
# "a recent spate of blasts") does not start a new one.
ANAPHORIC_RE = re.compile(
    r"\b(?:the|this|that|these|those|its|their|his|her)\s+(?:[\w-]+\s+){0,2}$|"
    r"\b(?:spate|series|wave|string|number)\s+of\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# A date right after one of these is when something was said or counted, not when the attack
# happened ("claimed responsibility on Saturday", "the toll rose to 84 on Friday").
REPORTING_RE = re.compile(
    r"\b(?:said|says|told|announced|claimed\s+responsibility|claimed|confirmed|reported|rose|risen|"
    r"climbed|statement|conference|stood\s+at|by)\b[^.;]{0,15}$", re.IGNORECASE)
CONSEQUENCE_RE = re.compile(
    r",?\s+(?:prompting|sparking|triggering|leading\s+to|which\s+prompted|that\s+prompted)\s+"
    r"(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:operation|raid|sweep|crackdown|manhunt)", re.IGNORECASE)
# "Two explosions ... in May", "three separate attacks": one clause that counts several events
COUNT_EVENTS_RE = re.compile(
    r"(?<!\bthe\s)(?<!\bthese\s)(?<!\bthose\s)\b(?P<n>two|three|four|five|[2-5])\s+(?:[\w-]+\s+)?"
    r"(?:explosions|blasts|bombings|attacks|shootings|ambushes)\b", re.IGNORECASE)
# where a noun phrase before a trigger word starts ("... and | a car explosion in Astana")
_NP_START_RE = re.compile(r"\b(?:an?|the|another)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_PARA_RE = re.compile(r"[^\n]+")
# a full stop after an initial or a title ("M.K. Kariev", "col. guillermo benavides") does
# not end a sentence (case-insensitive: MUC-4 wire text is lower-case), but "the U.S." and
# "10:30 p.m." may
_ABBREVIATIONS = ("mr", "mrs", "ms", "dr", "gen", "col", "lt", "capt", "maj", "sgt", "cpl", "rev", "msgr", "gov",
                  "sen", "rep")
_NOT_SENTENCE_END = ("".join(rf"(?<!\b{a})" for a in _ABBREVIATIONS)
                     + r"(?:(?<=\bu\.s)|(?<=\bu\.n)|(?<=\bu\.k)|(?<=\ba\.m)|(?<=\bp\.m)|(?<!\b[a-z]))")
# a month or US state abbreviated before a day, a bracket or a dash ("Dec. 10", "INDIANAPOLIS, Ind.
# (Dec. 10, 2015) -", "SPOKANE, Wash. - Detectives") ends no sentence; before a capital it may ("in
# Jackson, Miss. The police said")
_DATE_PLACE_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                             "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan",
                             "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla",
                             "ore", "pa", "tenn", "tex", "va", "vt", "wash", "wis", "wyo")
_NOT_BEFORE_DAY = "".join(rf"(?!(?<=\b{a}\.)\s+[(\d–—-])" for a in _DATE_PLACE_ABBREVIATIONS)
_SENT_RE = re.compile(rf".+?(?:{_NOT_SENTENCE_END}[.!?]{_NOT_BEFORE_DAY}(?=[\s\"”’)]|$)[\"”’)]*|$)",
                      re.DOTALL | re.IGNORECASE)


@dataclass
class Segment:
    start: int
    end: int
    followup: bool = False
    aftermath: bool = False  # arrests, charges, trials: read for the toll only


@dataclass
class Frame:
    segments: list[Segment] = field(default_factory=list)
    place: PlaceMention | None = None
    date: DateMention | None = None
    followup_of: Frame | None = None
    group: tuple[int, int] | None = None  # (events counted together, this one's position)

    @property
    def city(self) -> str | None:
        return self.place.place.name if self.place else None


def title_end(text: str, title: str | None) -> int:
    """Where a headline that opens the text ends (0 when the text does not open with it)."""
    title = (title or "").strip()
    return len(title) if title and len(title) < len(text) and text.startswith(title) else 0


def _by_piece(find, text: str, cut: int) -> list:
    """Run a span finder on the headline and the body apart, so a headline glued to the body
    ("... | abc13.comA man was shot") does not hide the body's first word."""
    if not cut:
        return find(text)
    return find(text[:cut]) + [replace(m, start=m.start + cut, end=m.end + cut) for m in find(text[cut:])]


def sentences(text: str, title: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans: paragraphs (lines) first, then sentence-final punctuation. A headline
    glued to the body ("Man shot in CeresA 20-year-old man was shot...", common in scraped
    text) is its own sentence when the article's title is known."""
    out = []
    cut = title_end(text, title)
    for para in _PARA_RE.finditer(text):
        pieces = [(para.start(), para.end())]
        if para.start() < cut < para.end():
            pieces = [(para.start(), cut), (cut, para.end())]
        for p_start, p_end in pieces:
            for m in _SENT_RE.finditer(text[p_start:p_end]):
                s, e = p_start + m.start(), p_start + m.end()
                while s < e and text[s].isspace():
                    s += 1
                if e > s:
                    out.append((s, e))
    return out


def dates_compatible(a: str | None, b: str | None) -> bool:
    """Two resolved dates can be the same incident: unknown, a prefix (month/year) of the other,
    or day-precise and at most one day apart (an attack "late on Monday" reported "on Tuesday")."""
    if not a or not b:
        return True
    if len(a) == len(b) == 10:
        try:
            return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days) <= 1
        except ValueError:
            return a == b
    return a.startswith(b) or b.startswith(a)


def _clauses(text: str, start: int, end: int) -> list[Segment]:
    cut = CONSEQUENCE_RE.search(text, start, end)
    if not cut:
        return [Segment(start, end)]
    return [Segment(start, cut.start()), Segment(cut.start(), end, followup=True)]


def _split_by_city(text: str, seg: Segment, triggers: list[re.Match], cities: list[PlaceMention]) -> list[Segment]:
    """Cut a clause that names several cities at the trigger word before each city."""
    distinct = {c.place.name for c in cities}
    if len(distinct) < 2:
        return [seg]
    cuts = []
    for c in cities:
        before = [t.start() for t in triggers if t.start() < c.start]
        np_start = _NP_START_RE.search(text, max(seg.start, before[-1] - 40), before[-1]) if before else None
        cuts.append(np_start.start() if np_start else before[-1] if before else seg.start)
    cuts = sorted({max(seg.start, x) for x in cuts} | {seg.start})
    bounds = cuts + [seg.end]
    return [Segment(a, b, seg.followup) for a, b in zip(bounds, bounds[1:]) if b > a]


def _within(items, seg: Segment):
    return [x for x in items if seg.start <= x.start < seg.end]


def segment_frames(text: str, dates: list[DateMention], places: list[PlaceMention],
                   title: str | None = None) -> list[Frame]:
    """Group the article's event clauses into incident frames (first = main incident)."""
    cities = [p for p in places if p.place.kind in ("city", "admin1")
              and not _RESIDENCE_RE.search(text, max(0, p.start - 12), p.start)]
    dates = [d for d in dates if not REPORTING_RE.search(text, max(0, d.start - 60), d.start)
             and not _is_dateline(text, d)]
    frames: list[Frame] = []
    current: Frame | None = None
    cut, headline = title_end(text, title), None
    pending: list[Segment] = []  # aftermath sentences before any incident
    lead: list[Segment] = []  # sentences without a trigger before any incident
    for s_start, s_end in sentences(text, title):
        sentence = text[s_start:s_end]
        if NON_INCIDENT_RE.search(sentence):
            continue
        triggers = list(TRIGGER_RE.finditer(text, s_start, s_end))
        if types.INVENTORY_RE.search(sentence):
            # "the army seized an arsenal of grenades and explosives": arms, not an attack
            triggers = [t for t in triggers if not _ARMS_RE.fullmatch(t.group(0))]
        triggers = [t for t in triggers if not _NOT_AN_ATTACK_RE.search(text, max(0, t.start() - 60), t.start())]
        if AFTERMATH_RE.search(sentence) or COMBAT_RE.search(sentence):
            (pending if current is None else current.segments).append(Segment(s_start, s_end, aftermath=True))
            continue
        if s_end == cut and current is None:
            headline = Segment(s_start, s_end)  # the headline is about the main incident
            if triggers:
                # its places wait for the body: a headline often ends with the outlet's
                # city ("... | CBS Denver") where the body's dateline gives the place
                current = Frame(segments=[headline])
                frames.append(current)
            continue
        if not triggers:
            if current is None:
                lead.append(Segment(s_start, s_end))
            else:
                current.segments.append(Segment(s_start, s_end))
                stated = [d for d in _within(dates, Segment(s_start, s_end))
                          if not d.uncertain and d.precision == "day"]
                if current.date is None and stated:
                    current.date = stated[0]
            continue
        for clause in _clauses(text, s_start, s_end):
            clause_triggers = [t for t in triggers if clause.start <= t.start() < clause.end]
            group = _count_group(text, clause, clause_triggers, _within(cities, clause), _within(dates, clause),
                                 frames, current)
            if group:
                current = group[0]
                continue
            previous_date = None
            for seg in _split_by_city(text, clause, clause_triggers, _within(cities, clause)):
                seg_dates = _within(dates, seg)
                if not seg_dates and previous_date is not None:
                    # "a bombing in Aktobe in May, and a car explosion a week later in Astana"
                    seg_dates = [replace(previous_date, uncertain=True,
                                         rule=previous_date.rule + "+from-preceding-clause")]
                previous_date = seg_dates[0] if seg_dates else None
                seg_triggers = [t for t in clause_triggers if seg.start <= t.start() < seg.end]
                vague = not _within(cities, seg) and all(d.uncertain for d in seg_dates)
                if current is not None and (vague and seg_dates or not seg_dates and all(
                        ANAPHORIC_RE.search(text, max(0, t.start() - 40), t.start()) for t in seg_triggers)):
                    named = {c.place.name for c in _within(cities, seg)}
                    current = next((f for f in frames if f.city in named), current)
                    current.segments.append(seg)
                    continue
                current = _place_segment(frames, current, seg, _within(cities, seg), seg_dates)
    if pending and not frames and any(TRIGGER_RE.search(text, p.start, p.end) for p in pending):
        frames.append(Frame())  # an article about an arrest or a trial tells the incident too
    if (pending or lead) and frames:
        frames[0].segments[:0] = sorted(pending + lead, key=lambda seg: seg.start)
    if headline is not None and frames:
        if headline not in frames[0].segments:
            frames[0].segments.insert(0, headline)
        named = _within(cities, headline)
        if frames[0].place is None and named:
            frames[0].place = named[0]
    if frames and frames[0].place is None:
        frames[0].place = _dateline_city(text, cut, cities)
    return frames


# "FLORENCE, S.C. (WCIV) -", "HOUSTON - Police", "INDIANAPOLIS (Dec 7, 2015) -": a town opening the
# body, before a dash, a bracket or a colon
_DATELINE_CITY_AFTER = re.compile(r"(?:,[ \t]*[A-Z][\w. ]{0,20}?)?[ \t]*(?:\([^()\n]{1,60}\)[ \t]*)?(?:-|–|—|:|\?{2,3})")


def _dateline_city(text: str, cut: int, cities: list[PlaceMention]) -> PlaceMention | None:
    """The town of the body's dateline, for a main incident whose own sentences name none (its
    sentences tell of arrests or searches: "SPOKANE, Wash. - Detectives continue to search for
    whoever gunned down ..."). Local news happens where it is filed; a dateline abroad is only
    used when the story names no other town for its incident."""
    for p in cities[:8]:  # a dateline opens the body: its town is among the first few named
        opens_line = p.start == cut or text[p.start - 1:p.start] == "\n" or not text[:p.start].strip()
        if p.place.kind == "city" and opens_line and _DATELINE_CITY_AFTER.match(text, p.end):
            return p
    return None


def _count_group(text: str, clause: Segment, triggers: list[re.Match], cities: list[PlaceMention],
                 dates: list[DateMention], frames: list[Frame], current: Frame | None) -> list[Frame]:
    """Frames for a clause that counts several events of one kind ("Two explosions, including the
    country's first-known suicide bombing, killed at least two people in May"): one frame per
    city when one trigger word covers several ("blasts in Aktobe and Astana"), else, when the
    clause names no place and no day (so nothing says it was one operation) and starts a new
    incident, one frame per counted event. The events share the clause, and so its toll (see
    toll_claims.frame_tolls). Returns the frames it added or extended ([] when the rule does not apply)."""
    counted = COUNT_EVENTS_RE.search(text, clause.start, clause.end)
    if counted is None or current is None:
        return []
    names = list(dict.fromkeys(c.place.name for c in cities))
    if len(names) == 1 or any(d.precision == "day" for d in dates):
        return []  # one place or one day: one operation, even with several blasts
    date = dates[0] if dates else None
    value = date.value if date else None
    if len(names) > 1:
        if any(cities[0].start < t.start() < cities[-1].start for t in triggers):
            return []  # a trigger per city: _split_by_city cuts the clause
        out = []
        for k, name in enumerate(names):
            known = next((f for f in frames if f.followup_of is None and f.city == name
                          and dates_compatible(value, f.date.value if f.date else None)), None)
            if known is None:
                known = Frame(place=next(c for c in cities if c.place.name == name), date=date,
                              group=(len(names), k))
                frames.append(known)
            known.segments.append(clause)
            out.append(known)
        return out
    if date is None or dates_compatible(value, current.date.value if current.date else None):
        return []
    n = int(counted.group("n")) if counted.group("n").isdigit() else _COUNT_WORDS[counted.group("n").lower()]
    out = [Frame(segments=[clause], date=date, group=(n, k)) for k in range(n)]
    frames.extend(out)
    return out


_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}


def _place_segment(frames: list[Frame], current: Frame | None, seg: Segment,
                   cities: list[PlaceMention], dates: list[DateMention]) -> Frame:
    place = cities[0] if cities else None
    date = dates[0] if dates else None
    name, value = (place.place.name if place else None), (date.value if date else None)
    target: Frame | None = None
    if seg.followup and current is not None:
        target = Frame(place=place or current.place, followup_of=current)
        frames.append(target)
    elif name is not None:
        # the frame already about this city, at a compatible date; else a current frame that
        # has not named its place yet
        target = next((f for f in frames if f.followup_of is None and f.city == name
                       and dates_compatible(value, f.date.value if f.date else None)), None)
        if target is None and current is not None and current.city is None and (
                current.date is None or (value and dates_compatible(value, current.date.value))):
            target = current
    elif current is not None and dates_compatible(value, current.date.value if current.date else None):
        target = current
    if target is None:
        target = Frame()
        frames.append(target)
    target.segments.append(seg)
    target.place = target.place or place
    if date and (target.date is None or len(date.value) > len(target.date.value)
                 or (len(date.value) == len(target.date.value) and date.value < target.date.value)):
        target.date = date  # the most precise, then the earliest: reports follow the event
    return target


def extract_mentions(article: Article) -> list[Mention]:
    """Per-article extraction: one Mention (of Claims) per incident the article reports."""
    text = article.clean_text or article.text
    cut = title_end(text, article.title)
    dates = _by_piece(lambda t: find_dates(t, article.published), text, cut)
    country = main_country(text)
    places = _by_piece(lambda t: find_places(t, country_hint=country), text, cut)
    tolls = _by_piece(find_tolls, text, cut)
    references = _by_piece(find_references, text, cut)
    frames = segment_frames(text, dates, places, article.title)
    mentions = []
    for i, frame in enumerate(frames):
        m = Mention(article_id=article.id, index=i, role="main" if i == 0 else "background",
                    published=article.published)
        m.claims = _frame_claims(article, text, frame, i == 0, tolls + references, places, country)
        mentions.append(m)
    if any(t.is_aggregate for t in tolls):
        _add_breakdown_counts(article, text, frames, mentions, tolls)
    if mentions:
        _article_wide_claims(article, text, frames, mentions)
    responses.resolve_anaphors([c for m in mentions for c in m.claims])
    return mentions


def _add_breakdown_counts(article: Article, text: str, frames: list[Frame], mentions: list[Mention],
                          tolls: list[TollMention]) -> None:
    """Counts an aggregate itemises per incident (extract/breakdown.py), where the incident's
    own sentences state none."""
    frame_texts = [" ".join(text[s.start:s.end] for s in f.segments) + " " + (f.city or "") for f in frames]
    for i, name, value, start, end in breakdown.attribute(text, tolls, frame_texts):
        own = next((c for c in mentions[i].claims if c.field == name), None)
        if own is not None and own.value.get("stated", True):
            continue
        if own is not None:
            mentions[i].claims.remove(own)
        value = dict(value, update=False, stated=True, categories={})
        mentions[i].claims.append(claim(article, text, name, value, start, end, "tolls", 0.4))


def _frame_claims(article: Article, text: str, frame: Frame, is_main: bool, tolls: list[TollMention],
                  places: list[PlaceMention], country: str | None) -> list[Claim]:
    claims: list[Claim] = []
    first = frame.segments[0]
    if frame.date is not None:
        d = frame.date
        claims.append(claim(article, text, "date", {"value": d.value, "precision": d.precision,
                             "rule": d.rule, "uncertain": d.uncertain}, d.start, d.end,
                             "dates", 0.5 if d.uncertain else 0.8))
    elif frame.followup_of is not None and frame.followup_of.date is not None:
        year = frame.followup_of.date.value[:4]
        claims.append(claim(article, text, "date", {"value": year, "precision": "year",
                             "rule": "after-preceding-incident", "uncertain": True},
                             first.start, first.end, "dates", 0.3))
    elif is_main and article.published:
        prec = {4: "year", 7: "month", 10: "day"}.get(len(article.published), "day")
        claims.append(claim(article, text, "date", {"value": article.published, "precision": prec,
                             "rule": "publication-date", "uncertain": True},
                             first.start, first.start, "dates", 0.3))
    claims.append(_location_claim(article, text, frame, places, country))
    seg_text = [(s, text[s.start:s.end]) for s in frame.segments if not s.aftermath]
    trigger_segments = [(s, t) for s, t in seg_text if TRIGGER_RE.search(t)]
    joined = " \n".join(t for _, t in trigger_segments)
    atype, a_s, _a_e, a_conf = types.attack_type(joined)
    if atype != "unknown":
        seg = _locate(trigger_segments, a_s)
        claims.append(claim(article, text, "attack_type", atype, seg.start, seg.end, "types", a_conf))
    scoped = {"trigger": trigger_segments, "frame": seg_text,
              "aftermath": [(s, text[s.start:s.end]) for s in frame.segments]}
    for extractor in registry.registered():
        for seg, t in scoped[extractor.scope]:
            for value, s, e in extractor.find(t):
                if extractor.field == "victims" and isinstance(value, str):
                    # a victim named in part here is named in full elsewhere in the article
                    value, s, e = actors.full_name(text, value, seg.start + s, seg.start + e)
                    s, e = s - seg.start, e - seg.start
                key = str(value).lower()
                if not any(c.field == extractor.field and str(c.value).lower() == key for c in claims):
                    claims.append(claim(article, text, extractor.field, value, seg.start + s, seg.start + e,
                                         extractor.name, extractor.confidence))
    toll_claims = frame_tolls(article, text, frame, tolls)
    if frame.group is not None:
        claims.append(_group_claim(article, text, frame))
        toll_claims = [shared_toll(c, frame.group[0]) for c in toll_claims]
    claims.extend(toll_claims)
    return claims


def _article_wide_claims(article: Article, text: str, frames: list[Frame], mentions: list[Mention]) -> None:
    """What the authorities did (arrests, threat levels, suspects at large) and whom they name as
    the suspect ("police arrested X", "the suspect, X,") are read in the whole article and go with
    the incident whose sentences say them ("Authorities made three arrests" in the paragraph on a
    background bombing is that bombing's); one said outside every incident's sentences goes with
    the main incident (reports often tell the arrest or the charge apart from the attack)."""
    def owner(start: int) -> Mention:
        return mentions[next((k for k, f in enumerate(frames) if any(g.start <= start < g.end for g in f.segments)), 0)]

    for value, s, e in responses.responses(text):
        owner(s).claims.append(claim(article, text, "responses", value, s, e, "responses", 0.6))
    for field, find in (("perpetrators", actors.named_suspects), ("victims", actors.named_victims)):
        for value, s, e in find(text):
            m = owner(s)  # the incident of the sentence that says it, though its fullest form is elsewhere
            value, s, e = actors.fullest_cased_name(text, value, s, e)
            if not any(c.field == field and str(c.value).lower() == value.lower() for c in m.claims):
                m.claims.append(claim(article, text, field, value, s, e, f"actors.{find.__name__}", 0.6))


# the rule-based extractors; others plug in with registry.register (see extract/registry.py).
# Physical targets are read in every sentence of the frame, not only those with a trigger word:
# each needs an attack verb of its own ("urban guerrillas sabotaged pylons"), MUC-4 dev target
# F1 0.379 -> 0.415. Weapons and bare words stay in trigger sentences.
for _name, _field, _find, _scope, _conf in (
        ("types.weapons", "weapons", types.weapons, "trigger", 0.5),
        ("types.targets", "targets", types.targets, "frame", 0.5),
        ("types.target_types", "target_types", types.target_types, "trigger", 0.5),
        ("types.act_types", "act_types", types.act_types, "trigger", 0.4),
        ("actors.victims", "victims", actors.victims, "aftermath", 0.5),
        ("actors.perpetrator_descriptions", "perpetrator_descriptions", actors.perpetrator_descriptions,
         "trigger", 0.5),
        ("actors.perpetrators", "perpetrators", actors.perpetrators, "frame", 0.7),
        ("actors.perpetrators_caseless", "perpetrators", actors.perpetrators_caseless, "trigger", 0.6),
        ("actors.attributed_perpetrators", "perpetrators", actors.attributed_perpetrators, "frame", 0.6),
        ("responses.responsibility", "responsibility", responses.responsibility, "frame", 0.7),
        ("lexicon.perpetrators", "perpetrators", lexicon.finder("perpetrators"), "frame", 0.5),
        ("lexicon.perpetrator_descriptions", "perpetrator_descriptions", lexicon.finder("perpetrator_descriptions"),
         "frame", 0.5),
        ("lexicon.victims", "victims", lexicon.finder("victims"), "frame", 0.5),
        ("lexicon.targets", "targets", lexicon.finder("targets"), "trigger", 0.4),
        ("lexicon.weapons", "weapons", lexicon.finder("weapons"), "trigger", 0.4)):
    registry.register(_name, _field, _find, scope=_scope, confidence=_conf, replace=True)


def _locate(segments: list[tuple[Segment, str]], offset: int) -> Segment:
    """The segment that an offset in the joined segment texts falls in."""
    pos = 0
    for seg, t in segments:
        if offset < pos + len(t) + 2:
            return seg
        pos += len(t) + 2
    return segments[-1][0]


def _location_claim(article: Article, text: str, frame: Frame, places: list[PlaceMention],
                    country: str | None) -> Claim:
    if frame.place is not None:
        pm = frame.place
        return claim(article, text, "location", _place_value(pm.place), pm.start, pm.end, "places",
                      pm.confidence)
    mention = next((p for p in places if p.place.kind == "country" and p.place.country == country), None)
    value = {"name": None, "admin1": None, "country": country, "lat": None, "lon": None,
             "precision": 4, "kind": "country"}
    if mention is not None:
        value.update(lat=mention.place.lat, lon=mention.place.lon)
        return claim(article, text, "location", value, mention.start, mention.end, "places", 0.4)
    return claim(article, text, "location", value, 0, 0, "places", 0.1)


def _place_value(place: Place) -> dict:
    return {"name": place.name if place.kind != "country" else None, "admin1": place.admin1,
            "country": place.country, "lat": place.lat, "lon": place.lon,
            "precision": place.precision, "kind": place.kind}


def no_incident_tolls(article: Article) -> list[Claim]:
    """Killed and injured of an article in which extraction found no incident: none reported
    (``stated: False``, as for an incident whose report gives no toll), the headline or first
    sentence as evidence. Used for the main-event record of articles kept without one."""
    text = article.clean_text or article.text or ""
    spans = sentences(text, article.title)
    start, end = spans[0] if spans else (0, 0)
    return none_reported(article, text, ["killed", "injured"], start, end, 0.2)


def _group_claim(article: Article, text: str, frame: Frame) -> Claim:
    """Which of several events counted together this incident is (the linker pairs such
    place-less reports one to one with incidents other reports place)."""
    size, member = frame.group
    seg = frame.segments[0]
    counted = COUNT_EVENTS_RE.search(text, seg.start, seg.end)
    start, end = counted.span() if counted else (seg.start, seg.end)
    return claim(article, text, "event_group", {"size": size, "member": member}, start, end, "incidents", 0.5)
