"""Claims of responsibility and official responses, as claims of the incident they follow.

``responsibility(text)`` finds who claimed an attack and how ("claimed responsibility in a
statement posted online"); ``responses(text)`` finds what the authorities did: threat-level
changes ("a red level of terrorist threat was declared"), curfews, security / counter-terrorism
operations, arrests and suspects in custody, and suspects still at large (with the number when
stated). Each comes with its evidence span.
A response the text reports as denied ("officials rejected reports that a curfew has been put
in place") is kept with ``denied: True`` rather than dropped, so the analyst sees both.

This is per-article extraction; the alerts stage keeps its own reading of official threat
levels for alerting (threat.py), and the two are not merged here.

Limits: sentence-local rules; "the same group claimed responsibility" is returned with the
group as said ("the same group"), for reconcile or an analyst to resolve.
"""

from __future__ import annotations

import re

from .tolls import parse_count

_SENT_RE = re.compile(r"[^.!?\n]+[.!?]?")
_CLAIMED_RE = re.compile(
    r"(?P<who>(?:[\w'’.-]+\s+){0,6}?[\w'’.-]+)(?:\s*\([^)]{1,80}\))?,?\s+(?:has\s+|had\s+|have\s+)?(?:also\s+)?"
    r"(?:(?:claimed|took|admitted|accepted)\s+responsibility|said\s+it\s+(?:was\s+behind|carried\s+out))"
    r"(?P<rest>[^.;]{0,120})", re.I)
# no claim of responsibility without one of these words
_NEEDED_WORD_RE = re.compile(r"responsibility|said\s+it\s+(?:was\s+behind|carried)", re.I)
# "the same group claimed responsibility": who, an earlier sentence says (``resolve_anaphors``)
ANAPHOR_RE = re.compile(r"^(?:(?:the|this|that)\s+)?(?:same\s+)?(?:group|organi[sz]ation|movement|militants?|it|they)$",
                        re.I)
_NOBODY_RE = re.compile(r"^(?:no|none|nobody|no\s+one)\b", re.I)
_HOW_RE = re.compile(r"\b(?:in|via|through)\s+(?:an?\s+)?(?P<how>(?:online\s+)?(?:statement|video|communiqu[eé]|"
                     r"message|post|telephone\s+call|call|letter)(?:\s+(?:posted|published|sent|released)"
                     r"(?:\s+\w+){0,3})?)", re.I)
_DENIED_RE = re.compile(r"\b(?:denied|rejected|dismissed|refuted)\b[^.]{0,40}\b(?:reports?|claims?|rumou?rs?)\b|"
                        r"\bno\s+(?:curfew|state\s+of\s+emergency)\b|\bnot\s+been\s+(?:declared|imposed|introduced)",
                        re.I)
_RESPONSES = [
    ("threat_level", re.compile(
        r"\b(?P<level>red|orange|yellow|critical|high|highest|elevated|severe)\s+(?:level\s+of\s+)?"
        r"(?:(?:anti-?)?terror(?:ist|ism)?\s+)?(?:alert\s+)?(?:threat|alert|danger)(?:\s+(?:level|warning))?\b|"
        r"\b(?:threat|alert)\s+level\b[^.]{0,40}\b(?:raised|lowered|set|increased)\b|"
        r"\b(?:rais|lower|increas|set)\w*\s+(?:(?:its|the|their|a)\s+)?(?:[\w-]+\s+)?(?:threat|alert)\s+level\s+to\s+"
        r"(?P<level2>[\w-]+)", re.I)),
    ("curfew", re.compile(r"\bcurfew\b", re.I)),
    ("state_of_emergency", re.compile(r"\bstate\s+of\s+emergency\b", re.I)),
    ("operation", re.compile(r"\b(?:counter-?terror(?:ist|ism)?|anti-?terror(?:ist)?|security|special|military)\s+"
                             r"(?:operation|sweep|raids?|crackdown)\b|\bmanhunt\b", re.I)),
    ("arrests", re.compile(
        r"\b(?:arrested|detained|apprehended|took\s+into\s+custody)\s+(?P<count>[\w-]+(?:\s+[\w-]+)?)\s+"
        r"(?:people|persons|suspects?|men|women|individuals|members)\b|"
        r"\b(?P<count2>[\w-]+(?:\s+[\w-]+)?)\s+(?:people|persons|suspects?|men|women|individuals)\s+"
        r"(?:were|have\s+been|had\s+been)\s+(?:arrested|detained)\b|\b(?:made|carried\s+out)\s+"
        r"(?P<count3>[\w-]+)\s+arrests\b|"
        r"\b(?P<count4>[\w-]+)\s+(?:suspects?|people|persons|men|women|individuals)\s+(?:in|taken\s+into)\s+custody\b",
        re.I)),
    # "a manhunt underway for an accomplice still at large": suspects the police have not caught
    ("at_large", re.compile(
        r"\b(?:(?P<count>an?|one|two|three|four|five|\d+)\s+(?:[\w-]+\s+)?)?(?:suspects?|accomplices?|attackers?|"
        r"gunm[ae]n|assailants?|perpetrators?|bombers?|men)\s+(?:(?:who\s+)?(?:is|are|was|were|remains?|remained)\s+)?"
        r"(?:still\s+)?(?:at\s+large|on\s+the\s+run)\b", re.I)),
]


def _sentences(text: str):
    for m in _SENT_RE.finditer(text):
        yield m.start(), m.group(0)


def responsibility(text: str) -> list[tuple[dict, int, int]]:
    """({"by": who as said, "how": channel or None}, start, end) for each claim of responsibility."""
    out = []
    # the pattern tries up to seven words before every position; a text (or sentence) without
    # the word it needs cannot match, and skipping it was the largest single cost of extraction
    if not _NEEDED_WORD_RE.search(text):
        return out
    for s_start, sentence in _sentences(text):
        if not _NEEDED_WORD_RE.search(sentence):
            continue
        for m in _CLAIMED_RE.finditer(sentence):
            who = re.sub(r"^(?:.*\b(?:and|but|that|which|when|after|as|while|since)\s+)", "", m.group("who")).strip()
            who = re.sub(r"^(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?(?:group|organi[sz]ation|movement)\s+"
                         r"(?:calling\s+itself|called|known\s+as|named)\s+", "", who, flags=re.I)
            how = _HOW_RE.search(m.group("rest"))
            value = {"by": who, "how": how.group("how") if how else None}
            if _NOBODY_RE.match(who):
                value = {"by": None, "how": None, "none": True}  # "No group has claimed responsibility"
            out.append((value, s_start + m.start(), s_start + m.end()))
    return out


def resolve_anaphors(claims) -> None:
    """Name the group of "the same group claimed responsibility" after the claim of
    responsibility the article made last before it (in any of its incidents): the claim keeps
    its quote, and its value says the name and that it was resolved. ``claims``: one article's."""
    named = sorted((c for c in claims if c.field == "responsibility" and c.value.get("by")
                    and not ANAPHOR_RE.match(c.value["by"])), key=lambda c: c.start)
    for c in claims:
        if c.field == "responsibility" and c.value.get("by") and ANAPHOR_RE.match(c.value["by"]):
            before = [n for n in named if n.start < c.start]
            if before:
                c.value = dict(c.value, by=before[-1].value["by"], said=c.value["by"])


def responses(text: str) -> list[tuple[dict, int, int]]:
    """({"kind", "detail", "denied", ...}, start, end) for each official response the text reports."""
    out = []
    for s_start, sentence in _sentences(text):
        denied = bool(_DENIED_RE.search(sentence))
        for kind, pattern in _RESPONSES:
            for m in pattern.finditer(sentence):
                value = {"kind": kind, "detail": m.group(0).strip(), "denied": denied}
                level = m.groupdict().get("level") or m.groupdict().get("level2")
                if kind == "threat_level" and level:
                    value["level"] = level.lower()
                if kind in ("arrests", "at_large"):
                    said = next((m.group(g) for g in ("count", "count2", "count3", "count4")
                                 if m.groupdict().get(g)), None)
                    said = {"a": "one", "an": "one"}.get(said.lower(), said) if said else None
                    said = re.sub(r"\s+(?:more|other|further|additional)$", "", said) if said else None  # "three more men"
                    count = parse_count(said) if said else None
                    value["count"] = count.best if count else None
                out.append((value, s_start + m.start(), s_start + m.end()))
    return out
