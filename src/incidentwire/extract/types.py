"""Attack type, weapons and targets from keyword rules.

Attack types are GTD's nine. A frame's type is the majority over the typed trigger words in its
text (ties go to the first one mentioned): "shooting spree ... suicide bombing ... shot dead"
is an armed assault, "two explosions ... botched suicide bombing" a bombing. Plain "attack" or
"killed" carry no type; a frame with none is ``unknown``. Weapons and targets are returned as
the surface strings the article uses (MUC-4 scores them that way) with their spans.

Limits: no syntax; a word about another event in the same sentence can vote.
"""

from __future__ import annotations

import re
from collections import Counter

_TYPE_PATTERNS: list[tuple[str, str]] = [
    ("bombing_explosion", r"bomb(?:s|ings?|ed|ers?)?|explo(?:sions?|sives?|ded)|blasts?|blew\s+(?:\w+self\s+)?up|"
                          r"blown\s+up|detonat\w*|grenades?|dynamite|i\.?e\.?d\.?s?|suicide\s+attack\w*|car[- ]bomb\w*"),
    ("hostage_kidnapping", r"kidnap\w*|abduct\w*|seized\s+as\s+hostages?"),
    ("hostage_barricade", r"hostages?|barricaded|siege"),
    ("hijacking", r"hijack\w*\s+(?:a\s+|an\s+|the\s+)?(?:plane|aircraft|airliner|flight|ship|vessel|jet)"),
    ("assassination", r"assassinat\w*"),
    ("facility_infrastructure_attack", r"arson|set\s+(?:on\s+)?fire|torched|burn(?:ed|t)\s+down|sabotag\w*"),
    ("armed_assault", r"shoot\w*|shot|gun(?:man|men|fire|shots?|ned)|opened\s+fire|rampage|armed\s+attack\w*|"
                      r"machine[- ]?guns?|rifles?|stabb\w*|knife|machetes?|ambush\w*|massacre\w*|storm(?:ed|ing)?"),
    ("unarmed_assault", r"rammed|ramming|ploughed|plowed|beat(?:en|ing)\s+to\s+death"),
]
_TYPE_RE = re.compile("|".join(f"(?P<{t}>\\b(?:{p})\\b)" for t, p in _TYPE_PATTERNS), re.IGNORECASE)

_WEAPON_RE = re.compile(
    r"\b(?:car\s+bombs?|truck\s+bombs?|bombs?|explosives?|explosive\s+devices?|suicide\s+(?:belt|vest)s?|"
    r"grenades?|dynamite|machine[- ]?guns?|assault\s+rifles?|rifles?|pistols?|kalashnikovs?|ak-47s?|"
    r"firearms?|guns?|knives|knife|machetes?|mortars?|rockets?|landmines?|mines|trucks?|lorry|vehicle)\b",
    re.IGNORECASE)

_TARGET_RE = re.compile(
    r"\b(?:police\s+(?:station|post|headquarters|officers?|patrol)|police(?:men|man)?|cops|"
    r"law[- ]enforcement\s+officers?|security\s+(?:service\s+office|service|forces?|officers?)|"
    r"military\s+(?:base|convoy|post)|soldiers?|troops|army\s+(?:base|post)|civilians?|"
    r"gun\s+(?:shops?|stores?)|shops?|market|mosque|church|synagogue|school|hospital|embassy|"
    r"airport|(?:railway|train|metro|subway|bus)\s+stations?|pipeline|power\s+(?:station|plant|lines?)|"
    r"bank|hotel|restaurant|concert|journalists?|judges?|officials?|tourists?)\b",
    re.IGNORECASE)


def attack_type(text: str) -> tuple[str, int, int, float]:
    """(GTD attack type, evidence start, evidence end, confidence) by majority of typed words."""
    hits = [(m.lastgroup, m.start(), m.end()) for m in _TYPE_RE.finditer(text)]
    if not hits:
        return "unknown", 0, 0, 0.2
    votes = Counter(t for t, _, _ in hits)
    best = max(votes, key=lambda t: (votes[t], -next(i for i, h in enumerate(hits) if h[0] == t)))
    first = next(h for h in hits if h[0] == best)
    return best, first[1], first[2], min(0.9, 0.4 + 0.1 * votes[best])


def surface_terms(pattern: re.Pattern, text: str) -> list[tuple[str, int, int]]:
    """Distinct lower-cased matches with the span of their first occurrence."""
    seen: dict[str, tuple[str, int, int]] = {}
    for m in pattern.finditer(text):
        key = re.sub(r"\s+", " ", m.group(0).lower())
        seen.setdefault(key, (key, m.start(), m.end()))
    return list(seen.values())


def weapons(text: str) -> list[tuple[str, int, int]]:
    return surface_terms(_WEAPON_RE, text)


def targets(text: str) -> list[tuple[str, int, int]]:
    return surface_terms(_TARGET_RE, text)
