"""Perpetrators: groups that claimed or were blamed for an attack, and named attackers.

Rules over the sentence text (cheap, and they catch what spaCy's small model mislabels: it tags
"Jund al-Khilafah" as PERSON):
- "<Group> claimed responsibility / said it was behind / claimed the attack"
- "a group calling itself <Group>", "blamed on <Group>", "claimed by <Group>"
- "<attacker noun> ... named/identified (by authorities) as <Person>"
- named suspects (``named_suspects``): "the suspect, <Person>,", "<Person>, 29, is accused of /
  was charged with / faces a murder charge", "police arrested / are searching for <Person>",
  "police say 35-year-old <Person> shot ..."; read in the whole article and given to the incident
  whose sentences hold them (extract.incidents). GVDB dev shooter names F1 0.040 -> 0.449
  (P 0.62, R 0.35; most "false" ones are suspects the police shot, whom GVDB counts as victims).
  ``named_victims`` does the same for people named as shot, killed or wounded in cased text
  (GVDB dev victim names F1 0.216 -> 0.444, P 0.63, R 0.34; ``victims`` reads caseless text).
A name is a run of capitalised words with the particles al-/el-/bin/ibn/of/the inside it; a
bracketed gloss after it ("(Soldiers of the Caliphate)") is skipped.

Limits: needs capitalisation (lower-case wire text finds nothing yet); pronoun and "the same
group" references are left to cross-article reconciliation.
"""

from __future__ import annotations

import re

from .groups import find_attackers, find_groups, with_count

_NAME = r"(?:(?:al|el|ad|ar|as|an|ash|at|bin|ibn|abu)-)?[A-Z][\w'’.-]*(?:\s+(?:(?:al|el|bin|ibn|abu|of|the|de|del|la)[-\s]+)?[A-Z][\w'’.-]*){0,5}"
_GLOSS = r"(?:\s*\([^)]{1,80}\))?"
_PATTERNS = [
    re.compile(rf"(?P<name>{_NAME}){_GLOSS},?\s+(?:has\s+|had\s+|have\s+)?(?:also\s+)?"
               rf"(?:claimed\s+(?:responsibility|the\s+attack|the\s+bombing|it)|said\s+it\s+was\s+behind|"
               rf"took\s+responsibility|admitted\s+responsibility)"),
    re.compile(rf"(?:group|organi[sz]ation|movement|faction|cell|network)\s+(?:calling\s+itself|called|known\s+as|named)\s+"
               rf"(?P<name>{_NAME})"),
    re.compile(rf"(?:claimed\s+by|blamed\s+on|carried\s+out\s+by|perpetrated\s+by|responsibility\s+by)\s+"
               rf"(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"(?:attacker|gunman|bomber|assailant|suspect|militant|killer|shooter)\b[^.]{{0,60}}?"
               rf"(?:named|identified)\s+(?:by\s+\w+\s+)?as\s+(?P<name>{_NAME})"),
]
_NOT_NAMES = {"The", "A", "An", "It", "He", "She", "They", "Police", "Officials", "Authorities", "Kazakh",
              "President", "Prosecutors", "This", "That", "Group", "Militants", "Nobody", "No",
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "On", "In",
              "January", "February", "March", "April", "June", "July", "August", "September", "October",
              "November", "December", "Today", "Yesterday", "Later", "Earlier", "Late", "Early"}
_LEADING = re.compile(r"^(?:The|A|An|Little-known|Militant|Group)\s+")


def perpetrators(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of perpetrator names in ``text``, first occurrence of each."""
    found: dict[str, tuple[str, int, int]] = {}
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            name, start = m.group("name").rstrip(".,’'"), m.start("name")
            lead = _LEADING.match(name)
            if lead:
                name, start = name[lead.end():], start + lead.end()
            if not name or name.split()[0] in _NOT_NAMES or len(name) < 3:
                continue
            found.setdefault(name.lower(), (name, start, start + len(name)))
    return sorted(found.values(), key=lambda t: t[1])


def perpetrators_caseless(text: str) -> list[tuple[str, int, int]]:
    """Perpetrators found without relying on case: groups from the gazetteer (one surface per
    group, as the text names it) and attacker nouns that say which side acted ("guerrillas
    attacked", "murdered by soldiers")."""
    found: dict[str, tuple[str, int, int]] = {}
    for surface, start, end, canonical in find_groups(text):
        found.setdefault(canonical.lower(), (surface, start, end))
    for noun, start, end, says_side in find_attackers(text):
        if says_side:
            found.setdefault(noun.lower(), (noun, start, end))
    return sorted(found.values(), key=lambda t: t[1])


# Who an attack is attributed to, named without case: "the authorities attributed the murder to
# the drug mafias", "the fmln guerrillas are being held responsible", "the mrta has claimed credit",
# "we blame the armed forces for". The phrase must end in a word for an armed actor (or hold a
# group of the gazetteer), its other words plain modifiers (no verb, article or pronoun).
_ACTOR_HEAD = (r"(?:front|movement|army|armed\s+forces|forces|mafias?|cartels?|squads?|commandos?|guerrillas|"
               r"rebels|terrorists|group|military|battalion|brigade|units?|traffickers|extraditables|gangs?|"
               r"paramilitar(?:y|ies)|militias?|police|guards?)")
_ACTOR_MOD = (r"(?!(?:the|a|an|this|that|these|those|it|they|he|she|we|who|which|and|or|of|by|to|for|in|on|at|"
              r"with|from|as|is|are|was|were|be|been|has|have|had|not|no|same|other|another|such|its|their|his|"
              r"her|our|my|your)\b)[\w'’-]+")
# alone, these words name no one ("the group claimed responsibility"): the group is named elsewhere
_BARE_HEAD_RE = re.compile(r"^(?:group|front|movement|units?|command|commandos?|forces|battalion|brigade|gangs?|"
                           r"guards?|cartels?|squads?)$", re.I)
_ACTOR_NP = rf"(?:the\s+)?(?P<np>(?:{_ACTOR_MOD}\s+){{0,4}}?{_ACTOR_HEAD}(?:\s+of\s+(?:{_ACTOR_MOD}\s+){{0,3}}?{_ACTOR_MOD})?)\b"
_ATTRIBUTED_RES = [re.compile(p, re.I) for p in (
    rf"\battribut\w+\s+(?:(?:the|this|that|it|these)\s+(?:[\w-]+\s+){{0,2}}?)?to\s+{_ACTOR_NP}",
    rf"\bblam(?:e|ed|es|ing)\s+{_ACTOR_NP}\s+for\b",
    rf"\bh(?:o|e)ld(?:s|ing)?\s+{_ACTOR_NP}\s+(?:directly\s+|fully\s+)?responsible\b",
    rf"\b{_ACTOR_NP}\s+(?:(?:is|are|was|were|has\s+been|have\s+been)\s+(?:being\s+)?held\s+responsible|"
    rf"(?:has|have|had)\s+(?:also\s+)?claimed\s+(?:credit|responsibility|authorship))",
    # "members of the army were responsible for the massacre", "the army accepted responsibility"
    rf"\b{_ACTOR_NP}\s+(?:(?:is|are|was|were)\s+(?:directly\s+|allegedly\s+|also\s+)?responsible\s+for|"
    rf"(?:has\s+|have\s+|had\s+)?(?:accepted|admitted|assumed)\s+responsibility)",
)]


# every pattern above holds one of these words: a sentence without any is not searched (5x faster)
_ATTRIBUTED_CUE = re.compile(r"attribut|blam|responsib|claimed", re.I)


def attributed_perpetrators(text: str) -> list[tuple[str, int, int]]:
    """Armed actors an attack is attributed to, blamed on or claimed by, as the text names them."""
    found: dict[str, tuple[str, int, int]] = {}
    if not _ATTRIBUTED_CUE.search(text):
        return []
    for pattern in _ATTRIBUTED_RES:
        for m in pattern.finditer(text):
            groups = [g for g in find_groups(m.group("np"))]
            if groups:
                surface, s, e, _ = groups[0]
                found.setdefault(surface.lower(), (surface, m.start("np") + s, m.start("np") + e))
            elif not _BARE_HEAD_RE.match(m.group("np")):
                found.setdefault(m.group("np").lower(), (m.group("np"), m.start("np"), m.end("np")))
    return sorted(found.values(), key=lambda t: t[1])


def perpetrator_descriptions(text: str) -> list[tuple[str, int, int]]:
    """How the attackers are described when that says only what they did ("gunmen", "assailants"),
    with their count when it is said ("two unidentified gunmen")."""
    return [with_count(text, start, end) for _, start, end, says_side in find_attackers(text) if not says_side]


# ---------------------------------------------------------------- named victims
_TITLE = (r"(?:presidential\s+candidate|president|governor|colleague|wife|citizens?|candidate|jesuit\s+priests?|father|priest|mayor|judge|senator|"
          r"minister|journalist|leader|colonel|col\.?|general|gen\.?|captain|capt\.?|lieutenant|lt\.?|major|"
          r"sergeant|dr\.?|doctor|mr\.?|mrs\.?|ms\.?|businessman|archbishop|bishop|monsignor|msgr\.?|deputy|"
          r"council(?:man|or|lor)|governor|ambassador|director|commander|congressman|attorney\s+general|"
          r"prosecutor|lawyer|attorney|professor|engineer|reporter|editor|publisher|consul|legislator|"
          r"manager|rancher|nun|sister|pastor|reverend|rev\.?|citizens?|nationals?|student|activist|"
          r"unionist|trade\s+unionist|magistrate|official|chief|secretary|member|wife|husband|son|daughter|"
          r"peasants?|students?|teachers?|farmers?|missionar(?:y|ies)|union\s+leaders?|inspector|corporal|"
          r"agent|guard|officer|cattleman|industrialist|newsman|companion|cook)")
_NAME_STOP = (r"(?:the|a|an|of|and|or|was|were|is|are|who|whom|which|that|in|on|at|said|says|has|had|have|"
              r"for|to|with|by|from|his|her|their|this|after|when|while|as|during|near|before|yesterday|"
              r"today|last|also|been|being|be|killed|murdered|assassinated|kidnapped|abducted|wounded|"
              r"injured|shot|died|dead|house|home|office|residence|car|vehicle|bodyguards?|escort|occur+(?:ed|s)?|"
              r"government|party|army|police|\d\w*)")
# a possessive ("carlos guerrero's wife, angela ...") ends no name: the name is whose it is
_NAME = (rf"(?P<name>(?!{_NAME_STOP}\b)[a-z][a-z'’-]+(?<!['’]s)(?<!['’])"
         rf"(?:\s+(?!{_NAME_STOP}\b)[a-z][a-z'’-]+(?<!['’]s)(?<!['’])){{0,3}})(?!['’\w])")
_PASSIVE_VICTIM = (r"(?:killed|murdered|assassinated|kidnap+ed|abducted|wounded|injured|shot|executed|"
                   r"gunned\s+down|taken\s+hostage|held\s+hostage)")
# "to kidnap oas secretary general x", "the attack against attorney general dr x"
_VICTIM_VERB = (r"(?:killed|murdered|assassinated|kidnap+ed|abducted|wounded|injured|shot|executed|"
                r"gunned\s+down|kill|murder|assassinate|kidnap|abduct|attack\s+(?:on|against)|"
                r"(?:murder|assassination|killing|kidnapping|abduction|death|release|rescue)\s+of)")
# words between the verb and the title, but no "of": in "an attack on the residence of colonel x"
# or "killed the wife of colonel x" the colonel owns what was hit
_VICTIM_AFTER_VERB = re.compile(
    rf"\b{_VICTIM_VERB}\s+(?:the\s+|a\s+)?(?:(?!of\b)[\w-]+\s+){{0,3}}?{_TITLE}\s+{_NAME}", re.I)
# "colonel carlos guerrero's wife, angela piedad de guerrero, was shot", "journalist carlos
# marcelo who was kidnapped", "priest x, rector of the university, was murdered", "inspector x died"
_VICTIM_BEFORE_VERB = re.compile(
    rf"\b{_TITLE}(?:\s*,)?\s+{_NAME}(?:\s*,[^,.;]{{1,60}},|\s*,)?\s+(?:(?:who\s+)?"
    rf"(?:was|were|has\s+been|had\s+been|have\s+been)\s+(?:\w+\s+)?{_PASSIVE_VICTIM}|died)\b", re.I)


# "the murder of jaime pardo leal," : without a title, a name is two to four words ending the phrase
_NOT_IN_NAME = (r"(?:people|persons|civilians|peasants|soldiers|troops|policemen|members|children|students|"
                r"residents|villagers|passengers|passers-?by|relatives|neighbors|bystanders|"
                r"workers|leaders|officials|priests|jesuits|judges|journalists|guerrillas|men|women|"
                r"several|many|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|some|one|"
                r"innocent|unarmed|his|her|their|its|our|my|your|this|these|those|former|late)")
_BARE_NAME = (rf"(?P<name>(?!{_NAME_STOP}\b|{_NOT_IN_NAME}\b)[a-z][a-z'’-]+"
              rf"(?:\s+(?!{_NAME_STOP}\b|{_NOT_IN_NAME}\b)[a-z][a-z'’-]+){{1,3}})")
_VICTIM_OF_BARE = re.compile(
    rf"\b(?:(?:murder|assassination|killing|kidnapping|abduction|death)\s+of|murdering|killing|kidnapping|"
    rf"assassinating|abducting|kidnap+ed|abducted|murdered|assassinated)\s+{_BARE_NAME}"
    rf"(?=\s*(?:[,.;:()\"]|--|'s\b|\s+and\b|$))", re.I)
_BARE_NAME2 = _BARE_NAME.replace("?P<name>", "?P<name2>")
# a bare name that opens the sentence (or its "that" clause) as the subject of a passive killing:
# "gustavo guerra, coordinator of the up, was gunned down today" (an apposition says it is a
# person), "cristobal perez and ruben ramirez were shot to death"
# what may come between a pair of names and their verb: an apposition ("..., a 26-year-old
# teacher at the american school") or a relative clause (", who were inside the car,")
_AFTER_PAIR = r"(?:\s*,\s*(?:an?|the|two|both)\s[^,.;]{1,80}?,?|\s*,\s*who\s[^,.;]{1,60},)?,?\s+"
_VICTIM_SUBJECT = re.compile(
    rf"(?:(?:^\s*|\bthat\s+){_BARE_NAME}\s*,[^,.;]{{1,80}},\s*(?:who\s+)?(?:was|has\s+been|had\s+been)|"
    rf"(?:^\s*|\bthat\s+|(?<=,)\s+){_BARE_NAME.replace('?P<name>', '?P<first>')}\s+and\s+{_BARE_NAME2}"
    rf"{_AFTER_PAIR}(?:were|have\s+been|had\s+been))"
    rf"\s+(?:\w+\s+)?{_PASSIVE_VICTIM}\b", re.I)


_TITLE_WORD_RE = re.compile(rf"^{_TITLE}$", re.I)
# "the victims were identified as david lecky, director of the columbus school, and james arthur
# donnelly", "among the injured are maria lopez, 53; jose diaz, 26", "the following policemen died:
# major carlos farfan, captain walter moscoso": each item of the list that is a name after its
# titles (a description item has stop words; an age item has none)
_VICTIMS_NAMED_AS = re.compile(
    r"\b(?:victims?\s+(?:[\w-]+\s+){0,3}?as|(?:dead|injured|wounded|hostages)\s+"
    r"(?:here\s+)?(?:are|were|include|included)|the\s+following\s+(?:[\w-]+\s+){0,2}?"
    r"(?:died|were\s+(?:killed|murdered|wounded|injured|kidnap+ed|abducted))(?:\s+[\w-]+){0,3}?\s*:)"
    r"\s+[\"“]?(?P<list>[^.:\"”]{3,400})", re.I)
_BARE_NAME_RE = re.compile(rf"^\s*(?:and\s+)?(?:{_TITLE}\s+)*{_BARE_NAME}(?:\s*,\s*\d+)?\s*$", re.I)


def _named_as(text: str) -> list[tuple[str, int]]:
    out = []
    for m in _VICTIMS_NAMED_AS.finditer(text):
        base = m.start("list")
        for piece in re.split(r"([,;]|\s+and\s+)", m.group("list")):
            name = _BARE_NAME_RE.match(piece)
            if name:
                out.append((name.group("name"), base + name.start("name")))
            base += len(piece)
    return out


# "murdered peasants victor manuel vasquez and rafael romero", "judge x and her bodyguard y":
# a bare name coordinated with a victim's name is a victim too (a title may come before it)
_AND_NAME = re.compile(
    rf"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:{_TITLE}\s+)?{_BARE_NAME}"
    rf"(?=\s*(?:[,.;:()\"]|--|$)|\s+(?:and|were|who|have|had|in|near|at|on|of|from|when|while|after)\b)", re.I)


_NOT_COORDINATED = re.compile(r"^(?:alias|another|woman|man|boy|girl|child|union|front|movement|party|"
                              r"patriotic|national|popular|democratic|revolutionary|liberal|conservative)$", re.I)


def _coordinated_names(text: str, end: int) -> list[tuple[str, int, int]]:
    out = []
    while (m := _AND_NAME.match(text, end)) is not None:
        if any(_NOT_NAME_WORD.match(w) or _NOT_COORDINATED.match(w) for w in m.group("name").split()):
            break  # "another pdc leader", "guatemalan gilda flores", "patriotic union": no bare name
        out.append((m.group("name"), m.start("name"), m.end("name")))
        end = m.end("name")
    return out


def victims(text: str) -> list[tuple[str, int, int]]:
    """Named victims: a name after a title ("jesuit priest ignacio ellacuria", "presidential
    candidate bernardo jaramillo ossa") that is the object of a killing or kidnapping, or its
    subject in the passive. Works on lower-case text, which is why a name needs something that
    says it is a person: a title, "murder of" / "murdering" / "kidnapped" right before it, an
    apposition or a second name when it opens the sentence or follows a comma ("pablo mora, a
    street vendor, was killed", "his escorts, x and y, who were in the car, were killed"), or a
    list introduced as the victims ("the victims were identified as", "among the injured are",
    "the following policemen died:"). The untitled forms were read off MUC-4 train misses;
    MUC-4 train victim F1 with the train lexicon off 0.184 -> 0.248, dev unchanged (0.493).

    Limits: "ernesto was killed" (one bare word) is missed; a title that belongs to a
    perpetrator in the same clause can mislead ("colonel x ordered the killing")."""
    found: dict[str, tuple[str, int, int]] = {}
    for pattern in (_VICTIM_AFTER_VERB, _VICTIM_BEFORE_VERB, _VICTIM_OF_BARE):
        for m in pattern.finditer(text):
            name, start = m.group("name"), m.start("name")
            # "fire department director colonel roberto rivera": the name starts after the last title
            for w in list(re.finditer(r"\S+", name))[::-1]:
                if _TITLE_WORD_RE.match(w.group(0)) or _TITLE_WORD_RE.match(w.group(0)[:-1]):
                    name, start = name[w.end():].lstrip(), start + w.end() + (len(name[w.end():]) - len(name[w.end():].lstrip()))
                    break
            if len(name) >= 3:
                found.setdefault(name.lower(), (name, start, start + len(name)))
    for m in _VICTIM_SUBJECT.finditer(text):
        if m.group("first") and any(_TITLE_WORD_RE.match(w) for g in ("first", "name2") for w in m.group(g).split()):
            continue  # "local residents and two farmers were wounded": people, not names
        for group in ("name", "first", "name2"):
            if m.group(group):
                found.setdefault(m.group(group).lower(), (m.group(group), m.start(group), m.end(group)))
    for name, start in _named_as(text):
        found.setdefault(name.lower(), (name, start, start + len(name)))
    for _, _, end in list(found.values()):
        for name, start, end2 in _coordinated_names(text, end):
            found.setdefault(name.lower(), (name, start, end2))
    return sorted(found.values(), key=lambda t: t[1])


_NAME_WORD = re.compile(r"[A-Za-z][a-z'’-]+|[A-Z][A-Za-z'’-]*|(?:[A-Z]\.)+")
_NOT_NAME_WORD = re.compile(rf"^(?:{_NAME_STOP}|{_NOT_IN_NAME}|{_TITLE}|mr|mrs|ms|dr|col|gen|lt|capt|msgr|rev|"
                            r"pilot|driver|farmer|peasants?|workers?|employees?|owner|teacher|soldier|officer|policeman|guard|agent|"
                            r"bodyguard|nurse|physician|candidates?|victims?|brothers?|sisters?|friends?|jesuits?|rector|university|"
                            r"federation|department|top|would|could|will|not|left|"
                            r"[a-z]+(?:ans?|ese|ish|ian|ians|eans?)|y|de|del|la|los|las)$", re.I)
# Ordinary words next to a name: function words ("lives there", "because", "named", "alias"),
# and, in caseless text on the left, verb forms and adverbs ("rescued", "including", "armed"),
# hyphenated compounds ("well-known") and plural nouns of people ("photographers",
# "councilmen"), which no name starts with ("-med" is left out of the verb forms: "mohammed").
# MUC-4 train victim F1 0.504 -> 0.539 (names found were widened over them; dev unchanged).
_ORDINARY_WORD = re.compile(r"^(?:because|named|armed|lives|there|alias|known|than|then|both|only|even|still|"
                            r"whose|where|called|later|earlier|now|here)$", re.I)
_NOT_NAME_LEFT = re.compile(rf"{_ORDINARY_WORD.pattern}|^(?:[a-z]+(?<!m)ed|[a-z]+(?:ing|ly|ful)|[a-z]+-[a-z-]+|"
                            r"[a-z]+(?:men|ers|ists|ors|ards?))$", re.I)
_NAME_END = re.compile(r"\s*(?:[,.;:()\"]|'s\b|$)|\s+(?:and|who|whose|was|were|is|had|has|said)\b", re.I)
_PARTICLE = re.compile(r"^(?:y|de|del|la|los|las|da|dos|van|von)$", re.I)


def full_name(text: str, name: str, start: int, end: int) -> tuple[str, int, int]:
    """The fullest form of a person's name that the article uses: "ignacio ellacuria" said in full
    elsewhere as "jose ignacio ellacuria", "mr. torres" as "julio torres". Every whole-word
    occurrence of the name is widened over the name-like words around it (no title, stop word,
    nationality or number; "y"/"de" particles only inside, as in "arturo rivera y damas"), at most
    five words; words added on the right must end the name (punctuation, "and", "was" follows).
    The longest wins, with its own span. In cased text the added words must be capitalised.

    Limits: without case, a name-like ordinary word next to the name can be taken in
    ("jesuit ignacio ellacuria" is kept out only because "jesuit" is listed)."""
    cased = not text.islower()
    best = (name, start, end)
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(name)}(?![\w'’-])", text, re.I):
        s, e = m.start(), m.end()
        words = len(name.split())
        while words < 5:
            left = re.search(r"([\w'’.-]+)\s+$", text[max(0, s - 40):s])
            w = left.group(1) if left else ""
            if (not w or not _NAME_WORD.fullmatch(w) or _NOT_NAME_WORD.match(w) or (cased and not w[0].isupper())
                    or (_ORDINARY_WORD if cased else _NOT_NAME_LEFT).match(w)):
                break
            s, words = s - len(left.group(0)), words + 1
        e0 = e
        while words < 5:
            right = re.match(r"\s+([\w'’-]+)", text[e:e + 40])
            w = right.group(1) if right else ""
            if _PARTICLE.match(w):
                after = re.match(r"\s+[\w'’-]+\s+([\w'’-]+)", text[e:e + 60])
                if after and not _NOT_NAME_WORD.match(after.group(1)) and (not cased or after.group(1)[0].isupper()):
                    e, words = e + after.end(), words + 2
                    continue
                break
            if (not w or not _NAME_WORD.fullmatch(w) or _NOT_NAME_WORD.match(w) or _ORDINARY_WORD.match(w)
                    or (cased and not w[0].isupper())):
                break
            e, words = e + right.end(), words + 1
        if e > e0 and not _NAME_END.match(text, e):
            e = e0  # words added on the right must end the name: a comma, "and", "was" follows
        if e - s > best[2] - best[1]:
            best = (" ".join(text[s:e].split()), s, e)
    return best


# ---------------------------------------------------------------- named suspects
# A person's name as crime reports print it: two to four capitalised words, middle initials
# ("Shane G. Williams"), a nickname in quotes, a hyphenated or soft-hyphenated surname and a
# Jr./Sr./II suffix. Cased text only: caseless wire text has no way to tell a name.
# days and months that open a capitalised run ("May" aside: it is a name too)
_DAYS_MONTHS = ("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|"
                "June|July|August|September|October|November|December")
_PNAME_WORD = (rf"(?!(?:{_DAYS_MONTHS})\b)"
               r"[A-Z](?:[a-z]{1,2}[A-Z]|[a-z]{0,2}['’][A-Z]){0,2}[a-z'’\u00ad-]*[a-z]"
               r"(?:-[A-Z][a-z'’\u00ad]+)?")  # "McConico", "LeGrier", "DeLaPort", "O'Brien", "Garcia-Manriquez"
_PERSON = (rf"{_PNAME_WORD}(?:\s+(?:[A-Z]\.|\"[A-Z][a-z]+\"|{_PNAME_WORD})){{1,3}}"
           r"(?:,?\s+(?:Jr|Sr)\.?|\s+(?:II|III|IV)\b)?")
_AGE = r"(?:\d{1,2}-year[-\s]old\s+)"
_AGE_AFTER = r"(?:,\s+\d{1,2},)"
_SUSPECT_NOUN = r"(?:suspect|shooter|gunman|assailant|attacker|killer|accused)"
_SUSPECT_RES = [re.compile(p) for p in (
    # "the suspect, Trevor Munier,", "shooting suspect Syed Farook", "the gunman was identified as X"
    rf"\b{_SUSPECT_NOUN}(?:,\s+(?:later\s+)?(?:identified\s+as\s+)?|\s+(?:was\s+|has\s+been\s+|had\s+been\s+)?(?:later\s+)?(?:identified|named)\s+as\s+|\s+)"
    rf"{_AGE}?(?P<name>{_PERSON})",
    # "police identified the suspect as X", "arrested X", "searching for 40-year-old X"
    rf"\b(?:identified|named)\s+the\s+{_SUSPECT_NOUN}\s+as\s+{_AGE}?(?P<name>{_PERSON})",
    rf"\b(?:arrested|apprehended|detained|charged|booked|indicted|tracked\s+down|(?:searching|looking|hunting)\s+for|"
    rf"manhunt\s+for|(?:are|were|is)\s+seeking)\s+{_AGE}?(?P<name>{_PERSON})",
    # "X, 29, is accused of", "X, 22, of Camp Hill, Alabama, was arrested", "40-year-old X is charged"
    rf"(?<![\w.'’\u00ad-])(?P<name>{_PERSON}){_AGE_AFTER}?(?:,?\s+of\s+(?:the\s+\d+\s+block\s+of\s+)?[A-Z][\w\s.]{{0,30}}?"
    rf"(?:,\s+[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?)?,|,\s+an?\s+[^,;]{{1,80}},)?"
    rf"\s+(?:(?:is|was|has\s+been|had\s+been|will\s+be)\s+(?:also\s+|now\s+|later\s+)?"
    rf"(?:arrested|charged|accused|booked|indicted|jailed|wanted|taken\s+into\s+custody|being\s+held|in\s+custody)\b|"
    rf"(?:faces|is\s+facing|was\s+facing|now\s+faces)\s+(?:an?\s+|two\s+|three\s+)?[\w\s-]{{0,30}}?charges?\b|"
    rf"allegedly\s+(?:shot|killed|fired|opened\s+fire|stabbed)|turned\s+himself\s+in|turned\s+herself\s+in|"
    rf"(?:was|is)\s+suspected\s+of)",
    # "police say 35-year-old X shot and killed ...", "27-year-old X shot her husband", "police said
    # X shot twice at", "one of the officers, X, fatally shot Y"
    rf"(?:{_AGE}|\b(?:[Pp]olice|[Aa]uthorities|[Ii]nvestigators|[Pp]rosecutors|[Oo]fficials|[Dd]eputies)\s+"
    rf"(?:say|said|says|believe|believed|allege|alleged)\s+(?:that\s+)?{_AGE}?|\bofficers?,\s+)(?P<name>{_PERSON}),?\s+"
    rf"(?:allegedly\s+)?(?:shot|fatally\s+shot|opened\s+fire|fired|killed|stabbed)\s+"
    rf"(?:and\s+(?:killed|wounded)\s+|at\s+|on\s+|twice\s+|once\s+)?(?:his|her|their|a|an|the|two|three|[A-Z]|\d{{1,2}}-year)",
    # "the man who shot Boring is X"
    rf"\b(?:who|that)\s+(?:shot|killed)\s+[^.,;]{{1,40}}?\s+(?:is|was)\s+(?:identified\s+as\s+)?{_AGE}?(?P<name>{_PERSON})",
)]
# words that open a capitalised run but no person's name (titles of the police who speak, days)
_NOT_SUSPECT = re.compile(
    r"^(?:The|A|An|He|She|They|His|Her|Police|Officers?|Deputy|Deputies|Sheriff|Sgt|Lt|Capt|Det|Detectives?|"
    r"Chief|Officials?|Authorities|Investigators|Prosecutors?|District|County|State|City|Court|Judge|Mr|Mrs|Ms|"
    rf"{_DAYS_MONTHS}|May|North|South|East|West|New|Fort|Saint|St|Mount|Lake|Port|"
    r"Interstate|Highway|Route|Street|Avenue|Road|Drive|Hospital|Medical|University|Department|Federal|U)$")


_PERSON_RE = re.compile(rf"(?<![\w'’.\u00ad-]){_PERSON}")


def fullest_cased_name(text: str, name: str, start: int, end: int) -> tuple[str, int, int]:
    """The longest name the cased article prints that ends with ``name``'s words ("Miguel Ledesma"
    in a sentence is "Angel Miguel Ledesma" in the headline), with its own span; else ``name``."""
    best = (name, start, end)
    for m in _PERSON_RE.finditer(text):
        words, mine = m.group(0).rstrip(",. ").split(), name.split()
        if len(words) > len(best[0].split()) and words[-len(mine):] == mine and not _NOT_SUSPECT.match(words[0]):
            full = " ".join(words)
            best = (full, m.start(), m.start() + len(full))
    return best


def _named_people(text: str, patterns: list[re.Pattern]) -> list[tuple[str, int, int]]:
    """(name, start, end) of each cased full name (two words at least) the patterns' ``name`` (and
    ``name2``) groups hold, once each, in text order, without the title or place word that opened
    its run of capitals ("Officer Jane Doe" -> "Jane Doe"). Nothing in caseless text."""
    if text.islower() or text.isupper():
        return []
    found: dict[str, tuple[str, int, int]] = {}
    for pattern in patterns:
        groups = [g for g in ("name", "name2") if g in pattern.groupindex]
        for m in pattern.finditer(text):
            for name, start in ((m.group(g), m.start(g)) for g in groups if m.group(g)):
                name = name.rstrip(",. ")
                while (lead := re.match(r"(\S+?)\.?\s+", name)) and _NOT_SUSPECT.match(lead.group(1)):
                    name, start = name[lead.end():], start + lead.end()
                if len(name.split()) >= 2:
                    found.setdefault(name.lower(), (name, start, start + len(name)))
    return sorted(found.values(), key=lambda t: t[1])


def named_suspects(text: str) -> list[tuple[str, int, int]]:
    """People a report names as the suspected attacker: "the suspect, Trevor Munier,", "police
    identified the gunman as X", "X, 29, is accused of / was charged with / faces a murder
    charge", "police arrested X", "searching for 40-year-old X", "35-year-old X shot his wife".
    A later bare surname ("Hart was arrested") is kept only where no fuller name holding it was
    found. Cased text only.

    Limits: who is charged or arrested is what the report says, not a verdict (the field is the
    alleged perpetrator); a victim "charged" in another case, or a relative named beside the
    suspect, can be taken."""
    return _named_people(text, _SUSPECT_RES)


_HURT = (r"(?:(?:found\s+)?(?:fatally\s+|accidentally\s+|critically\s+|seriously\s+|mortally\s+|later\s+)?"
         r"(?:shot|killed|wounded|struck|hit|injured|murdered|gunned\s+down|pronounced\s+dead|found\s+dead|"
         r"hospitali[sz]ed|rushed\s+to|taken\s+to\s+(?:a|the|an)\s+(?:\w+\s+)?hospital|suffering\s+from)\b)")
_PERSON_AFTER = rf"(?:{_AGE_AFTER}|,\s+an?\s+[^,;]{{1,60}},)?"
_VICTIM_NOUN = r"(?:victim|deceased|female|male|man|woman|boy|girl|teen|teenager|toddler|child)"  # not "driver": of a ramming truck too
_NAMED_VICTIM_RES = [re.compile(p) for p in (
    # "identified the victim as 44-year-old X", "the female was identified as X", "the victim, X,"
    rf"\b(?:identified|named)\s+(?:the\s+)?(?:deceased\s+|dead\s+)?{_VICTIM_NOUN}\s+as\s+{_AGE}?(?P<name>{_PERSON})",
    rf"\b{_VICTIM_NOUN}\s+(?:was|has\s+been|had\s+been)\s+(?:later\s+)?(?:identified|named)\s+as\s+{_AGE}?(?P<name>{_PERSON})",
    rf"\b[Vv]ictims?,\s+{_AGE}?(?P<name>{_PERSON})",
    # "20-year-old X was shot", "X, 29, was suffering from a gunshot wound", "X, 24, and Y, 29, were
    # killed", "found X, who was pronounced dead"
    rf"(?<![\w.'’\u00ad-])(?<!from )(?<!in )(?<!of )(?<!at )(?P<name>{_PERSON}){_PERSON_AFTER}(?:,?\s+and\s+{_AGE}?(?P<name2>{_PERSON}){_PERSON_AFTER})?"
    rf"(?:,\s+who)?\s+(?:(?:was|were|had\s+been|has\s+been|have\s+been|is|are)\s+{_HURT}|died\b)",
    # "fatally shot X, 19", "shot and killed 38-year-old X"
    rf"\b(?:fatally\s+shot|shot\s+and\s+killed|shot\s+and\s+wounded|killed|murdered|gunned\s+down)\s+"
    rf"{_AGE}?(?P<name>{_PERSON})",
)]


def named_victims(text: str) -> list[tuple[str, int, int]]:
    """People a cased report names as shot, killed or wounded: "police identified the victim as
    X", "20-year-old X was shot in the stomach", "X, 29, was suffering from a gunshot wound",
    "X, 35, and Y, 29, were killed", "the gunman shot and killed 38-year-old X". Cased text only
    (``victims`` reads caseless wire text).

    Limits: a suspect the police shot is a victim here too (as GVDB codes them); "was hit"
    can be a car."""
    return _named_people(text, _NAMED_VICTIM_RES)
