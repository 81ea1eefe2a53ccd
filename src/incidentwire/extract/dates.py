"""Find the dates an article states and resolve them against its publication date.

Stage: article text + publication date -> [DateMention]. Compiled regular expressions and the
stdlib only (no spaCy, no dateutil): dateutil's fuzzy parser finds one date per string and
invents missing parts from today, while we need every mention, its evidence span, its
precision (day / month / year), the rule that resolved it and whether we had to guess.

Recognised, case-insensitively (lower-case MUC-4 text and all-caps wires work):

absolute    "July 18, 2016", "18 July 2016", "2016-07-18", "10 JAN 90", "March 2011" (month),
            "in 2011" (year; needs a lead-in word such as in/since/during/by/until).
            A two-digit year takes the century that puts it nearest at or before the
            publication year (this year when unknown).
yearless    "November 12", "12 november", "the 12th of November": the publication year;
            when that lands after publication, the year before (rule gets "+previous-year").
month-name  "in June", "since May", "mid-July", "early March", "in August and September",
            "last June": a month name after a lead-in or a modifier (early/late/mid/last), so
            that "may" the verb and "march" the noun are not months; "may" is never a month
            before "be", "have", "not", ... Year as for yearless; "last June" is the most
            recent June strictly before the publication month.
weekday     "on Monday", "late on Tuesday", "Monday night", "last Friday": the most recent
            such day on or before publication ("last": strictly before). Skipped after
            next/coming/following/every, and when it just introduces a date ("Monday, July 18").
relative    day:   yesterday, today, tonight, this morning, last night (publication - 1),
                   the day before yesterday, N days ago.
            week:  last week (publication - 7), this week (its Monday), N weeks ago, the
                   weekend (the Saturday on or before publication). A week is not a day, so
                   these are pinned to one day and always uncertain=True.
            month: last month / late last month, this month / earlier this month, N months ago.
            year:  last year, this year, N years ago.

Anchoring. A day-precise publication date resolves everything. With a month- or year-precise
one, day-level expressions (weekdays, yesterday, last week ...) resolve to the publication
month or year with uncertain=True. A resolved date never lands after the publication date (the
last day of its month or year when imprecise): absolute dates that do (page furniture, a wrong
publication date) are dropped. Without a publication date, yearless and month-name mentions
take infer_reference_year(text), uncertain=True, rule "...+year-inferred-from-text"; weekdays
and relative expressions (and yearless ones when the text states no year) are left out of
find_dates and listed by find_unresolved(text).

Limits. Expressions relative to another event ("two days later", "the next day") are not
resolved; ranges give their last day ("5-7 July" -> 7 July; "July 5-7" -> July 5); seasons,
holidays, numeric day/month forms ("18/07/2016", order ambiguous) and "the August sweeps" (month
name without lead-in) are not read. "Today" right after a capitalised word ("Kazakhstan Today")
is taken for a title, but not in all-caps text. Times ("11 am (0500 GMT)"), amounts
("16.6 million") and ages ("a 27-year-old") are not dates.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from incidentwire.errors import InputError

__all__ = ["Published", "DateMention", "find_dates", "find_unresolved", "infer_reference_year"]

_PUBLISHED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Published:
    """The article's publication date as known: "YYYY-MM-DD", "YYYY-MM", "YYYY" or None."""

    value: str | None = None

    def __post_init__(self) -> None:
        if self.value is None:
            return
        match = _PUBLISHED.fullmatch(self.value) if isinstance(self.value, str) else None
        try:
            if match is None:
                raise ValueError
            year, month, day = (int(g) if g else None for g in match.groups())
            date(year, month or 1, day or 1)
        except ValueError:
            raise InputError(
                f"publication date {self.value!r} is not a real YYYY-MM-DD, YYYY-MM or YYYY date; "
                "pass None when it is unknown"
            ) from None

    @classmethod
    def parse(cls, s: str | date | Published | None) -> Published:
        """Read a publication date; ISO timestamps ("2016-07-18T10:02Z") keep their date part."""
        if isinstance(s, Published):
            return s
        if isinstance(s, date):
            return cls(s.isoformat()[:10])
        if s is None or not str(s).strip():
            return cls(None)
        s = str(s).strip()
        stamp = re.match(r"(\d{4}-\d{2}-\d{2})[T ]", s)
        return cls(stamp.group(1) if stamp else s)

    @property
    def precision(self) -> str | None:
        return None if self.value is None else ("year", "month", "day")[self.value.count("-")]


@dataclass(frozen=True)
class DateMention:
    """A date stated in the text, resolved to "YYYY-MM-DD", "YYYY-MM" or "YYYY"."""

    start: int
    end: int
    text: str
    value: str
    precision: str
    rule: str
    uncertain: bool


# --- patterns ------------------------------------------------------------------------------
_NOT_VERB = (r"(?!\s+(?:be|been|have|has|had|not|also|well|never|still|soon|yet|need|want|take|"
             r"face|seek|help|lead|continue|remain|come|go|get|make|become|cause|prove|affect|"
             r"include|result|appear|seem|try|turn|use|see|say|give|apply|happen|occur|return|"
             r"die|rise|fall|strike|attack|know|well|or\s+may)\b)")
_MON = (rf"(?:(?:january|february|march|april|june|july|august|september|october|november|"
        rf"december)\b|may\b{_NOT_VERB}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?)")
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
# What must not follow a day or a year for it to be one: decimals, times, amounts, ages.
_NUM_TAIL = (r"(?![.,:]\d|\s*(?:%|-year|-month|-day)|\s*(?:percent|per\s+cent|million|billion|"
             r"thousand|hundred|am|pm|a\.m|p\.m|gmt|utc|hrs|hours|local)\b)")
_COUNT_TAIL = (r"(?!\s*(?:people|persons|men|women|children|soldiers|troops|police|officers|"
               r"civilians|residents|members|fighters|militants|km|kilometres|kilometers|miles|"
               r"metres|meters|dollars|euros|tonnes|tons)\b)")
_FLAGS = re.IGNORECASE | re.MULTILINE | re.VERBOSE
_ISO = re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])")
_MDY = re.compile(rf"\b(?P<m>{_MON})\s+{_DAY},?\s+(?P<y>\d{{4}})\b", _FLAGS)
_DMY = re.compile(rf"""(?<![\d.,$£€])\b{_DAY}\s+(?:of\s+)?(?P<m>{_MON}),?\s+
                   (?P<y>\d{{4}}\b|\d{{2}}\b(?=\s*(?:[(\[,.;:)\-–—]|$)))""", _FLAGS)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_MON}),?\s+(?P<y>\d{{4}})\b{_NUM_TAIL}{_COUNT_TAIL}", _FLAGS)
_YEAR = re.compile(rf"""\b(?:in|since|during|throughout|until|till|by|before|after|from|between)\s+
                    (?P<e>(?:(?:early|late|mid)[\s-]+)?(?P<y>(?:19|20)\d\d))\b{_NUM_TAIL}{_COUNT_TAIL}""",
                   _FLAGS)
_MD = re.compile(rf"\b(?P<m>{_MON})\s+{_DAY}\b{_NUM_TAIL}", _FLAGS)
_DM = re.compile(rf"(?<![\d.,$£€-])\b{_DAY}\s+(?:of\s+)?(?P<m>{_MON})", _FLAGS)
_MONTH_LIST = re.compile(rf"""
    (?:\b(?P<lead>in|on|since|during|throughout|until|till|by|before|after|from|between|
        (?:end|beginning|start|middle)\s+of)\s+)?
    (?P<e>(?P<mod>\b(?:early|late|last)\s+|\bmid[\s-])?(?P<m>{_MON})
          (?:\s*(?:,|and|or|to|through|until|-|–)\s*{_MON})*)""", _FLAGS)
_MON_ONLY = re.compile(_MON, _FLAGS)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(rf"""\b(?P<e>(?:(?P<last>last|this\s+past|past)\s+)?(?P<w>{'|'.join(_WEEKDAYS)})
    (?:\s+(?:morning|afternoon|evening|night))?)\b""", _FLAGS)
_NOT_PAST = re.compile(r"(?:next|coming|following|every|each|until|till)\s+$", re.IGNORECASE)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_RELATIVE = re.compile(rf"""\b(?:
     (?P<dby>the\s+day\s+before\s+yesterday)
    |(?P<yesterday>yesterday|last\s+night)
    |(?P<today>(?:earlier\s+)?today|tonight|this\s+(?:morning|afternoon|evening))
    |(?P<ago>(?P<n>\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})\s+(?P<unit>day|week|month|year)s?\s+ago)
    |(?P<lastweek>(?:(?:early|late|earlier|later)\s+)?last\s+week)
    |(?P<thisweek>(?:earlier\s+)?this\s+week)
    |(?P<weekend>(?:(?:at|over|during|on)\s+the|last|this\s+past)\s+weekend)
    |(?P<lastmonth>(?:(?:early|late|earlier|later)\s+(?:in\s+)?)?last\s+month)
    |(?P<thismonth>(?:(?:early|earlier)\s+(?:in\s+)?)?this\s+month)
    |(?P<lastyear>(?:(?:early|late|earlier|later)\s+(?:in\s+)?)?last\s+year)
    |(?P<thisyear>(?:(?:early|earlier)\s+(?:in\s+)?)?this\s+year))\b""", _FLAGS)


def _month(word: str) -> int:
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
            "dec"].index(word[:3].lower()) + 1


def _day_ok(month: int, day: int) -> bool:
    return 1 <= day <= calendar.monthrange(2000, month)[1]  # 2000: leap, so 29 February passes


def _hits(text: str) -> list[tuple[str, int, int, tuple]]:
    """Every date expression as (kind, start, end, parts), earlier patterns winning overlaps."""
    hits: list[tuple[str, int, int, tuple]] = []

    def claim(kind: str, start: int, end: int, parts: tuple) -> None:
        if not any(start < e and s < end for _, s, e, _ in hits):
            hits.append((kind, start, end, parts))

    for pattern in (_ISO, _MDY, _DMY):
        for m in pattern.finditer(text):
            month = int(m["m"]) if m["m"].isdigit() else _month(m["m"])
            if 1 <= month <= 12 and _day_ok(month, int(m["d"])):
                claim("absolute", m.start(), m.end(), (m["y"], month, int(m["d"])))
    for m in _MONTH_YEAR.finditer(text):
        claim("absolute", m.start(), m.end(), (m["y"], _month(m["m"]), None))
    for m in _YEAR.finditer(text):
        claim("absolute", m.start("e"), m.end("e"), (m["y"], None, None))
    for pattern in (_MD, _DM):
        for m in pattern.finditer(text):
            month = _month(m["m"])
            if _day_ok(month, int(m["d"])):
                claim("yearless", m.start(), m.end(), (month, int(m["d"])))
    for m in _RELATIVE.finditer(text):
        if m["today"] and m[0] == "Today" and re.search(r"[A-Z][A-Za-z]+\s+$", text[:m.start()]):
            continue  # a title: "Kazakhstan Today", "USA Today"
        kind = next(k for k, v in m.groupdict().items() if v and k not in ("n", "unit"))
        if kind == "ago":
            n = m["n"].lower()
            kind, parts = m["unit"].lower() + "s-ago", (int(n) if n.isdigit() else _NUMBER_WORDS[n],)
        else:
            parts = ()
        claim(kind, m.start(), m.end(), parts)
    for m in _MONTH_LIST.finditer(text):
        if not (m["lead"] or m["mod"]):
            continue
        for i, mon in enumerate(_MON_ONLY.finditer(text, m.start("m"), m.end("e"))):
            start = m.start("e") if i == 0 else mon.start()
            last = i == 0 and (m["mod"] or "").strip().lower() == "last"
            claim("month-name", start, mon.end(), (_month(mon[0]), last))
    for m in _WEEKDAY.finditer(text):
        if _NOT_PAST.search(text[max(0, m.start() - 20):m.start()]):
            continue
        after = m.end() + len(re.match(r"[\s,(]*", text[m.end():m.end() + 4])[0])
        if any(s == after for _, s, _, _ in hits):
            continue  # "Monday, July 18, 2016": the date says it
        claim("weekday", m.start("e"), m.end("e"), (_WEEKDAYS.index(m["w"].lower()), bool(m["last"])))
    return sorted(hits, key=lambda h: h[1])


def _full_year(digits: str, not_after: int) -> int:
    if len(digits) == 4:
        return int(digits)
    return max(c + int(digits) for c in (1800, 1900, 2000, 2100) if c + int(digits) <= not_after)


def _reference_year(hits: list[tuple[str, int, int, tuple]]) -> int | None:
    this_year = date.today().year
    years = Counter(y for kind, _, _, parts in hits if kind == "absolute"
                    for y in [_full_year(parts[0], this_year)] if 1900 <= y <= this_year + 1)
    return max(years, key=lambda y: (years[y], y)) if years else None


def infer_reference_year(text: str) -> int | None:
    """The year the text itself dates things to, for when the publication date is unknown.

    Counts the years of absolute mentions ("July 18, 2016", "March 2011", "in 2011") between 1900
    and next year; the most frequent wins, ties going to the most recent."""
    return _reference_year(_hits(text))


_DROP = object()  # a date after publication: neither a mention nor unresolved


class _Anchor:
    """Resolves hits against a publication date, or a year inferred from the text."""

    def __init__(self, pub: Published, ref_year: int | None):
        self.pub, self.precision = pub, pub.precision
        if pub.value is None:
            self.year, self.suffix = ref_year, "+year-inferred-from-text"
            return
        y, m, d = (int(p) for p in (pub.value.split("-") + [0, 0])[:3])
        self.year, self.month, self.suffix = y, m, "+published"
        self.upper = date(y, m or 12, d or calendar.monthrange(y, m or 12)[1])

    def absolute(self, digits: str, month: int | None, day: int | None):
        year = _full_year(digits, self.upper.year if self.pub.value else date.today().year)
        if self.pub.value and date(year, month or 1, day or 1) > self.upper:
            return _DROP
        return _format(year, month, day), "absolute", False

    def yearless(self, month: int, day: int):
        """"November 12": publication year, or the year before when that is after publication."""
        if self.year is None:
            return None
        rule, year = "yearless-month-day", self.year
        if self.pub.value and (year, month, day) > (self.upper.year, self.upper.month, self.upper.day):
            year, rule = year - 1, rule + "+previous-year"
        if not (month, day) == (2, 29) or calendar.isleap(year):
            return _format(year, month, day), rule + self.suffix, self.pub.value is None
        return _DROP

    def month_name(self, month: int, strictly_before: bool):
        """"in June": as yearless; "last June" must also be before the publication month."""
        if self.year is None:
            return None
        rule, year, uncertain = "month-name", self.year, self.pub.value is None
        if self.pub.value:
            latest = (self.upper.year, self.upper.month - (1 if strictly_before and self.month else 0))
            if (year, month) > latest:
                year, rule = year - 1, rule + "+previous-year"
            uncertain = strictly_before and not self.month
        return _format(year, month, None), rule + self.suffix, uncertain

    def days_back(self, days: int, rule: str, uncertain: bool = False):
        if self.pub.value is None:
            return None
        if self.precision != "day":
            return self.pub.value, rule + self.suffix, True
        return (self.upper - timedelta(days=days)).isoformat(), rule + self.suffix, uncertain

    def months_back(self, months: int):
        if self.pub.value is None:
            return None
        if not self.month:
            return str(self.year), "relative-month" + self.suffix, True
        index = self.year * 12 + self.month - 1 - months
        return _format(index // 12, index % 12 + 1, None), "relative-month" + self.suffix, False

    def years_back(self, years: int):
        if self.pub.value is None:
            return None
        return str(self.year - years), "relative-year" + self.suffix, False

    def resolve(self, kind: str, parts: tuple):
        if kind == "absolute":
            return self.absolute(*parts)
        if kind == "yearless":
            return self.yearless(*parts)
        if kind == "month-name":
            return self.month_name(*parts)
        weekday = self.upper.weekday() if self.pub.value else 0
        if kind == "weekday":
            back = (weekday - parts[0]) % 7 or (7 if parts[1] else 0)
            return self.days_back(back, "weekday")
        offsets = {"dby": ("day", 2), "yesterday": ("day", 1), "today": ("day", 0),
                   "days-ago": ("day", parts[0] if parts else 0),
                   "lastweek": ("week", 7), "thisweek": ("week", weekday),
                   "weekend": ("week", (weekday - 5) % 7),
                   "weeks-ago": ("week", 7 * parts[0] if parts else 0)}
        if kind in offsets:
            unit, back = offsets[kind]
            return self.days_back(back, f"relative-{unit}", uncertain=unit == "week")
        if kind in ("lastmonth", "thismonth", "months-ago"):
            return self.months_back({"lastmonth": 1, "thismonth": 0}.get(kind, parts and parts[0]))
        return self.years_back({"lastyear": 1, "thisyear": 0}.get(kind, parts and parts[0]))


def _format(year: int, month: int | None, day: int | None) -> str:
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")


def _resolve(text: str, pub: Published) -> tuple[list[DateMention], list[tuple[int, int, str]]]:
    hits = _hits(text)
    anchor = _Anchor(pub, _reference_year(hits) if pub.value is None else None)
    mentions, unresolved = [], []
    for kind, start, end, parts in hits:
        resolved = anchor.resolve(kind, parts)
        if resolved is None:
            unresolved.append((start, end, text[start:end]))
        elif resolved is not _DROP:
            value, rule, uncertain = resolved
            precision = ("year", "month", "day")[value.count("-")]
            mentions.append(DateMention(start, end, text[start:end], value, precision, rule, uncertain))
    return mentions, unresolved


def find_dates(text: str, published: Published | str | None) -> list[DateMention]:
    """Every date the text states, resolved against `published`, sorted by start offset."""
    return _resolve(text, Published.parse(published))[0]


def find_unresolved(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the mentions find_dates(text, None) leaves out: weekdays and
    relative expressions, and yearless dates when the text states no year."""
    return _resolve(text, Published(None))[1]
