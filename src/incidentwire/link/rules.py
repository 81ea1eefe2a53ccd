"""The linker's rules: when a mention and a known incident cannot be one incident, and the
points a compatible pair earns from dates, places, attack type, perpetrators, tolls and words
(see the package docstring, points 2 to 5, for the rules and how their constants were tuned).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..extract.dates import iso_day
from ..extract.incidents import dates_compatible
from ..records import Mention
from .words import named_years

if TYPE_CHECKING:
    from .known import Candidate

TEXT_POINTS = 22.0
MAIN_WINDOW_DAYS = 7
SOFT_CONFLICT_POINTS = 1.0
# between reports of violent incidents the words do not add points: many attacks of one kind in
# one city read alike (MUC-4 dev micro F1 0.244 at 0, 0.240 at 0.5, 0.232 at 2 points)
ON_TOPIC_TEXT_POINTS = 0.0
UNDATED_TEXT_MIN = 0.35
ARTICLE_TEXT_MIN = 0.2
ARTICLE_PLACE_CONFLICT_POINTS = 2.0
ARTICLE_DATE_CONFLICT_POINTS = 2.0
HARD_DATE_CONFLICT_DAYS = 31
UNDATED_PLACE_MIN = 3.0    # place_points of the same city
UNDATED_TOLL_MIN = 0.5     # toll_points of the same stated death toll
DATELINE_CHARS = 200
# two articles written YEAR_GAP or more years apart are rarely about one incident: their words
# then count YEAR_CONFLICT_POINTS less (package docstring, point 6)
YEAR_GAP = 3
YEAR_CONFLICT_POINTS = 3.0
# a main report about someone the incident's reports never name, recalling their subject
# (words.WordSimilarity.subject_missing), where the words decide (package docstring, point 8)
NAME_CONFLICT_POINTS = 4.0


def date_points(mdate: dict | None, cdate: dict | None) -> float | None:
    """None when the two dates cannot be one incident; else 2 (same day), 1 (compatible) or 0
    (a date unknown). A date known only from the publication date fits an incident up to
    ``MAIN_WINDOW_DAYS`` before (or, for another undated report, around) it."""
    a, b = (mdate or {}).get("value"), (cdate or {}).get("value")
    if not a or not b:
        return 0.0
    a_pub, b_pub = (mdate or {}).get("rule") == "publication-date", (cdate or {}).get("rule") == "publication-date"
    if a_pub or b_pub:
        da, db = iso_day(a), iso_day(b)
        if da is None or db is None:
            return 0.0 if dates_compatible(a[:7], b[:7]) else None
        gap = (da - db).days if a_pub and not b_pub else (db - da).days if b_pub and not a_pub else abs((da - db).days)
        return 0.0 if -1 <= gap <= MAIN_WINDOW_DAYS or (a_pub and b_pub and abs(gap) <= MAIN_WINDOW_DAYS) else None
    if not dates_compatible(a, b):
        # "last week" names a week, not a day: it fits any day of the 7 around it
        weekly = any(str((d or {}).get("rule", "")).startswith("relative-week") for d in (mdate, cdate))
        da, db = iso_day(a), iso_day(b)
        return 0.0 if weekly and da and db and abs((da - db).days) <= 7 else None
    return 2.0 if a == b and len(a) == 10 else 1.0


def _days_apart_within(a: dict | None, b: dict | None, days: int) -> bool:
    """Two day-precise dates of the text (not publication dates), different but at most ``days``
    apart: two incidents of one kind days apart, which no similarity of words may merge."""
    if any((d or {}).get("rule") == "publication-date" for d in (a, b)):
        return False
    da, db = iso_day((a or {}).get("value")), iso_day((b or {}).get("value"))
    return da is not None and db is not None and abs((da - db).days) <= days


def fresh(date: dict | None, reports: list[tuple[str | None, Mapping[str, int]]]) -> bool:
    """Whether some report (publication day, words) dates the incident as news: a date read
    from the text (not guessed from publication) in the ``MAIN_WINDOW_DAYS`` before (or the day
    after) the report was published, by a report that names no earlier year. A report that
    names one looks back ("convicted of a 2010 rampage", "killed on Oct. 21, 2011"): its date
    may be a trial's or an arrest's."""
    if not date or date.get("rule") == "publication-date":
        return False
    day = iso_day(date.get("value"))
    if day is None:
        return False
    return any(p and (pd := iso_day(p)) is not None and -1 <= (pd - day).days <= MAIN_WINDOW_DAYS
               and not _names_year_before(terms, day.year) for p, terms in reports)


def _names_year_before(terms: Mapping[str, int], year: int) -> bool:
    return any(1900 <= y < year for y in named_years(terms))


def fresh_dates_conflict(a: dict | None, a_reports: list[tuple[str | None, Mapping[str, int]]], b: dict | None,
                         b_reports: list[tuple[str | None, Mapping[str, int]]]) -> bool:
    """Two dates that cannot be one day, each given as news by a report (``fresh``): two
    incidents, however alike their reports read. ``*_reports``: (publication day, words)."""
    return fresh(a, a_reports) and fresh(b, b_reports) and date_points(a, b) is None


def reports_of(cand: Candidate) -> list[tuple[str | None, Mapping[str, int]]]:
    """(publication day, words) of each report of an incident, as ``fresh`` reads them."""
    return list(zip((m.published for m in cand.mentions), cand.terms))


def bridge_dates_fit(mdate: dict | None, cand: Candidate) -> bool:
    """Whether a report may bridge (merge) an incident it scores highly against: its date fits
    the incident's, or the incident is not dated as news (``fresh``). A report whose date conflict
    was only softened because the words agree (two close articles) is no evidence that an
    incident dated as news elsewhere is the one it reports (synthetic corpus: such bridges
    merged incidents of one city a year apart)."""
    return date_points(mdate, cand.date) is not None or not fresh(cand.date, reports_of(cand))


def _within_year_before(event_date: str, published: str | None) -> bool:
    return bool(published) and int(published[:4]) - 1 <= int(event_date[:4]) <= int(published[:4])


def _undated_fits(mdate: dict | None, published: str | None, cdate: dict | None,
                  cand_mentions: list[Mention]) -> bool:
    """A report that does not date its incident ("the attack in Aktobe") is about a recent
    one: the incident must be dated within the year before the report was published (and
    the other way round). Two undated reports are never linked on facts alone."""
    m, c = (mdate or {}).get("value"), (cdate or {}).get("value")
    if m and c:
        return True
    if c:
        return _within_year_before(c, published)
    if m:
        return any(_within_year_before(m, x.published) for x in cand_mentions)
    return False


def linking_date(fields: dict, mentions: list[Mention]) -> dict | None:
    """The reconciled date as the linker trusts it: a day that only ever came from the top of
    reports published that same day may be their dateline ("Posted: April 10, 2007") rather
    than the event, so it is held to the publication window like a date guessed from
    publication."""
    date = fields.get("date")
    if not date or date.get("precision") != "day" or date.get("rule") == "publication-date":
        return date
    givers = [(m, c) for m in mentions for c in m.claims
              if c.field == "date" and c.value.get("value") == date["value"]]
    # "on Monday", "yesterday" date the event from the publication day; a dateline names its day
    if any(str(c.value.get("rule", "")).startswith(("weekday", "relative")) for _, c in givers):
        return date
    if givers and all(m.published == date["value"] and c.start < DATELINE_CHARS for m, c in givers):
        return dict(date, rule="publication-date")
    return date


def place_points(ml: dict, cl: dict) -> float | None:
    """None for different cities or countries; else 3 same city, 1 same admin1, 0.5 same
    country."""
    if ml.get("country") and cl.get("country") and ml["country"] != cl["country"]:
        # a country alone is often the article's main country, not the incident's place:
        # it costs points; two different countries at city or admin1 level forbid the link
        return None if (ml.get("name") or ml.get("admin1")) and (cl.get("name") or cl.get("admin1")) \
            else -SOFT_CONFLICT_POINTS
    if ml.get("name") and cl.get("name"):
        return 3.0 if ml["name"] == cl["name"] else None
    if ml.get("admin1") and ml.get("admin1") == cl.get("admin1"):
        return 1.0
    return 0.5 if ml.get("country") and ml.get("country") == cl.get("country") else 0.0


def toll_points(mention: Mention, mf: dict, cf: dict) -> float:
    """Tolls rise as reports come in and rarely fall: the same toll fits, a much lower toll in a
    later report than an earlier report gave does not."""
    mk, ck = (mf.get("killed") or {}).get("best"), (cf.get("killed") or {}).get("best")
    if mk is None or ck is None:
        return 0.0
    # a toll no report states ("none reported") is no evidence that two reports agree
    if not ((mf.get("killed") or {}).get("stated", True) and (cf.get("killed") or {}).get("stated", True)):
        return 0.0
    if mk == ck:
        return 0.5
    earlier = [r["killed"] for r in cf.get("toll_history", [])
               if r["killed"] is not None and (r["published"] or "") <= (mention.published or "")]
    if earlier and mk < 0.5 * max(earlier) and max(earlier) - mk >= 3:
        return -1.0
    return 0.0


VICTIMS_CONFLICT_MAX_HURT = 2


def victims_conflict(mf: dict, cf: dict) -> bool:
    """Both sides name their victims in full (two words or more), share none, and count at most
    ``VICTIMS_CONFLICT_MAX_HURT`` killed and injured each: two shootings of one town, told alike
    by one outlet ("INDIANAPOLIS, Ind. - ... Metro police ..."), are two incidents when they name
    different people. Reports of an attack with more victims than that often each name a
    different one of them, so they are left to the other rules."""
    def named(fields: dict) -> set[str]:
        return {v.lower() for v in fields.get("victims") or [] if isinstance(v, str) and len(v.split()) >= 2}

    def hurt(fields: dict) -> float:
        return sum(((fields.get(k) or {}).get("best") or 0) for k in ("killed", "injured"))

    mine, theirs = named(mf), named(cf)
    return (bool(mine) and bool(theirs) and not mine & theirs
            and max(hurt(mf), hurt(cf)) <= VICTIMS_CONFLICT_MAX_HURT)


def _whole_articles(mention: Mention, cand: Candidate) -> bool:
    """Two whole articles (main incidents) are compared word for word: see the module doc, 5."""
    return mention.role == "main" and any(x.role == "main" for x in cand.mentions)


def _on_topic_pair(mention: Mention, cand: Candidate) -> bool:
    return mention.on_topic and any(x.on_topic for x in cand.mentions)


def words_decide(mention: Mention, cand: Candidate, similarity: float) -> bool:
    """Whether ``link_score`` counts the words' own points (the cosine's, less the year and name
    conflicts): for an off-topic pair, or two whole articles agreeing at ``ARTICLE_TEXT_MIN``
    (one story); elsewhere facts decide and the conflicts change nothing. The linker judges the
    name conflict (words.WordSimilarity.subject_missing) only then: judged for every candidate,
    it cost as much as the cosines on a 20k-article store (most candidates there are read from
    their link cards, whose words it had to unpack), and its answer was mostly unused."""
    return not _on_topic_pair(mention, cand) or (_whole_articles(mention, cand) and similarity >= ARTICLE_TEXT_MIN)


def link_score(mention: Mention, mf: dict, cand: Candidate, similarity: float,
               years_apart: int | None = None, terms: Counter | None = None,
               subject_missing: bool = False) -> float | None:
    """Link score of a mention (with its own reconciled fields ``mf``) against a candidate whose
    reports' words agree with the mention's by ``similarity`` (TF-IDF cosine, average link) and
    which were written ``years_apart`` from it (None: unknown); None when a cannot-link rule
    forbids it. ``terms``: the mention's words (words.mention_terms)."""
    terms = Counter() if terms is None else terms
    cf = cand.fields
    whole = _whole_articles(mention, cand)
    text = TEXT_POINTS * similarity
    # where the words decide (an off-topic side, two close articles), so does the year they
    # were written in: two events of one kind years apart share most of their words
    words = text - (YEAR_CONFLICT_POINTS if mention.role == "main" and years_apart is not None
                    and years_apart >= YEAR_GAP else 0.0) - (NAME_CONFLICT_POINTS if subject_missing else 0.0)
    place = place_points(mf.get("location") or {}, cf.get("location") or {})
    date = date_points(mf.get("date"), cand.date)
    if not _on_topic_pair(mention, cand):
        # an off-topic article's places and dates are weak evidence (the extractor reads
        # violent incidents): the words decide, and a conflict only costs points
        return words - SOFT_CONFLICT_POINTS * ((place is None) + (date is None))
    same_story = whole and similarity >= ARTICLE_TEXT_MIN
    if same_story:
        # two close articles: one may have misread the place, or dated the incident by a
        # background date (an earlier attack, a trial): a conflict costs points instead
        place = -ARTICLE_PLACE_CONFLICT_POINTS if place is None else place
        if date is None and not _days_apart_within(mf.get("date"), cand.date, HARD_DATE_CONFLICT_DAYS) \
                and not fresh_dates_conflict(mf.get("date"), [(mention.published, terms)], cand.date,
                                             reports_of(cand)):
            date = -ARTICLE_DATE_CONFLICT_POINTS
    if place is None or date is None or victims_conflict(mf, cf):
        return None
    total = date + place
    mt, ct = mf.get("attack_type"), cf.get("attack_type")
    if mt and mt != "unknown" and mt == ct:
        total += 1.0
    if {p.lower() for p in mf.get("perpetrators", [])} & {p.lower() for p in cf.get("perpetrators", [])}:
        total += 1.0
    toll = toll_points(mention, mf, cf)
    total += toll
    if _undated_fits(mf.get("date"), mention.published, cand.date, cand.mentions):
        return total + (words if same_story else min(text, ON_TOPIC_TEXT_POINTS))
    # the dates do not place the two reports together (neither dates the incident, or one
    # does and the other has no publication date to hold it to): the facts cannot tell two
    # attacks of one kind in one place apart, so both must name the same city and the same
    # death toll, and their words must agree closely; or they are two whole articles whose
    # words alone agree closely enough
    agree = similarity >= UNDATED_TEXT_MIN and place >= UNDATED_PLACE_MIN and toll >= UNDATED_TOLL_MIN
    if same_story:
        return total + words
    return total + text if agree else None
