"""Attack type, weapons and targets from keyword rules.

Attack types are GTD's nine. A frame's type is the majority over the typed trigger words in its
text (ties go to the first one mentioned): "shooting spree ... suicide bombing ... shot dead"
is an armed assault, "two explosions ... botched suicide bombing" a bombing; an unarmed assault (a
vehicle driven into people) only when no word names an armed one. Plain "attack" or
"killed" carry no type; a frame with none is ``unknown``. Weapons and targets are returned as
the surface strings the article uses (MUC-4 scores them that way) with their spans.

Limits: no syntax; a word about another event in the same sentence can vote.
"""

from __future__ import annotations

import re
from collections import Counter

# a vehicle driven into people (GTD: an unarmed assault, the vehicle its weapon): the words after
# the vehicle, and those of "drove <a vehicle> into" around it (the type and the weapon read both)
_VEHICLE = r"(?:truck|lorry|van|car|vehicle)"
_DRIVEN_INTO = r"\s+(?:was|had\s+been)\s+driven\s+(?:[\w-]+\s+){0,4}?(?:into|down)"
_DROVE_A = r"(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){0,2}?"
_INTO_AFTER = r"\s+(?:[\w-]+\s+){0,3}?into"
_TYPE_PATTERNS: list[tuple[str, str]] = [
    ("bombing_explosion", r"bomb(?:s|ings?|ed|ers?)?|explo(?:sions?|sives?|ded)|blasts?|blew\s+(?:\w+self\s+)?up|"
                          r"blown\s+up|detonat\w*|grenades?|dynamite|i\.?e\.?d\.?s?|suicide\s+attack\w*|car[- ]bomb\w*"),
    ("hostage_kidnapping", r"kidnap\w*|abduct\w*|seized\s+as\s+hostages?"),
    ("hostage_barricade", r"hostages?|barricaded|(?<!state\sof\s)siege"),
    ("hijacking", r"hijack\w*\s+(?:a\s+|an\s+|the\s+)?(?:plane|aircraft|airliner|flight|ship|vessel|jet)"),
    ("assassination", r"assassinat\w*"),
    ("facility_infrastructure_attack", r"arson|set\s+(?:on\s+)?fire|torched|sabotag\w*|"
                                       r"burn(?:ed|t)(?!\s+(?:to\s+death|alive|by|on|over|in|with))"),
    # bombs dropped from the air are an armed assault (GTD), not a planted or thrown device
    ("armed_assault", r"(?:air\s+force|(?:war)?planes?|aircraft|helicopters?|gunships?|jets|pilots)\s+(?:[\w-]+\s+){0,3}?"
                      r"(?:bomb(?:ed|ing|ings)?|strafed)|shoot\w*|shot|gun(?:man|men|fire|shots?|ned)|opened\s+fire|rampage|armed\s+attack\w*|"
                      r"machine[- ]?guns?|rifles?|stabb\w*|knife|machetes?|ambush\w*|massacre\w*|storm(?:ed|ing)?"),
    ("unarmed_assault", r"rammed|ramming|ploughed|plowed|beat(?:en|ing)\s+to\s+death|mow(?:ed|ing)\s+down|"
                        rf"(?:truck|lorry|van|vehicle)[- ]attacks?|{_VEHICLE}{_DRIVEN_INTO}|drove\s+{_DROVE_A}{_VEHICLE}{_INTO_AFTER}"),
]
_TYPE_RE = re.compile("|".join(f"(?P<{t}>\\b(?:{p})\\b)" for t, p in _TYPE_PATTERNS), re.IGNORECASE)

_WEAPON_RE = re.compile(
    r"\b(?:car[\s-]bombs?|truck[\s-]bombs?|(?:homemade\s+|incendiary\s+)?bombs?|explosive\s+(?:devices?|charges?)|"
    r"explosives|suicide\s+(?:belt|vest)s?|(?:hand\s+)?grenades?|dynamite\s+(?:charges?|sticks)|dynamite|machine[- ]?guns?|assault\s+rifles?|rifles?|"
    r"pistols?|kalashnikovs?|ak-?47s?|firearms?|guns?|knives|knife|machetes?|mortars?|rockets?|landmines?|mines|"
    r"(?<=rammed\s)(?:a|the|his|her)\s+(?:truck|lorry|car|vehicle)|"
    rf"{_VEHICLE}(?=\s+(?:plough|plow|ramm|drove\s+into|mowed)|{_DRIVEN_INTO})\w*|"
    rf"(?<=drove\s){_DROVE_A}{_VEHICLE}(?={_INTO_AFTER}))\b",
    re.IGNORECASE)

# GTD target categories from the words that name who or what was hit
_TARGET_TYPES: list[tuple[str, str]] = [
    ("police", r"police\s+(?:station|post|headquarters|officers?|patrol)|police(?:men|man)?|cops|"
               r"law[- ]enforcement\s+officers?"),
    ("government (general)", r"security\s+(?:service\s+office|service)|officials?|judges?|ministry|mayor'?s\s+office"),
    ("military", r"military\s+(?:base|convoy|post)|soldiers?|troops|army\s+(?:base|post)|security\s+forces?|barracks"),
    ("private citizens & property", r"civilians?|villagers|residents|passers-?by|houses|homes"),
    ("business", r"gun\s+(?:shops?|stores?)|shops?|stores?|market|bank|hotel|restaurant|concert"),
    ("religious figures/institutions", r"mosque|church|synagogue|priests?"),
    ("educational institution", r"school|university"),
    ("government (diplomatic)", r"embass(?:y|ies)|consulate|diplomats?"),
    ("transportation", r"airport|(?:railway|train|metro|subway|bus)\s+stations?|buses|bus"),
    ("utilities", r"pipeline|power\s+(?:station|plant|lines?)|substation|electricity\s+(?:poles|pylons|towers)|pylons"),
    ("journalists & media", r"journalists?|reporters?|newspaper|radio\s+station"),
    ("tourists", r"tourists?"),
]
_TARGET_TYPE_RE = re.compile("|".join(f"(?P<t{i}>\\b(?:{p})\\b)" for i, (_, p) in enumerate(_TARGET_TYPES)),
                             re.IGNORECASE)

# Physical targets: the thing attacked, as the article names it (MUC-4's PHYS TGT)
_TARGET_HEAD = (r"embass(?:y|ies)|consulate|offices?|headquarters|(?:sub)?stations?|plants?|farms?|buildings?|"
                r"residences?|houses?|homes?|churche?s?|schools?|bridges?|pipelines?|hotels?|stores?|shops?|"
                r"banks?|branch|facilities|installations?|planes?|aircraft|helicopters?|bus(?:es)?|cars?|"
                r"vehicles?|trucks?|jeeps?|towers?|pylons?|poles|lines|transformers?|posts?|barracks|bases?|"
                r"garrisons?|airports?|hospitals?|markets?|restaurants?|universit(?:y|ies)|institutes?|"
                r"ministry|courthouse|prison|mansion|factory|factories|dams?|ports?|ships?|trains?|"
                r"railways?|tracks|warehouses?|depots?|centers?|centres?|club|newspaper|network|system|"
                r"exchanges?|booths?|clinics?|drugstores?|pharmac(?:y|ies)|stands|sites?|airstrips?|"
                r"agenc(?:y|ies)|monaster(?:y|ies)|temples?|cathedral|chapel|parks?|mines?|refiner(?:y|ies)|"
                r"terminals?|antennas?|repeaters?|bars?|discotheques?|theaters?|cinemas?|supermarkets?|"
                r"dealerships?|apartments?|ambulances?|wagons?|powerlines?|businesses|enterprises?|councils?|"
                r"vessels?|boats?")
_TARGET_ACT = (r"attack(?:s|ed|ing)?(?:\s+(?:on|against))?|bomb(?:s|ed|ing)?|dynamit\w*|burn(?:ed|t|ing)|"
               r"set\s+(?:on\s+)?fire(?:\s+to)?|torch\w*|destroy\w*|damag\w*|blew\s+up|blown\s+up|"
               r"explo\w*\s+(?:(?:today|yesterday|tonight|early|late|last\s+night|this\s+morning|"
               r"(?:mon|tues|wednes|thurs|fri|satur|sun)day(?:\s+(?:morning|afternoon|evening|night))?)\s+)?"
               r"(?:at|in|near|outside|in\s+front\s+of|opposite|next\s+to|inside)|"
               r"(?:hurled|threw|thrown|placed|planted)\s+(?:[\w-]+\s+){0,3}?(?:at|in|under|inside|near)|"
               r"fired\s+(?:at|on)|"
               r"raid(?:ed)?|storm(?:ed)?|occupied|sabotag\w*|machinegunned|hit")
# words that end a target's noun phrase on its left: determiners, numbers, prepositions, verbs
_TARGET_NOT_MOD = re.compile(
    r"^(?:the|a|an|two|three|four|five|six|seven|eight|nine|ten|several|some|many|various|its|his|her|their|our|"
    r"this|that|these|those|of|in|at|on|to|into|by|for|with|from|near|against|and|or|other|was|were|is|are|"
    r"been|be|has|had|have|it|they|which|who|also|up|down|partially|completely|totally|\d+)$", re.I)
_PHYS_TARGET_RE = re.compile(
    rf"\b(?:{_TARGET_ACT})\s+(?P<pre>(?:[\w'\".-]+\s+){{0,6}}?)(?P<head>(?:{_TARGET_HEAD})(?:\s+(?:{_TARGET_HEAD}))?)\b",
    re.I)
# "the liqueur plant was partially destroyed": the target as the subject of a passive attack verb
_PASSIVE_TARGET_RE = re.compile(
    rf"(?P<pre>(?:[\w'\".-]+\s+){{0,5}}?)(?P<head>{_TARGET_HEAD})\s+(?:was|were|has\s+been|have\s+been|had\s+been)\s+"
    r"(?:\w+ly\s+)?(?:attacked|bombed|dynamited|burned|burnt|torched|destroyed|damaged|blown\s+up|set\s+on\s+fire|"
    r"raided|machinegunned|sabotaged|hit|shaken|struck|riddled)\b", re.I)
# "the presidential residence ... was the target of an attack", "the target was the liqueur
# plant": the thing named as the attack's target
_NAMED_TARGET_RES = [re.compile(p, re.I) for p in (
    rf"(?P<pre>(?:[\w'\".-]+\s+){{0,5}}?)(?P<head>{_TARGET_HEAD})(?:\s+located\s+(?:in|on|at|near)(?:\s+[\w-]+){{1,4}}?)?"
    rf"\s+(?:was|were|has\s+been|have\s+been|had\s+been|became)\s+(?:the\s+|a\s+)?(?:main\s+)?targets?\s+of\b",
    rf"\btargets?\s+(?:was|were)\s+(?:the\s+|a\s+|an\s+)?(?P<pre>(?:[\w'\".-]+\s+){{0,5}}?)(?P<head>{_TARGET_HEAD})\b")]
_MAX_MODIFIERS = 5
# Each target pattern with what every match of it holds (None: it begins with its own anchor).
# The passive and "target of" patterns begin with up to five free words, which the regex engine
# tries at every position of the text: ~20 ms a 2,000-word article each, which made extraction
# twice as slow (synthetic news: 29 -> 55 ms an article). Most texts hold no anchor and skip them.
_PASSIVE_ANCHOR_RE = re.compile(
    r"\b(?:was|were|been)\s+(?:\w+ly\s+)?(?:attacked|bombed|dynamited|burned|burnt|torched|destroyed|damaged|"
    r"blown\s+up|set\s+on\s+fire|raided|machinegunned|sabotaged|hit|shaken|struck|riddled)\b", re.I)
_TARGET_PATTERNS = [(_PHYS_TARGET_RE, None), (_PASSIVE_TARGET_RE, _PASSIVE_ANCHOR_RE),
                    (_NAMED_TARGET_RES[0], re.compile(r"\btargets?\s+of\b", re.I)), (_NAMED_TARGET_RES[1], None)]


# Sentences in which a bomb word is no evidence of how an attack was carried out: arms found or
# seized, bombing and shelling by an army. (Explosions "heard" during fighting were tried too:
# better on MUC-4 train, worse on dev, left out.)
_SHELLING_RE = re.compile(
    r"\b(?:shell(?:ing|ed|s)|strafe[ds]?|strafing|artillery|mortar\s+fire|gunships?|bombard\w*|"
    r"(?:indiscriminate(?:ly)?|aerial)\s+bomb\w*|"
    # "the bombings of the government's air force", "bombed and destroyed by an occupation army"
    r"bomb(?:ed|ing|ings)\s+(?:[\w'’-]+\s+){0,4}?(?:by|of)\s+(?:the\s+|an?\s+)?(?:[\w'’-]+\s+){0,2}?"
    r"(?:air\s+force|(?:war)?planes|aircraft|pilots)|"
    r"bomb(?:ed|ing|ings)\s+(?:[\w'’-]+\s+){0,4}?by\s+(?:the\s+|an?\s+)?(?:[\w'’-]+\s+){0,2}?(?:army|troops|military)|"
    r"(?:army|troops|brigade|battalion)\s+(?:[\w-]+\s+){0,3}?bomb(?:ed|ing|ings))\b",
    re.I)
_SENTENCE_BOUNDS_RE = re.compile(r"[.!?;](?:\s|$)|\n")


def _no_vote(text: str, m: re.Match) -> bool:
    if m.lastgroup != "bombing_explosion":
        return False
    start = max(text.rfind(c, 0, m.start()) for c in ".!?;\n") + 1
    end = _SENTENCE_BOUNDS_RE.search(text, m.end())
    sentence = text[start:end.start() if end else len(text)]
    return bool(_SHELLING_RE.search(sentence) or INVENTORY_RE.search(sentence))


def attack_type(text: str) -> tuple[str, int, int, float]:
    """(GTD attack type, evidence start, evidence end, confidence) by majority of typed words.
    Bomb words do not vote in a sentence that says arms were found or seized, or an army bombed
    and shelled (see ``_no_vote``)."""
    hits = [(m.lastgroup, m.start(), m.end()) for m in _TYPE_RE.finditer(text) if not _no_vote(text, m)]
    if not hits:
        return "unknown", 0, 0, 0.2
    votes = Counter(t for t, _, _ in hits)
    best = max(votes, key=lambda t: (votes[t], -next(i for i, h in enumerate(hits) if h[0] == t)))
    if best == "unarmed_assault" and "armed_assault" in votes:
        best = "armed_assault"  # GTD ranks it higher: a ramming with shots fired is an armed assault
    first = next(h for h in hits if h[0] == best)
    return best, first[1], first[2], min(0.9, 0.4 + 0.1 * votes[best])


def act_types(text: str) -> list[tuple[str, int, int]]:
    """Every attack type a typed word in the text names (first word of each), whether or not it
    wins the frame's vote: "guerrillas attacked the farm ... and burned a tank truck" names an
    armed assault and an arson. MUC-4 codes each kind of act in an event as its own template."""
    seen: dict[str, tuple[str, int, int]] = {}
    for m in _TYPE_RE.finditer(text):
        if not _no_vote(text, m):
            seen.setdefault(m.lastgroup, (m.lastgroup, m.start(), m.end()))
    return list(seen.values())


def surface_terms(pattern: re.Pattern, text: str) -> list[tuple[str, int, int]]:
    """Distinct lower-cased matches with the span of their first occurrence."""
    seen: dict[str, tuple[str, int, int]] = {}
    for m in pattern.finditer(text):
        key = re.sub(r"\s+", " ", m.group(0).lower())
        seen.setdefault(key, (key, m.start(), m.end()))
    return list(seen.values())


# weapons that were not used: an inventory of seized or handed-over arms, a bomb squad
INVENTORY_RE = re.compile(r"\b(?:seized|captured|confiscated|found|discovered|arsenal|cache|caches|"
                           r"turn(?:ed)?\s+in|hand(?:ed)?\s+over|surrender\w*|delivered|smuggl\w*|shipment|"
                           r"quantities|supplied|supply|specializ\w*|(?:arms|weapons?|gun)\s+traffick\w*)\b", re.I)
_NOT_WEAPON_AFTER = re.compile(r"[\s-]*(?:launchers?|squads?|experts?|rounds|ammunition|factory|factories|"
                               r"threats?|scare|disposal|technicians?)\b", re.I)


def weapons(text: str) -> list[tuple[str, int, int]]:
    """Weapons named in the text; a vehicle only where it was driven into people. Not in a
    sentence that lists seized or handed-over arms, nor "grenade launchers", "bomb squad"."""
    if INVENTORY_RE.search(text):
        return []
    out = []
    for term, start, end in surface_terms(_WEAPON_RE, text):
        if _NOT_WEAPON_AFTER.match(text, end):
            continue
        det = re.match(r"(?:a|the|his|her)\s+", term)
        if det:
            term, start = term[det.end():], start + det.end()
        out.append((term, start, end))
    return out


def targets(text: str) -> list[tuple[str, int, int]]:
    """Physical targets named right after an attack verb ("dynamited two electricity poles", "burned a
    hospital ambulance", "exploded tuesday morning outside a police building", "attacked the santo
    tomas presidential farm"), where a bomb went off or was thrown ("exploded opposite a telephone
    exchange", "was thrown at the soda shop"), before a passive one ("the liqueur plant was partially
    destroyed", "bank offices were shaken by explosives"), named as the target ("the residence ...
    was the target of an attack", "the target was the liqueur plant"), and those listed after the
    first one ("burned the offices, the agrarian bank and the national bank"): the head noun with
    the modifiers right before it (up to five, stopping at a determiner, number, preposition or
    verb), lower-cased, as the article words it."""
    seen: dict[str, tuple[str, int, int]] = {}
    matches = sorted([m for r, anchor in _TARGET_PATTERNS if anchor is None or anchor.search(text)
                      for m in r.finditer(text)], key=lambda m: m.start("head"))
    for m in matches:
        for start, end in [_with_modifiers(m), *_coordinated(text, m)]:
            end = _with_owner(text, start, end)
            key = " ".join(text[start:end].split()).lower()
            seen.setdefault(key, (key, start, end))
    return list(seen.values())


# "the offices of the salvadoran workers union federation", "a branch of the city's electric
# company": a part or a seat is named by whose it is; the "of" phrase ends at punctuation or a
# preposition, verb or relative word, at most six words, none of them a determiner or number
_OWNER_HEAD_RE = re.compile(r"(?:offices?|branch(?:es)?|headquarters|facilities|installations?|premises|"
                            r"seat|residences?|buildings?)$", re.I)
_OWNER_RE = re.compile(
    r"\s+of\s+(?:the\s+)?(?P<owner>(?:(?!(?:the|a|an|its|his|her|their|this|that|these|those|in|on|at|near|and|or|"
    r"was|were|is|are|which|who|that|with|by|located|where|when|after|before|two|three|four|five|six|seven|"
    r"eight|nine|ten|several|some|many|\d+)\b)[\w'’-]+\s*){1,6}?)"
    r"(?=[,.;:()\"]|--|$|\s+(?:in|on|at|near|and|was|were|is|which|who|that|with|by|located|where|when|after|before)\b)",
    re.I)


def _with_owner(text: str, start: int, end: int) -> int:
    if not _OWNER_HEAD_RE.search(text, start, end):
        return end
    m = _OWNER_RE.match(text, end)
    return m.end("owner") if m else end


def _with_modifiers(m: re.Match) -> tuple[int, int]:
    """The head noun's span widened over the modifiers right before it."""
    start = m.start("head")
    for w in reversed(list(re.finditer(r"\S+", m.group("pre")))[-_MAX_MODIFIERS:]):
        if _TARGET_NOT_MOD.match(w.group(0)) or not re.fullmatch(r"[\w'.-]+", w.group(0)):
            break
        start = m.start("pre") + w.start()
    return start, m.end("head")


# "burned the offices, the agrarian bank and the national bank": more targets of the same verb
_COORDINATED_RE = re.compile(
    rf"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:(?:the|a|an|its|their|his|her|two|three|four|five|several|some|\d+)\s+)?"
    rf"(?P<pre>(?:[\w'.-]+\s+){{0,4}}?)(?P<head>(?:{_TARGET_HEAD})(?:\s+(?:{_TARGET_HEAD}))?)\b", re.I)


def _coordinated(text: str, m: re.Match) -> list[tuple[int, int]]:
    if m.re is not _PHYS_TARGET_RE:
        return []
    out, pos = [], m.end("head")
    while (c := _COORDINATED_RE.match(text, pos)) and not any(
            _TARGET_NOT_MOD.match(w) for w in c.group("pre").split()):
        out.append(_with_modifiers(c))
        pos = c.end("head")
    return out


def target_types(text: str) -> list[tuple[str, int, int]]:
    """GTD target categories of the people and places hit, with the first word that says so."""
    seen: dict[str, tuple[str, int, int]] = {}
    for m in _TARGET_TYPE_RE.finditer(text):
        category = _TARGET_TYPES[int(m.lastgroup[1:])][0]
        seen.setdefault(category, (category, m.start(), m.end()))
    return list(seen.values())
