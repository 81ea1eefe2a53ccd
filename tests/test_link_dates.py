"""Dates the linker trusts as news (link package docstring, point 7): a date a report gives for
what happened in the days before it was published tells two close articles apart, keeps a
report from bridging, and keeps two incidents from merging."""

from __future__ import annotations

from incidentwire import link
from incidentwire.link import rules
from incidentwire.records import Claim
from test_link import _linker, _mention

# Two reports told in one outlet-neutral template (as synth's and many wire stories are): their
# words agree closely whatever incident they report.
STORY = ("A bomb exploded at a crowded market in Mandaluyong, killing several people and wounding "
         "dozens, police said. Mayor Carmelita Abalos condemned the attack on the market.")
LOOK_BACK = STORY + " A court convicted the bomber of the 2016 attack on the same market."


def _news(article_id: str, date: str, published: str, text: str = STORY, rule: str = "weekday+published",
          publisher: str | None = None):
    return _mention(article_id, date=date, city="Mandaluyong", country="Philippines", atype="bombing_explosion",
                    published=published, publisher=publisher or f"outlet-{article_id}", text=text, date_rule=rule)


def test_a_weekday_date_on_the_publication_day_dates_the_event_not_the_page():
    """A day named only at the top of a page and equal to its publication day may be the dateline
    ("Posted: April 10, 2007"); "on Monday" never is."""
    for rule, trusted in (("weekday+published", True), ("relative-day+published", True), ("absolute", False)):
        m = _news("a", "2018-03-26", "2018-03-26", rule=rule)
        m.claims = [Claim(field=c.field, value=c.value, start=20, end=30, quote="", extractor="test",
                          article_id="a") for c in m.claims]
        date = rules.linking_date({"date": {"value": "2018-03-26", "precision": "day", "rule": rule}}, [m])
        assert (date["rule"] != "publication-date") is trusted, rule


def test_close_articles_that_date_news_weeks_apart_are_two_incidents():
    """Dates more than ``HARD_DATE_CONFLICT_DAYS`` apart only cost two close articles points
    (one may be a background date), unless each report dates news of its own days."""
    lk = _linker()
    first, _ = lk.link(_news("a1", "2018-02-08", "2018-02-09"))
    again, _ = lk.link(_news("a2", "2018-02-08", "2018-02-10"))
    assert again == first  # one bombing, two outlets
    later, _ = lk.link(_news("a3", "2018-03-25", "2018-03-26"))
    assert later != first  # the words agree as closely, but each dates news of its own day


def test_a_report_that_looks_back_keeps_the_softened_date_conflict():
    """A report naming an earlier year may date a trial or an arrest, not its incident: two close
    articles then still link, the date conflict costing points (point 5)."""
    lk = _linker()
    first, _ = lk.link(_news("a1", "2018-02-08", "2018-02-09"))
    trial, score = lk.link(_news("a2", "2018-03-25", "2018-03-26", text=LOOK_BACK))
    assert trial == first and score is not None
    reports = [("2018-03-26", link.mention_terms(_news("x", "2018-03-25", "2018-03-26", text=LOOK_BACK)))]
    assert not rules.fresh({"value": "2018-03-25", "precision": "day", "rule": "absolute"}, reports)


def test_incidents_dated_as_news_weeks_apart_are_neither_bridged_nor_merged():
    lk = _linker()
    a, _ = lk.link(_news("a1", "2018-02-08", "2018-02-09"))
    b, _ = lk.link(_news("a2", "2018-03-25", "2018-03-26"))
    assert a != b
    # a report dated only by its publication day scores highly against both (close words, a
    # softened date conflict with one), but bridges only the incident its date fits
    dateline = {"value": "2018-03-26", "precision": "day", "rule": "publication-date"}
    assert rules.bridge_dates_fit(dateline, lk.by_id[b]) and not rules.bridge_dates_fit(dateline, lk.by_id[a])
    assert not lk._merge(a, b) and not lk.merged


def test_a_date_read_from_last_week_fits_the_days_around_it():
    week = {"value": "2007-04-03", "precision": "day", "rule": "relative-week+published"}
    day = {"value": "2007-04-09", "precision": "day", "rule": "absolute"}
    assert rules.date_points(week, day) == 0.0 and rules.date_points(day, week) == 0.0
    assert rules.date_points(dict(week, rule="absolute"), day) is None  # two days: a cannot-link
    assert rules.date_points(week, dict(day, value="2007-04-12")) is None  # beyond the week
