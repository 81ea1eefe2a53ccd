"""Role-filler lexicon learned by counting on MUC-4 train: the phrases that, where an article
uses them, are usually a perpetrator, victim, physical target or weapon of the attack it reports.

Built by ``incidentwire.train.build_lexicon`` (``make train-lexicon``) from
../shared/eval/muc4/train.jsonl only: every gold mention string of a role (3+ characters) is
counted in the training articles that contain it (``occurs``) and in those where it is a gold
filler of that role (``filler``); a phrase is kept when ``filler / occurs`` and ``filler`` reach
the thresholds stored in the file (chosen on MUC-4 dev). The file
(``models/muc4-lexicon.json``) records the training data SHA-256 and the thresholds.

The span finders here match the kept phrases as whole words, case-insensitively, longest first
(a phrase inside a longer kept phrase is not reported twice). Perpetrator phrases that only
describe people ("two unidentified men") go to ``perpetrator_descriptions``, the rest (groups,
armies, named people, "urban guerrillas") to ``perpetrators`` (see ``extract.groups``).

Limits: the lexicon knows the 1988-90 Latin-American wire of MUC-4 (its groups, its victims'
names); elsewhere it mostly adds generic phrases ("car bomb", "terrorists"). It does not read
the context, so a group named as a speaker is still reported.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from .groups import MODIFIED_NOUN_RE, with_count

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
LEXICON_PATH = MODEL_DIR / "muc4-lexicon.json"
ROLE_FIELD = {"perp_individual": "perpetrators", "perp_org": "perpetrators", "target": "targets",
              "victim": "victims", "weapon": "weapons"}
# people described, not named: MUC-4 codes them as perpetrators, our perpetrator list names actors
_DESCRIPTION = re.compile(r"\b(?:m[ae]n|woman|women|individuals?|persons?|people|youths?|gunm[ae]n|"
                          r"assailants?|attackers?|murderers|criminals|assassins|subjects|elements)\b")


@lru_cache(maxsize=1)
def load(path: Path | None = None) -> dict:
    """The lexicon file: {"roles": {role: {phrase: [filler, occurs]}}, "min_ratio", "min_filler", ...};
    an empty lexicon when the file is absent (a checkout that has not built it)."""
    path = path or LEXICON_PATH
    if not path.exists():
        return {"roles": {}}
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _pattern(field: str) -> re.Pattern | None:
    lex = load()
    phrases = set()
    for role, entries in lex.get("roles", {}).items():
        if ROLE_FIELD.get(role) != field.replace("perpetrator_descriptions", "perpetrators"):
            continue
        ratio, least = lex.get("min_ratio", {}).get(role, 1.0), lex.get("min_filler", {}).get(role, 1)
        basis = 2 if lex.get("ratio_basis", {}).get(role) == "relevant" else 1
        for phrase, counts in entries.items():
            filler = counts[0]
            if filler >= least and filler / counts[basis] >= ratio:
                described = bool(_DESCRIPTION.search(phrase))
                if field == "perpetrators" and described or field == "perpetrator_descriptions" and not described:
                    continue
                phrases.add(phrase)
    if not phrases:
        return None
    return re.compile(rf"(?<!\w)(?:{_by_first_letter(phrases)})(?!\w)", re.I)


def _by_first_letter(phrases: set[str]) -> str:
    """The phrases as one alternation, longest first, grouped under their first letter: Python's
    regex engine tries the branches of an alternation one by one at every position of the text,
    and grouping lets it skip all but one group at once (the same matches, 5x faster on MUC-4)."""
    groups: dict[str, list[str]] = {}
    for p in sorted(phrases, key=len, reverse=True):
        groups.setdefault(p[0].lower(), []).append(p)
    return "|".join(f"{re.escape(first)}(?:{'|'.join(re.escape(p[1:]) for p in ps)})" for first, ps in groups.items())


def finder(field: str):
    """A span finder ``find(text) -> [(phrase, start, end)]`` for one incident field."""
    def find(text: str) -> list[tuple[str, int, int]]:
        pattern = _pattern(field)
        if pattern is None:
            return []
        seen: dict[str, tuple[str, int, int]] = {}
        for m in pattern.finditer(text):
            if field.startswith("perpetrator") and MODIFIED_NOUN_RE.match(text, m.end()):
                continue  # "guerrilla attacks", "terrorist offensive": a modifier, not the actor
            found = with_count(text, m.start(), m.end()) if field == "perpetrator_descriptions" else \
                (m.group(0), m.start(), m.end())
            seen.setdefault(found[0].lower(), found)
        return list(seen.values())
    find.__name__ = f"lexicon_{field}"
    return find
