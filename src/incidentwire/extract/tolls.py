"""Casualty counts (killed / injured) in a sentence or passage, with UCDP-style uncertainty.

`find_tolls(text)` returns one `TollMention` per counted group: its evidence span (the clause),
kind ("killed" | "injured"), a `Count` {min, best, max}, the side (victims or perpetrators),
a category for victims (police / military / security / civilians) and two flags: `is_update`
("the toll rose to six") and `is_aggregate` (running totals such as "so far this year").

Rules, in the order they are tried (a number already used by an earlier rule is not reused):

1. Toll phrases: "(death) toll ... has risen from five to six", "bringing the toll to 7",
   "the number of injured rose to 30", "the death toll so far is at least 22". A verb of
   change (rose, climbed, reached, "from .. to", "bringing .. to") sets `is_update`.
2. A kill / injure verb with a list of counted noun phrases after it (active: "killed 3
   policemen", "killing himself and the police officer", "shot dead four officers and two
   civilians", "the deaths of three soldiers") or before it (passive: "Three police officers and
   one civilian were killed", "two were murdered", "left one suspect dead", "at least seven
   police are being treated in hospital", "no one was hurt"). Without a form of "be" the verb is
   read as active first; the bare passive ("5 killed in blast") needs a real number on the left
   and no object on the right, so "a gunman killed him" is not a toll.
3. "blew himself up" counts one perpetrator; "N victims" counts N hit (weakest rule).

Besides "killed" and "injured" there is a third kind, "hit": people shot ("a man was shot"),
taken to hospital, or called victims, whose outcome the phrase does not say. The frame decides
(toll_claims.frame_tolls): hit people who did not die are injured. `find_references` finds
single people pointed at rather than counted ("he died", "Amason was pronounced dead",
"shot him", "a fatal shooting", "the body of a man", "a homicide victim"); people alive and
hurt by their condition ("in critical condition", "is recovering", "non-life-threatening
injuries", "is in the hospital"); people hit by a wound or found shot ("a gunshot wound",
"found a man shot in the leg"); "a double shooting" (two hit). A frame uses them only where no
count says more (a double shooting outweighs "a man was shot").
A kill verb after "nearly", "tried to" or "threatened to" counts no one. A passive list may
be followed by an appositive ("A 25-year-old man, one of the victims ..., has died"), and
"one man" / "another teen" are real counts for a verb without "be" ("left one man critically
injured").
4. "there were no casualties / deaths / injuries" counts 0 (casualties: both kinds).
5. A victims' total that counts the attackers ("killed 23 people, including the bomber", "the
   bomber also died, bringing the number of dead to 23") loses them: 22 victims, whose quote
   takes in the words that say so, and the attackers count apart.

A counted noun phrase is a number phrase plus up to four words that are not stop words
(prepositions, auxiliaries, determiners, number words, and things counted that are not people:
shots, rounds, guns, bombs, cars, days...). "a / an / the / another" count 1 and "no / neither"
count 0 only before a person noun ("a soldier", "neither officer"), so "a suicide bombing" is
never a count. "seven of the nine soldiers" counts 7. Words in the phrase
pick the side (attacker, suspect, gunman, militant, bomber... -> perpetrators) and the category.
Bare "officer(s)" is read as police. Digits next to "-year-old", "am/pm", "%", decimals,
"million" and years (1900-2099) are not counts.

Number phrases (`parse_count`): exact "six" = {6, 6, 6}; "at least / no fewer than 5" = {5, 5, -};
"more than / over 20" = {21, 21, -}; "fewer than / under 20" = {-, 19, 19}; "up to / as many as /
nearly / almost 20" = {-, 20, 20}; "about / around / some / roughly 20" = {-, 20, -}. Vague
plurals follow ACLED's conservative rule (tens 10, dozens 12, hundreds 100) extended the same way
(scores 20, thousands 1000), as lower bounds: "dozens" = {12, 12, -}. "a dozen" = 12 exactly,
"two dozen" = 24. "several" (more than two) = {3, 3, -}; "a few" / "a handful" = {2, 2, -};
"a couple" = 2. "many" / "some people" are not counted.

Why number-parser: it reads number words ("twenty-one", "one hundred and five") that a table
would miss, but it returns None for "two dozen", "a hundred" and any qualifier, so qualifiers,
vague plurals and "dozen" are our own rule on top. It costs ~1 ms a call, hence the cache.

Limits: one clause at a time, no parsing: "He shot two guards and three people were killed" reads
as five killed; "police killed" vs "police were killed" rely on word order; "casualties" with a
number is ambiguous and skipped; "so far" is taken as an aggregate cue even within one attack;
an appositive list ("three reporters, two Salvadorans and a Dutchman") is counted twice; a
person before an unlisted object ("a man wielding two handguns was killed") is missed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from number_parser import parse_number

__all__ = ["Count", "TollMention", "find_references", "find_tolls", "parse_count"]


@dataclass(frozen=True)
class Count:
    """A number with its uncertainty; None is an open bound (or an unknown best)."""

    min: int | None
    best: int | None
    max: int | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TollMention:
    """One counted group of killed or injured people, with the clause that says so."""

    start: int
    end: int
    text: str
    kind: str
    count: Count
    side: str
    category: str | None
    is_update: bool
    is_aggregate: bool
    is_reference: bool = False  # one person named or pointed at ("he died"), not a count
    is_number: bool = True      # counted with a number, not "a man" / "the officer"


# ---------------------------------------------------------------- number phrases
_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen")
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_W = "(?:" + "|".join((_UNITS + " " + _TENS).split()) + ")"
_WORDNUM = rf"{_W}(?:-{_W}|\s+{_W}|\s+(?:and\s+)?(?:hundred|thousand)(?:\s+and)?)*(?:\s+{_W})?"
_DIGITS = r"(?<![\d.,$£€])(?:\d{1,3}(?:,\d{3})+|(?!(?:19|20)\d\d\b)\d+)(?![.,:]?\d)"
_NOT_COUNT_AFTER = (r"(?!\s+(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?|times|km|kilomet|miles?|met(?:er|re)s?)\b)"
                    r"(?!-year|\s*(?:%|percent|per\s*cent|a\.?m\b|p\.?m\b|million|billion|years?\s+old|o'clock))")
_VAGUE = (r"(?:a|one|two|three|four|five|half\s+a|\d+)\s+dozen|(?:tens|dozens|scores|hundreds|thousands)(?:\s+of)?"
          r"|several|a\s+few|(?:a\s+handful|a\s+couple)(?:\s+of)?")
_QUAL = (r"at\s+least|no\s+(?:fewer|less)\s+than|a\s+minimum\s+of|more\s+than|over|in\s+excess\s+of"
         r"|upwards\s+of|fewer\s+than|less\s+than|under|up\s+to|as\s+many\s+as|at\s+most|no\s+more\s+than"
         r"|nearly|almost|close\s+to|about|around|approximately|roughly|some|an\s+estimated")
_NUM = rf"(?:(?:{_QUAL})\s+)?(?:{_VAGUE}|{_DIGITS}|{_WORDNUM}){_NOT_COUNT_AFTER}"

_VAGUE_COUNTS = {
    "tens": Count(10, 10, None), "dozens": Count(12, 12, None), "scores": Count(20, 20, None),
    "hundreds": Count(100, 100, None), "thousands": Count(1000, 1000, None),
    "several": Count(3, 3, None), "a few": Count(2, 2, None), "a handful": Count(2, 2, None),
    "a couple": Count(2, 2, 2), "a": Count(1, 1, 1), "an": Count(1, 1, 1), "the": Count(1, 1, 1),
    "another": Count(1, 1, 1), "one": Count(1, 1, 1), "no one": Count(0, 0, 0),
    "nobody": Count(0, 0, 0), "none": Count(0, 0, 0), "no": Count(0, 0, 0),
    "neither": Count(0, 0, 0), "himself": Count(1, 1, 1), "herself": Count(1, 1, 1),
    "his": Count(1, 1, 1), "her": Count(1, 1, 1),
}
_LOWER = ("at least", "no fewer than", "no less than", "a minimum of")
_ABOVE = ("more than", "over", "in excess of", "upwards of")
_BELOW = ("fewer than", "less than", "under")
_UPTO = ("up to", "as many as", "at most", "no more than", "nearly", "almost", "close to")
_ABOUT = ("about", "around", "approximately", "roughly", "some", "an estimated")
_QUAL_SPLIT = re.compile(rf"^({_QUAL})\s+(.+)$")
_DOZEN = re.compile(r"^(.+?)\s+dozen$")


@lru_cache(maxsize=4096)
def _number(words: str) -> int | None:
    """An exact number from digits or number words (number-parser), or None."""
    if words.replace(",", "").isdigit():
        return int(words.replace(",", ""))
    value = parse_number(re.sub(r"^an?\s+", "one ", words))
    return value if isinstance(value, int) else None


def parse_count(phrase: str) -> Count | None:
    """Read a number phrase alone ("at least five", "dozens", "two dozen") as a Count."""
    text = " ".join(phrase.lower().replace("-", " ").split())
    text = re.sub(r"\s+(?:of|else)$", "", text)
    qualifier = None
    found = _QUAL_SPLIT.match(text)
    if found and found.group(2):
        qualifier, text = found.group(1), found.group(2)
    base = _base_count(text)
    if base is None or base.best is None:
        return base
    n = base.best
    if qualifier is None:
        return base
    if qualifier in _LOWER:
        return Count(n, n, None)
    if qualifier in _ABOVE:
        return Count(n + 1, n + 1, None)
    if qualifier in _BELOW:
        return Count(None, n - 1, n - 1)
    if qualifier in _UPTO:
        return Count(None, n, n)
    return Count(None, n, None)  # about / around / some: a point estimate, no bounds


def _base_count(text: str) -> Count | None:
    if text in _VAGUE_COUNTS:
        return _VAGUE_COUNTS[text]
    dozen = _DOZEN.match(text)
    if dozen:
        n = {"half a": 0.5, "a": 1, "an": 1}.get(dozen.group(1)) or _number(dozen.group(1))
        return Count(int(12 * n), int(12 * n), int(12 * n)) if n else None
    n = _number(text)
    return Count(n, n, n) if n is not None else None


# ---------------------------------------------------------------- counted noun phrases
_STOP = (r"(?:in|on|at|near|outside|inside|during|after|before|when|while|as|and|or|but|by|since|"
         r"including|following|from|to|into|with|for|of|that|which|who|whom|whose|where|were|was|"
         r"are|is|be|been|being|have|has|had|also|all|the|a|an|this|these|those|his|her|their|its|"
         r"than|more|other|then|later|reportedly|killed|killing|wounded|injured|dead|died|"
         rf"{_W}|hundred|thousand|dozens?|"
         # things that are counted in news but are not people
         r"shots|rounds|bullets|(?:hand)?guns|rifles|weapons|bombs|explosions|blasts|grenades|cars|"
         r"vehicles|buses|houses|homes|buildings|stores|shops|days|weeks|months|years)")
# a word, but never one ending in "." (a sentence end) unless it is an initialism ("U.S.")
_FILLER = rf"(?:\s+(?!{_STOP}\b)(?!\d+\b(?!-))(?:(?:[A-Za-z]\.){{2,}}|\w(?:[\w'’.-]*[\w'’-])?))"
_PERP = (r"attackers?|assailants?|gunm[ae]n|militants?|suspects?|terrorists?|bombers?|insurgents?|"
         r"rebels?|guerrill?as?|extremists?|jihadists?|hostage-?takers?|raiders?|perpetrators?|"
         r"shooters?|kidnappers?|islamists?")
_PERSON = (_PERP + r"|police\w*|cops?|policem[ae]n|officers?|soldiers?|troops?|servicem[ae]n|guards?|"
           r"civilians?|m[ae]n|wom[ae]n|persons?|child|children|boys?|girls?|residents?|villagers?|"
           r"workers?|employees?|members?|peasants?|passers?-?by|bystanders?|students?|pilgrims?|"
           r"worshipp?ers?|tourists?|journalists?|farmers?|drivers?|passengers?|citizens?|teenagers?|"
           r"teens?|victims?|youths?|toddlers?|bab(?:y|ies)|infants?|juveniles?|adults?|deput(?:y|ies)|"
           r"troopers?|agents?|husbands?|wi(?:fe|ves)|sons?|daughters?|brothers?|sisters?|fathers?|"
           r"mothers?|parents?|girlfriends?|boyfriends?|friends?|neighbou?rs?|relatives?|cousins?|"
           r"customers?|clerks?|cashiers?|owners?|homeowners?|shopkeepers?|individuals?|males?|"
           r"females?|clients?|security\s+guards?")
_ELEM = (rf"\b(?:(?P<pron>himself|herself|(?:no\s+one|nobody)(?:\s+else)?|none)\b(?:\s+of\s+(?:the|them|those){_FILLER}{{0,3}})?"
         rf"|(?P<det>an?|the|another|one|no|neither|his|her)(?:{_FILLER}{{0,3}})\s+(?:{_PERSON})\b"
         rf"|(?<!\bno\s)(?:(?:his|her|their|its|the|all)\s+)?(?P<num>{_NUM})\b(?:\s+(?:more|other|additional|further)\b)?"
         rf"(?:\s+of\s+(?:them|whom|(?:the|those|our|their)(?:\s+(?:{_W}|\d+))?(?={_FILLER})))?{_FILLER}{{0,4}})")
_ELEM_PLAIN = re.sub(r"\?P<\w+>", "?:", _ELEM)  # group names may appear once per pattern
_LIST = rf"{_ELEM_PLAIN}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_ELEM_PLAIN})*"
_ELEM_RE = re.compile(_ELEM, re.I)
_ACTIVE_RE = re.compile(rf"\s+({_LIST})", re.I)
# the list may be followed by an appositive: "A 25-year-old man, one of the victims ..., has died"
_PASSIVE_RE = re.compile(rf"({_LIST})(?:\s*,\s+[^,;.!?]{{3,100}},)?\s+$", re.I)
_NOT_DONE_RE = re.compile(r"\b(?:nearly|almost|narrowly|attempted\s+to|tried\s+to|threatened\s+to|"
                          r"threatening\s+to)\s+$", re.I)

_KILL = (r"fatally\s+(?:shot|wounded|injured|stabbed)|shot\s+dead|shot\s*(?:,|and\b|&)\s*killed|"
         r"(?:shot|stabbed|beaten)\s+to\s+death|gunned\s+down|killed|murdered|slain|beheaded|executed")
_INJURE = r"(?:shot|stabbed)\s*(?:,|and\b|&)\s*(?:wounded|injured)|injured|wounded|hurt"
# hit by gunfire, outcome unsaid: "a man was shot" (an injury unless the article says he died)
_HIT = (r"shot(?!\s+(?:at|up|himself|herself|themselves|down)\b)|struck\s+by\s+(?:a\s+)?(?:stray\s+)?"
        r"(?:bullets?|gunfire|rounds?)|grazed")
_BE = r"were|was|are|is|been|being|be"
_AUX = (rf"(?:(?:{_BE}|have|has|had|also|all|both|reportedly|apparently|later|allegedly|subsequently|now|"
        rf"pronounced|found|declared|believed\s+to\s+(?:be|have\s+been)|critically|seriously|"
        rf"accidentally)\s+){{1,4}}")
_VERB_RE = re.compile(
    rf"\b(?P<aux>{_AUX})?(?:"
    rf"(?P<kill>{_KILL})|(?P<injure>{_INJURE})|(?P<hit>{_HIT})"
    rf"|(?P<kill_act>killing|kills|murdering|shooting\s+dead|(?:the\s+)?(?:killings?|murders?|deaths?)\s+of|"
    rf"claimed\s+the\s+lives\s+of|took\s+the\s+lives\s+of)"
    rf"|(?P<injure_act>injuring|wounding|hurting|injures?|wounds?)"
    rf"|(?P<kill_pas>dead|deceased|died|dies|perished|succumbed|lost\s+(?:their|his|her)\s+lives)"
    rf"|(?P<injure_pas>hospitali[sz]ed|(?:being\s+)?treated\s+(?:in|at)\s+(?:a\s+|the\s+)?hospitals?)"
    rf"|(?P<hit_pas>(?:taken|rushed|transported|airlifted|flown)\s+to\s+(?:a\s+|the\s+)?(?:\w+\s+){{0,3}}hospitals?)"
    rf"|(?P<blew>blew|blowing)\s+(?P<self>himself|herself|themselves)\s+up)\b", re.I)
_VERB_GROUPS = ("kill", "injure", "hit", "kill_act", "injure_act", "kill_pas", "injure_pas", "hit_pas", "blew")
# "hit" is shot or taken to hospital, outcome unsaid: an injury unless the person died
_KIND = {"kill": "killed", "kill_act": "killed", "kill_pas": "killed", "blew": "killed", "injure": "injured",
         "injure_act": "injured", "injure_pas": "injured", "hit": "hit", "hit_pas": "hit"}
_NO_OBJECT = re.compile(
    r"\s*(?:[,.;:!?)\"”]|$|\s*\b(?:in|on|at|near|outside|inside|during|after|before|when|while|as|and|"
    r"or|but|by|since|including|following|overnight|yesterday|today|last|this|amid|across|over|"
    r"within|from|earlier|so)\b)", re.I)

_TOLL_RE = re.compile(
    rf"\b(?P<pre>(?:bringing|brings|brought|raising|raised|raises|pushing|pushed|taking|took)\s+)?"
    rf"(?:the\s+)?(?:(?:official|overall|final)\s+)?(?:(?P<noun>(?:death|casualty|fatality)\s+toll|toll|"
    rf"number\s+of\s+(?:dead|deaths|fatalities|victims|(?:people|those)\s+killed)|"
    rf"(?P<inj>number\s+of\s+(?:injured|wounded|injuries|(?:people|those)\s+(?:injured|wounded)))))"
    rf"(?P<gap>(?:\s+[^\s.;!?]+){{0,14}}?)\s+(?P<verb>has\s+risen|had\s+risen|risen|rose|climbed|has\s+climbed|"
    rf"increased|has\s+increased|jumped|reached|has\s+reached|grew|has\s+grown|went\s+up|"
    rf"now\s+stands\s+at|stands\s+at|stood\s+at|is\s+now|is\s+at|was\s+at|is|was|to|of|at)"
    rf"(?:\s+from\s+(?P<old>{_NUM}))?(?:\s+(?:to|at))?\s+(?P<count>{_NUM})\b", re.I)
_CHANGE = re.compile(r"risen|rose|climbed|increased|jumped|reached|grew|grown|went up|now", re.I)
_NONE_RE = re.compile(
    r"\b(?:there\s+(?:were|was|have\s+been|had\s+been)\s+no|no|without)\s+"
    r"(?P<what>casualties|deaths|fatalities|injuries|dead|injured)\b", re.I)
_VICTIMS_RE = re.compile(rf"\b(?P<num>{_NUM})\s+(?:more\s+|other\s+)?victims\b", re.I)
# a headline names one person without an article: "Laundromat worker hurt during robbery",
# "Teen killed in shooting" (find_references reads the headline as a text of its own)
_HEADLINE_RE = re.compile(
    rf"^\s*(?:[\w'’.-]+\s+){{0,3}}?(?P<who>{_PERSON})\s+(?:(?:critically|seriously|fatally|accidentally)\s+)?"
    r"(?:(?P<killed>shot\s*(?:and|&|,)\s*killed|killed|dies|dead|slain)|(?P<injured>hurt|injured|wounded)|(?P<hit>shot))\b",
    re.I)
# "a double shooting": two people shot (a reference, used where no count says more)
_MULTIPLE_RE = re.compile(r"\b(?P<n>double|triple|quadruple)\s+(?:shooting|stabbing)\b", re.I)
_MULTIPLE_N = {"double": 2, "triple": 3, "quadruple": 4}
_AGGREGATE_AFTER = re.compile(
    r"\b(?:so\s+far|this\s+year|since\s+(?:\d{4}|the\s+(?:start|beginning))|to\s+date|"
    r"in\s+recent\s+(?:years|months)|over\s+the\s+(?:past|last)\s+\w+)", re.I)
_AGGREGATE_BEFORE = re.compile(r"\b(?:since\s+(?:\d{4}|the\s+(?:start|beginning))|so\s+far\s+this\s+year)", re.I)

_CATEGORY = [
    ("perpetrators", re.compile(rf"\b(?:{_PERP})\b", re.I)),
    ("military", re.compile(r"\b(?:soldiers?|troops?|servicem[ae]n|military|army|marines?|paratroopers?|"
                            r"conscripts?)\b", re.I)),
    ("security", re.compile(r"\b(?:security|guards?|intelligence|special\s+forces)\b", re.I)),
    ("police", re.compile(r"\b(?:police\w*|cops?|policem[ae]n|law[\s-]enforcement|officers?|constables?|"
                          r"gendarmes?|patrolm[ae]n|detectives?)\b", re.I)),
    ("civilians", re.compile(r"\b(?:civilians?|peasants?|villagers?|passers?-?by|bystanders?|children|"
                             r"child|students?|pilgrims?|worshipp?ers?|tourists?|shoppers?|farmers?|"
                             r"pedestrians?|passengers?|residents?|journalists?|teachers?)\b", re.I)),
]


def _side_and_category(words: str, forced_perp: bool) -> tuple[str, str | None]:
    if forced_perp or words.lower() in ("himself", "herself"):
        return "perpetrators", None
    for name, pattern in _CATEGORY:
        if pattern.search(words):
            return ("perpetrators", None) if name == "perpetrators" else ("victims", name)
    return "victims", None


_PLURAL = re.compile(r"(?:[^s']s|men|children|people|police|troops)$", re.I)


def _elements(span_text: str, offset: int):
    """(start, end, Count, words) for each counted noun phrase of a matched list."""
    for elem in _ELEM_RE.finditer(span_text):
        if elem.group("pron"):
            count = parse_count(elem.group("pron"))
        elif elem.group("det"):
            det = elem.group("det").lower()
            if det not in ("no", "neither") and _PLURAL.search(elem.group(0)):
                continue  # "the officers died" says nothing about how many
            count = parse_count(det)
        else:
            count = parse_count(elem.group("num"))
        if count is not None:
            yield offset + elem.start(), offset + elem.end(), count, elem.group(0)


def _is_aggregate(text: str, start: int, end: int) -> bool:
    sentence_end = re.compile(r"[.;!?](?:\s|$)").search(text, end)
    after = text[end:sentence_end.start() if sentence_end else len(text)]
    before = text[max(0, start - 200):start]
    before = re.split(r"[.;!?]\s", before)[-1]
    return bool(_AGGREGATE_AFTER.search(text[start:end] + after) or _AGGREGATE_BEFORE.search(before))


def find_tolls(text: str) -> list[TollMention]:
    """Every killed / injured count in `text`, sorted by start; offsets index into `text`."""
    found: list[tuple[int, int, TollMention]] = []
    used: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= us or s >= ue for us, ue in used)

    def add(start, end, kind, count, words, forced_perp=False, update=False, num_span=None, order=0):
        num_span = num_span or (start, end)
        if not free(*num_span):
            return
        used.append(num_span)
        side, category = _side_and_category(words, forced_perp)
        elem = _ELEM_RE.match(words) if words else None
        mention = TollMention(start, end, text[start:end], kind, count, side, category,
                              update, _is_aggregate(text, start, end),
                              is_number=elem is None or bool(elem.group("num")))
        found.append((start, order, mention))

    # The count patterns are tried at every word; a plain substring test first skips the
    # articles that cannot match (most have no "toll"/"number of", nearly all no "victims").
    low = text.lower()
    for toll in (_TOLL_RE.finditer(text) if "toll" in low or "number" in low else ()):
        verb = toll.group("verb").lower()
        if (verb == "to" and not toll.group("pre")) or (verb == "of" and toll.group("gap")):
            continue
        count = parse_count(toll.group("count"))
        if count is None:
            continue
        update = bool(toll.group("pre") or toll.group("old") or _CHANGE.search(verb))
        kind = "injured" if toll.group("inj") else "killed"
        add(toll.start(), toll.end(), kind, count, "", update=update, num_span=toll.span("count"))

    for verb in _VERB_RE.finditer(text):
        _read_verb(text, verb, add)

    for none in _NONE_RE.finditer(text):
        what = none.group("what").lower()
        kinds = ("killed", "injured") if what == "casualties" else (
            ("injured",) if what in ("injuries", "injured") else ("killed",))
        for order, kind in enumerate(kinds):
            used_before = len(used)
            add(none.start(), none.end(), kind, Count(0, 0, 0), "", order=order)
            del used[used_before:]  # both kinds share the one phrase

    for victims in (_VICTIMS_RE.finditer(text) if "victims" in low else ()):
        count = parse_count(victims.group("num"))
        if count is not None:
            add(victims.start(), victims.end(), "hit", count, "", num_span=victims.span("num"))

    for m in _KILLED_BY_POLICE_RE.finditer(text):
        if not any(t.side == "perpetrators" and t.kind == "killed" and t.start < m.end() and m.start() < t.end
                   for _, _, t in found):
            found.append((m.start(), 0, TollMention(m.start(), m.end(), m.group(0), "killed", Count(1, 1, 1),
                                                    "perpetrators", None, False, False, is_number=False)))
    found.sort(key=lambda item: (item[0], item[1]))
    return _attackers_out_of_totals(text, [mention for _, _, mention in found])


# "The gunman, identified as X, was the 39th person to die: he was killed by police": an attacker
# the sentence opens with, then "he" killed by the security forces (who kill attackers, not
# victims); "the driver fired a pistol at police officers ... before he was shot dead": whoever
# fired at the police and was then shot dead
_SHOT_DEAD = r"(?:shot\s+dead|killed|shot\s+and\s+killed|gunned\s+down)"
_SECURITY = r"(?:the\s+)?(?:police(?:\s+officers)?|officers|security\s+forces|troops|soldiers|special\s+forces)"
_KILLED_BY_POLICE_RE = re.compile(
    rf"\b(?:the|a)\s+(?:lone\s+|suicide\s+)?(?:attacker|assailant|gunman|bomber|shooter|militant|terrorist)\b"
    rf"[^.;!?]{{0,100}}?\b(?:he|she)\s+(?:was|had\s+been)\s+(?:later\s+)?{_SHOT_DEAD}\s+by\s+{_SECURITY}\b|"
    rf"\b(?:the|a)\s+(?:[\w-]+\s+)?(?:attacker|assailant|gunman|bomber|shooter|militant|terrorist|driver|man)\b"
    rf"[^.;!?]{{0,80}}?\bfired\b[^.;!?]{{0,40}}?\b(?:at|on)\s+{_SECURITY}\b[^.;!?]{{0,80}}?"
    rf"\b(?:before|until|when|and)\s+(?:he|she)\s+was\s+(?:later\s+)?{_SHOT_DEAD}\b", re.I)


# "killed 23 people, including the bomber", "the bomber also died, bringing the number of dead to
# 23": the total counts the attackers, who are no victims (victims only, as in the seeds' gold)
_INCLUDING_RE = re.compile(rf",?\s*(?:including|among\s+them)\s+(?P<n>the|a|an|one|two|three|four|five|both|\d+)\s+"
                           rf"(?:(?:suicide|lone|two|three|four|five)\s+)?(?P<who>{_PERP})\b", re.I)
_ALSO_DIED_THEN_TOTAL_RE = re.compile(r",?\s*bringing\b", re.I)
_FEW = {"the": 1, "a": 1, "an": 1, "one": 1, "both": 2, "two": 2, "three": 3, "four": 4, "five": 5}


def _less(count: Count, n: int) -> Count:
    return Count(*(None if v is None else max(0, v - n) for v in (count.min, count.best, count.max)))


def _attackers_out_of_totals(text: str, mentions: list[TollMention]) -> list[TollMention]:
    out = []
    for i, m in enumerate(mentions):
        if m.kind != "killed" or m.side != "victims" or m.is_aggregate or m.count.best is None:
            out.append(m)
            continue
        inc = _INCLUDING_RE.match(text, m.end)
        prev = mentions[i - 1] if i else None
        if inc is not None:
            word = inc.group("n").lower()
            n = int(word) if word.isdigit() else _FEW[word]
            if n and n < m.count.best:
                # the quote says why: "killed 23 people, including the bomber"
                out.append(replace(m, count=_less(m.count, n), end=inc.end(), text=text[m.start:inc.end()]))
                if not any(t.kind == "killed" and t.side == "perpetrators" and abs(t.start - m.end) < 200
                           for t in mentions):
                    out.append(TollMention(inc.start("n"), inc.end(), text[inc.start("n"):inc.end()], "killed",
                                           Count(n, n, n), "perpetrators", None, False, False))
                continue
        elif (m.is_update and prev is not None and prev.kind == "killed" and prev.side == "perpetrators"
              and _ALSO_DIED_THEN_TOTAL_RE.fullmatch(text, prev.end, m.start + len("bringing"))
              and prev.count.best and prev.count.best < m.count.best):
            out.append(replace(m, count=_less(m.count, prev.count.best), start=prev.start,
                               text=text[prev.start:m.end]))
            continue
        out.append(m)
    out.sort(key=lambda t: t.start)
    return out


# ---------------------------------------------------------------- single-person references
_NOT_NAME = {"police", "officers", "authorities", "officials", "investigators", "they", "it", "we",
             "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "the",
             "january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december", "people", "two", "three", "both", "many", "some",
             "others", "suspects", "witnesses", "troopers", "deputies", "nobody", "no", "this", "that"}
_REF_SUBJECT_RE = re.compile(
    r"(?:\b(?P<pron>he|she)|(?P<name>(?-i:\b[A-Z][a-z][\w'’-]*(?:\s+[A-Z]\.)?(?:\s+[A-Z][\w'’-]+){0,2}"
    r"(?:,?\s+(?:Jr|Sr|II|III)\b\.?)?))"
    r"(?:'s\s+\w+|,\s+(?:an?|the)\s+[^,.;]{3,60},)?|(?P<rel>\b(?:and|who|but|where|then)(?:\s+(?:later|eventually|subsequently))?))\s+$", re.I)
_REF_OBJECT_RE = re.compile(
    r"\s+(?:him\b|her(?=\s*(?:[,.;!?]|$)|\s+(?:in|at|on|with|and|as|while|after|before|during|outside|inside|"
    r"near|to|once|twice|several|multiple|again|\d+|two|three|four|five)\b))", re.I)
_FATAL_RE = re.compile(r"\b(?:fatal(?:ly)?|deadly)\s+(?:[A-Z][\w-]+\s+){0,2}(?:shooting|stabbing|attack|incident|crash)|"
                       r"\b(?:his|her)\s+(?:death|murder|killing)\b|\bshooting\s+death\b|"
                       r"\b(?:homicide|murder)\s+victim\b|\bbody\s+of\s+(?:a|an|the)\b|"
                       r"(?<!\bof\s)\b(?:his|her|(?-i:[A-Z][\w-]+)['’]s)\s+body\b(?!\s+(?:armou?r|cam(?:era)?s?|language|parts?)\b)",
                       re.I)
# one person hurt and alive, pointed at by their condition ("listed in critical condition",
# "is recovering", "non-life-threatening injuries"), or hit, outcome unsaid ("a gunshot wound")
_ALIVE_RE = re.compile(
    r"\b(?:in|listed\s+in|remains\s+in|remained\s+in)\s+(?:(?:very\s+)?(?:critical|serious|stable|fair|good|grave|"
    r"guarded|satisfactory)(?:\s+(?:but|and)\s+stable)?)\s+condition\b|"
    r"\b(?:is|was|are|were)\s+(?:now\s+)?(?:recovering|expected\s+to\s+(?:survive|recover|be\s+(?:ok|okay|fine|alright)))\b|"
    r"\bnon-?\s?life[\s-]threatening\s+(?:injur(?:y|ies)|wounds?)\b|"
    r"\b(?:is|remains|remained)\s+(?:still\s+)?(?:in|at)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,3}?hospital\b", re.I)
_WOUND_RE = re.compile(r"\b(?:a|one|single|multiple|several|two|three|apparent)\s+(?:\w+\s+)?(?:gunshot|bullet)\s+wounds?\b|"
                       r"\b(?:bullet|round)\s+(?:hit|struck|hitting|striking)\b|"
                       rf"\b(?:found|find|finds|discovered|located)\s+(?:a|an|the|one)\s+(?:[\w-]+\s+){{0,3}}?(?:{_PERSON})\s+"
                       r"(?:shot|suffering|wounded|with\s+(?:a\s+)?(?:gunshot|bullet))", re.I)


def find_references(text: str) -> list[TollMention]:
    """Single victims pointed at rather than counted: "he died at the hospital", "Amason was
    pronounced dead", "shot him in the leg", "a fatal shooting". Each counts one person, and a
    frame uses them only where no explicit count says more (see toll_claims.frame_tolls).

    Limits: a pronoun may be the attacker ("police shot and killed him" counts him, as
    crime reports do); capitalised-name subjects need cased text."""
    out: list[TollMention] = []
    for verb in _VERB_RE.finditer(text):
        group = next(name for name in _VERB_GROUPS if verb.group(name))
        if group in ("blew", "kill_act", "injure_act"):
            continue
        kind = _KIND[group]
        before = _REF_SUBJECT_RE.search(text, max(0, verb.start() - 80), verb.start())
        if before and before.group("name") and before.group("name").split()[0].lower() in _NOT_NAME:
            before = None
        passive = bool(re.search(rf"\b(?:{_BE})\b", verb.group("aux") or ""))
        if before and before.group("rel") and not (group == "kill_pas" or passive and group in ("kill", "hit")):
            before = None
        after = None if before else _REF_OBJECT_RE.match(text, verb.end())
        if before or after:
            start, end = (before.start(), verb.end()) if before else (verb.start(), after.end())
            out.append(TollMention(start, end, text[start:end], kind, Count(1, 1, 1), "victims", None,
                                   False, _is_aggregate(text, start, end), True))
    headline = _HEADLINE_RE.match(text)
    if headline and not _PLURAL.search(headline.group("who")):
        kind = next(k for k in ("killed", "injured", "hit") if headline.group(k))
        out.append(TollMention(headline.start("who"), headline.end(), text[headline.start("who"):headline.end()],
                               kind, Count(1, 1, 1), "victims", None, False, False, True))
    for kind, pattern in (("killed", _FATAL_RE), ("injured", _ALIVE_RE), ("hit", _WOUND_RE), ("hit", _MULTIPLE_RE)):
        for found in pattern.finditer(text):
            n = _MULTIPLE_N[found.group("n").lower()] if pattern is _MULTIPLE_RE else 1
            out.append(TollMention(found.start(), found.end(), found.group(0), kind, Count(n, n, n),
                                   "victims", None, False, _is_aggregate(text, found.start(), found.end()), True))
    return sorted(out, key=lambda m: m.start)


def _is_numbered(words: str) -> bool:
    """A counted phrase with a real number ("one man", "two officers"), not "a man"."""
    return bool(_ELEM_RE.match(words).group("num")) or bool(re.search(r"\b(?:one|another)\s", words, re.I))


def _read_verb(text: str, verb: re.Match, add) -> None:
    """Attach the counted noun phrases after (active) or before (passive) one verb."""
    group = next(name for name in _VERB_GROUPS if verb.group(name))
    kind = _KIND[group]
    aux = (verb.group("aux") or "").lower()
    passive_forced = bool(re.search(rf"\b(?:{_BE})\b", aux))
    verb_start = verb.start(group)
    if _NOT_DONE_RE.search(text, max(0, verb.start() - 25), verb.start()):
        return  # "nearly killing the trooper", "threatened to kill"
    if group in ("kill", "injure", "hit", "kill_act", "injure_act") and not passive_forced:
        after = _ACTIVE_RE.match(text, verb.end())
        if after:
            for order, (s, e, count, words) in enumerate(_elements(after.group(1), after.start(1))):
                add(verb_start, after.end(1), kind, count, words, num_span=(s, e), order=order)
            return
    if group in ("kill_act", "injure_act"):
        return
    bare = group in ("kill", "injure", "hit") and not passive_forced
    if bare and not _NO_OBJECT.match(text, verb.end()):
        return
    window_start = max(0, verb.start() - 160)
    before = _PASSIVE_RE.search(text[window_start:verb.start()] + " ")
    forced_perp = group == "blew"
    if before:
        elements = list(_elements(before.group(1), window_start + before.start(1)))
        if bare and not all(_is_numbered(words) for *_, words in elements):
            return
        for order, (s, e, count, words) in enumerate(elements):
            add(elements[0][0], verb.end(), kind, count, words, forced_perp, num_span=(s, e), order=order)
    elif group == "blew" and verb.group("self").lower() != "themselves":
        add(verb.start(), verb.end(), kind, Count(1, 1, 1), "", True)
