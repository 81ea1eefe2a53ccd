"""Perpetrators: groups that claimed or were blamed for an attack, and named attackers.

Rules over the sentence text (cheap, and they catch what spaCy's small model mislabels: it tags
"Jund al-Khilafah" as PERSON):
- "<Group> claimed responsibility / said it was behind / claimed the attack"
- "a group calling itself <Group>", "blamed on <Group>", "claimed by <Group>"
- "<attacker noun> ... named/identified (by authorities) as <Person>"
A name is a run of capitalised words with the particles al-/el-/bin/ibn/of/the inside it; a
bracketed gloss after it ("(Soldiers of the Caliphate)") is skipped.

Limits: needs capitalisation (lower-case wire text finds nothing yet); pronoun and "the same
group" references are left to cross-article reconciliation.
"""

from __future__ import annotations

import re

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
