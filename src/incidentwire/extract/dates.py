"""Find the dates an article states and resolve them against its publication date.

Stage: article text + publication date -> [DateMention] (evidence span, value, precision,
rule, uncertain). Compiled regexes and the stdlib only: dateutil's fuzzy parser reads one date
a string and fills gaps from today. ~2,500 articles/s a core: the regexes run only near stems.
Rules: absolute, yearless-month-day, month-name, weekday, relative-{day,week,month,year}, each
but "absolute" suffixed "+published" or "+year-inferred-from-text" (and "+previous-year" when
the year before publication was taken).

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
            year:  last year, this year, N years ago; with a month before it ("in March last
                   year", "November 12 of this year", "in August and September last year")
                   that month of that year, rule "month-name+relative-year".

Anchoring. A day-precise publication date resolves everything. With a month- or year-precise
one, day-level expressions (weekdays, yesterday, last week ...) resolve to the publication
month or year with uncertain=True. A resolved date never lands after the publication date (the
last day of its month or year when imprecise): absolute dates that do (page furniture, a wrong
publication date) are dropped. Without a publication date, yearless and month-name mentions
take infer_reference_year(text), uncertain=True, rule "...+year-inferred-from-text"; weekdays
and relative expressions (and yearless ones when the text states no year) are left out of
find_dates and listed by find_unresolved(text).

Limits. Expressions relative to another event ("two days later", "the next day") are not
resolved; ranges give one end ("5-7 July" -> 7 July, "July 5-7" -> July 5); seasons, holidays,
numeric day/month forms ("18/07/2016") and month names without a lead-in ("the August sweeps")
are not read; 29 February of a non-leap year is dropped. "Today" after a capitalised word
("Kazakhstan Today") is taken for a title, except in all-caps text. Times ("11 am (0500 GMT)"),
amounts ("16.6 million") and ages ("a 27-year-old") are not dates.
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



def iso_day(value: str | None) -> date | None:
    """The day a YYYY-MM-DD string names; None for anything else (a month, a year, no date)."""
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None

@dataclass(frozen=True)
class Published:
    """The article's publication date as known: "YYYY-MM-DD", "YYYY-MM", "YYYY" or None."""

    value: str | None = None

    def __post_init__(self) -> None:
        match = _PUBLISHED.fullmatch(self.value) if isinstance(self.value, str) else None
        try:
            if self.value is not None:
                date(*(int(g or 1) for g in match.groups()))  # AttributeError: no match
        except (AttributeError, ValueError):
            raise InputError(f"publication date {self.value!r} is not a real YYYY-MM-DD, YYYY-MM "
                             "or YYYY date; pass None when it is unknown") from None

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


# --- patterns (matched against the lower-cased text) ---------------------------------------
_NOT_VERB = (r"(?!\s+(?:be|been|have|has|had|not|also|well|never|still|soon|yet|need|want|take|"
             r"face|seek|help|lead|continue|remain|come|go|get|make|become|cause|prove|affect|"
             r"include|result|appear|seem|try|turn|use|see|say|give|apply|happen|occur|return|"
             r"die|rise|fall|strike|attack|know|well|or\s+may)\b)")
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MON = (rf"(?:(?:{'|'.join(m for m in MONTHS if m != 'may')})\b|may\b{_NOT_VERB}|"
        rf"(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?)")
# What must not follow a day or a year for it to be one: decimals, times, amounts, ages, counts.
_NUM_TAIL = (r"(?![.,:]\d|\s*(?:%|-year|-month|-day)|\s*(?:percent|per\s+cent|million|billion|"
             r"thousand|hundred|am|pm|a\.m|p\.m|gmt|utc|hrs|hours|local)\b)")
_COUNT_TAIL = (r"(?!\s*(?:people|persons|men|women|children|soldiers|troops|police|officers|"
               r"civilians|residents|members|fighters|militants|km|kilometres|kilometers|miles|"
               r"metres|meters|dollars|euros|tonnes|tons)\b)")
_LEADS = (r"in|on|since|during|throughout|until|till|by|before|after|from|between|"
          r"(?:end|beginning|start|middle)\s+of")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}


def _day(name: str) -> str:
    return rf"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"


# Four alternations, each run only on windows around its stems (the stdlib regex engine costs
# ~1 µs a character on a long alternation, and dates are a small part of an article). Within
# one, the first branch that matches at an offset wins, so longer forms ("July 18, 2016") come
# before their parts ("July 18"); each branch ends with its named evidence group (= lastgroup).
_MONTH_RX = re.compile(rf"""
  \b(?P<mdy>(?P<mdy_m>{_MON})\s+{_day('mdy_d')},?\s+(?P<mdy_y>\d{{4}}))\b
 |(?<![\d.,$£€])\b(?P<dmy>{_day('dmy_d')}\s+(?:of\s+)?(?P<dmy_m>{_MON}),?\s+
     (?P<dmy_y>\d{{4}}\b|\d{{2}}\b(?=\s*(?:[(\[,.;:)\-–—]|$))))
 |\b(?P<my>(?P<my_m>{_MON}),?\s+(?P<my_y>\d{{4}}))\b{_NUM_TAIL}{_COUNT_TAIL}
 |\b(?P<md>(?P<md_m>{_MON})\s+{_day('md_d')})\b{_NUM_TAIL}
 |(?<![\d.,$£€-])\b(?P<dm>{_day('dm_d')}\s+(?:of\s+)?(?P<dm_m>{_MON}))
 |(?:\b(?:{_LEADS})\s+|(?=\b(?:early|late|last)\s|\bmid[\s-]))
     (?P<months>(?:(?:early|late|last)\s+|mid[\s-])?{_MON}(?!\.?\s*,?\s*\d)
     (?:\s*(?:,|and|or|to|through|until|-|–)\s*{_MON}(?!\.?\s*,?\s*\d))*)
""", re.MULTILINE | re.VERBOSE)
_YEAR_RX = re.compile(rf"""
  (?<![\d-])(?P<iso>(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}}))(?![\d-])
 |\b(?:{_LEADS})\s+(?P<year>(?:(?:early|late|mid)[\s-]+)?(?P<year_y>(?:19|20)\d\d))\b
   (?![-/]\d){_NUM_TAIL}{_COUNT_TAIL}
""", re.VERBOSE)
_RELATIVE_RX = re.compile(rf"""
  \b(?P<dby>the\s+day\s+before\s+yesterday)\b
 |\b(?P<yesterday>yesterday|last\s+night)\b
 |\b(?P<today>(?:earlier\s+)?today|tonight|this\s+(?:morning|afternoon|evening))\b
 |\b(?P<ago>(?P<n>\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})\s+(?P<unit>day|week|month|year)s?\s+ago)\b
 |\b(?P<lastweek>(?:(?:early|late|earlier|later)\s+)?last\s+week)\b
 |\b(?P<thisweek>(?:earlier\s+)?this\s+week)\b
 |\b(?P<weekend>(?:(?:at|over|during|on)\s+the|last|this\s+past)\s+weekend)\b
 |\b(?P<lastmonth>(?:(?:early|late|earlier|later)\s+(?:in\s+)?)?last\s+month)\b
 |\b(?P<thismonth>(?:(?:early|earlier)\s+(?:in\s+)?)?this\s+month)\b
 |\b(?P<lastyear>(?:(?:early|late|earlier|later)\s+(?:in\s+)?)?last\s+year)\b
 |\b(?P<thisyear>(?:(?:early|earlier)\s+(?:in\s+)?)?this\s+year)\b
""", re.VERBOSE)
_WEEKDAY_RX = re.compile(rf"""\b(?P<wd>(?:(?P<wd_last>last|this\s+past|past)\s+)?
    (?P<wd_w>{'|'.join(WEEKDAYS)})(?:\s+(?:morning|afternoon|evening|night))?)\b""", re.VERBOSE)
_MON_ONLY = re.compile(_MON)
_TITLE_WORD = re.compile(r"[A-Z][A-Za-z]+\s+$")
_NOT_PAST = re.compile(r"(?:next|coming|following|every|each|until|till)\s+$")
# (regex, stems one of which is in every match, characters searched before and after a stem)
_SCANS = [(_YEAR_RX, ("19", "20"), 30, 16), (_MONTH_RX, ("jan", "feb", "mar", "apr", "may", "jun",
           "jul", "aug", "sep", "oct", "nov", "dec"), 30, 30),
          (_RELATIVE_RX, ("yesterday", "today", "tonight", "night", "week", "month", "year", "ago",
                          "morning", "afternoon", "evening"), 30, 12),
          (_WEEKDAY_RX, tuple(WEEKDAYS), 20, 24)]
# Where expressions overlap, the lower rank wins (relative kinds: 2).
_RANK = {"absolute": 0, "yearless": 1, "month-name": 3, "weekday": 4}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _windows(low: str, stems: tuple[str, ...], before: int, after: int) -> list[list[int]]:
    marks = []
    for stem in stems:
        i = low.find(stem)
        while i >= 0:
            marks.append(i)
            i = low.find(stem, i + 1)
    windows: list[list[int]] = []
    for i in sorted(marks):
        if windows and i - before <= windows[-1][1]:
            windows[-1][1] = i + after
        else:
            windows.append([max(0, i - before), i + after])
    return windows


def _month(word: str) -> int:
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
            "dec"].index(word[:3]) + 1


def _day_ok(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]  # 2000: leap


def _read(m: re.Match, text: str) -> list[tuple[str, int, int, tuple]]:
    """The hits one match stands for, as (kind, start, end, parts)."""
    kind, g = m.lastgroup, m.group
    start, end = m.span(kind)
    if kind in ("iso", "mdy", "dmy"):
        y, mon, d = {"iso": ("iy", "im", "id"), "mdy": ("mdy_y", "mdy_m", "mdy_d"),
                     "dmy": ("dmy_y", "dmy_m", "dmy_d")}[kind]
        month = int(g(mon)) if kind == "iso" else _month(g(mon))
        ok = _day_ok(month, int(g(d)))
        return [("absolute", start, end, (g(y), month, int(g(d))))] if ok else []
    if kind in ("my", "year"):
        month = _month(g("my_m")) if kind == "my" else None
        return [("absolute", start, end, (g(kind + "_y"), month, None))]
    if kind in ("md", "dm"):
        month, day = _month(g(kind + "_m")), int(g(kind + "_d"))
        return [("yearless", start, end, (month, day))] if _day_ok(month, day) else []
    if kind == "months":
        last = g(kind).startswith("last")
        months = _MON_ONLY.finditer(m.string, m.start(kind), end)
        return [("month-name", mon.start() if i else start, mon.end(),
                 (_month(mon[0]), last and not i)) for i, mon in enumerate(months)]
    if kind == "wd":
        if _NOT_PAST.search(m.string, max(0, start - 20), start):
            return []
        return [("weekday", start, end, (WEEKDAYS.index(g("wd_w")), bool(g("wd_last"))))]
    if kind == "today" and text[start:end] == "Today":
        if _TITLE_WORD.search(text, max(0, start - 30), start):
            return []  # a title: "Kazakhstan Today", "USA Today"
    if kind == "ago":
        n = g("n")
        return [(g("unit") + "s-ago", start, end, (int(n) if n.isdigit() else _NUMBER_WORDS[n],))]
    return [(kind, start, end, ())]


def _hits(text: str) -> list[tuple[str, int, int, tuple]]:
    """Every date expression in the text as (kind, start, end, parts), in text order."""
    low = text.lower()
    if len(low) != len(text):  # a few non-ASCII letters change length when lower-cased
        low = text.translate(_ASCII_LOWER)
    found = [hit for regex, stems, before, after in _SCANS
             for start, end in _windows(low, stems, before, after)
             for m in regex.finditer(low, start, min(end, len(low))) for hit in _read(m, text)]
    hits: list[tuple[str, int, int, tuple]] = []
    for hit in sorted(found, key=lambda h: (_RANK.get(h[0], 2), h[1])):
        if not any(hit[1] < e and s < hit[2] for _, s, e, _ in hits):
            hits.append(hit)
    hits.sort(key=lambda h: h[1])
    for i, (kind, _, end, _) in enumerate(hits):  # "Monday, July 18, 2016": the date says it
        if kind == "weekday" and i + 1 < len(hits) and hits[i + 1][0] in ("absolute", "yearless"):
            if not low[end:hits[i + 1][1]].strip(" ,("):
                hits[i] = None
    merged: list[tuple[str, int, int, tuple]] = []
    for kind, start, end, parts in (h for h in hits if h):  # "in March last year", "November 12 of this year"
        last = merged[-1] if merged else None
        if kind in ("lastyear", "thisyear") and last and last[0] in ("month-name", "yearless") \
                and _OF_YEAR_GAP.fullmatch(low, last[2], start):
            back, j = int(kind == "lastyear"), len(merged) - 1
            while True:  # "in August and September last year": each month of the list
                k, s, e, p = merged[j]
                merged[j] = ("month-of-year", s, end if j == len(merged) - 1 else e,
                             (p[0], None if k == "month-name" else p[1], back))
                if not (j and merged[j - 1][0] == "month-name" and _MONTH_LIST_GAP.fullmatch(low, merged[j - 1][2], s)):
                    break
                j -= 1
            continue  # the year expression is part of the month's now
        merged.append((kind, start, end, parts))
    return merged


_OF_YEAR_GAP = re.compile(r"\s*,?\s*(?:of\s+)?")
_MONTH_LIST_GAP = re.compile(r"\s*(?:,|and|or|to|through|until|-|–)\s*")


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
        if self.pub.value and (year, month, day) > self.upper.timetuple()[:3]:
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
            latest = (self.upper.year, self.upper.month - bool(strictly_before and self.month))
            if (year, month) > latest:
                year, rule = year - 1, rule + "+previous-year"
            uncertain = strictly_before and not self.month
        return _format(year, month, None), rule + self.suffix, uncertain

    def days_back(self, days: int, rule: str, uncertain: bool = False):
        if self.precision != "day":
            return self.pub.value, rule + self.suffix, True
        return (self.upper - timedelta(days=days)).isoformat(), rule + self.suffix, uncertain

    def months_back(self, months: int):
        if not self.month:
            return str(self.year), "relative-month" + self.suffix, True
        index = self.year * 12 + self.month - 1 - months
        return _format(index // 12, index % 12 + 1, None), "relative-month" + self.suffix, False

    def month_of_year(self, month: int, day: int | None, years: int):
        """"in March last year": that month of the year the relative expression names. Like
        "last year" itself, it needs the publication date (unresolved without one)."""
        if self.pub.value is None:
            return None
        year = self.year - years
        if (year, month, day or 1) > self.upper.timetuple()[:3]:
            return _DROP  # "in December this year", said in May: not yet
        return _format(year, month, day), "month-name+relative-year" + self.suffix, False

    def years_back(self, years: int):
        return str(self.year - years), "relative-year" + self.suffix, False

    def resolve(self, kind: str, parts: tuple):
        if kind == "absolute":
            return self.absolute(*parts)
        if kind == "yearless":
            return self.yearless(*parts)
        if kind == "month-name":
            return self.month_name(*parts)
        if kind == "month-of-year":
            return self.month_of_year(*parts)
        if self.pub.value is None:
            return None  # weekdays and relative expressions need the publication date
        weekday = self.upper.weekday()
        if kind == "weekday":
            back = (weekday - parts[0]) % 7 or (7 if parts[1] else 0)
            return self.days_back(back, "weekday")
        offsets = {"dby": ("day", 2), "yesterday": ("day", 1), "today": ("day", 0),
                   "days-ago": ("day", sum(parts)), "lastweek": ("week", 7),
                   "thisweek": ("week", weekday), "weekend": ("week", (weekday - 5) % 7),
                   "weeks-ago": ("week", 7 * sum(parts))}
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
            mentions.append(DateMention(start, end, text[start:end], value, precision, rule,
                                        uncertain))
    return mentions, unresolved


def find_dates(text: str, published: Published | str | None) -> list[DateMention]:
    """Every date the text states, resolved against `published`, sorted by start offset."""
    return _resolve(text, Published.parse(published))[0]


def find_unresolved(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the mentions find_dates(text, None) leaves out: weekdays and
    relative expressions, and yearless dates when the text states no year."""
    return _resolve(text, Published(None))[1]
