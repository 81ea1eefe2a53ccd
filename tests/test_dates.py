"""Date finding and resolution: the seed articles, then one sentence per rule, in mixed case,
lower case (MUC-4) and upper case."""

import json
from pathlib import Path

import pytest

from incidentwire.errors import InputError
from incidentwire.extract.dates import (
    DateMention,
    Published,
    find_dates,
    find_unresolved,
    infer_reference_year,
)

SEEDS = Path("/work/shared/corpus/seeds")
METADATA = Path("/work/shared/corpus/seeds.metadata.jsonl")


def seed(prefix: str) -> tuple[str, str]:
    for line in METADATA.read_text().splitlines():
        record = json.loads(line)
        if record["doc_id"].startswith(prefix):
            return (SEEDS / record["file"]).read_text(), record["published"]
    raise LookupError(prefix)


def values(text: str, published) -> list[tuple[str, str]]:
    return [(m.text, m.value) for m in find_dates(text, published)]


def only(text: str, published) -> DateMention:
    mentions = find_dates(text, published)
    assert len(mentions) == 1, mentions
    return mentions[0]


needs_seeds = pytest.mark.skipif(not METADATA.exists(), reason="shared seed corpus not present")


# --- the seed articles -------------------------------------------------------------------------
@needs_seeds
def test_seed_000_day_precise_publication():
    text, published = seed("000")
    assert published == "2016-07-18"
    assert values(text, published) == [
        ("July 18, 2016", "2016-07-18"),
        ("July 18, 2016", "2016-07-18"),
        ("Monday", "2016-07-18"),
        ("at the weekend", "2016-07-16"),
        ("June 5", "2016-06-05"),
        ("last month", "2016-06"),
    ]
    by_text = {m.text: m for m in find_dates(text, published)}
    assert by_text["Monday"].rule == "weekday+published"
    assert not by_text["Monday"].uncertain
    assert by_text["June 5"].rule == "yearless-month-day+published"
    assert (by_text["last month"].precision, by_text["last month"].rule) == (
        "month", "relative-month+published")
    assert by_text["at the weekend"].uncertain


@needs_seeds
def test_seed_000_spans_point_into_the_text():
    text, published = seed("000")
    for mention in find_dates(text, published):
        assert text[mention.start:mention.end] == mention.text
    # "11 am (0500 GMT)" and "a 27-year-old" / "22-year-old" are not dates
    assert not any("GMT" in m.text or "0500" in m.text for m in find_dates(text, published))


@needs_seeds
def test_seed_003_month_precise_publication():
    text, published = seed("003")
    assert published == "2011-11"
    assert values(text, published) == [
        ("November 8", "2011-11-08"),
        ("June", "2011-06"),
        ("July", "2011-07"),
        ("October 31", "2011-10-31"),
        ("November 9", "2011-11-09"),
        ("August", "2011-08"),
        ("September", "2011-09"),
        ("May", "2011-05"),
    ]
    assert {m.rule for m in find_dates(text, published)} == {
        "yearless-month-day+published", "month-name+published"}


@needs_seeds
def test_seed_004_relative_and_yearless():
    text, published = seed("004")
    mentions = find_dates(text, published)
    assert [(m.text, m.value, m.precision) for m in mentions] == [
        ("November 12", "2011-11-12", "day"),
        ("late last month", "2011-10", "month"),
        ("this year", "2011", "year"),
        ("May", "2011-05", "month"),
        ("November 12", "2011-11-12", "day"),
    ]
    assert "16.6" not in " ".join(m.text for m in mentions)


@needs_seeds
def test_seed_002_drops_dates_after_publication():
    text, published = seed("002")
    found = values(text, published)
    assert ("earlier this month", "2016-07") in found
    assert ("July", "2016-07") in found  # "earlier in July"
    assert ("July 19", "2016-07-19") in found
    assert ("2012", "2012") in found
    # the page's sidebar speaks of 2022-2024: after publication, so not this article's dates
    assert not any(value.startswith("202") for _, value in found)


@needs_seeds
def test_seed_001_has_no_dates():
    text, published = seed("001")
    assert find_dates(text, published) == []


@needs_seeds
def test_seeds_without_publication_date():
    text, _ = seed("000")
    assert infer_reference_year(text) == 2016
    by_text = {m.text: m for m in find_dates(text, None)}
    assert by_text["June 5"].value == "2016-06-05"
    assert by_text["June 5"].uncertain
    assert by_text["June 5"].rule == "yearless-month-day+year-inferred-from-text"
    assert "Monday" not in by_text
    assert [t for _, _, t in find_unresolved(text)] == ["Monday", "at the weekend", "last month"]
    text, _ = seed("003")
    assert infer_reference_year(text) is None
    assert find_dates(text, None) == []
    assert [t for _, _, t in find_unresolved(text)][:3] == ["November 8", "June", "July"]


# --- Published -----------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value, precision", [
    ("2016-07-18", "2016-07-18", "day"), ("2011-11", "2011-11", "month"), ("1990", "1990", "year"),
    (None, None, None), ("", None, None), ("  2016-07-18T10:02:00Z ", "2016-07-18", "day"),
])
def test_published_parse(raw, value, precision):
    published = Published.parse(raw)
    assert (published.value, published.precision) == (value, precision)


@pytest.mark.parametrize("garbage", ["2016-13-45", "yesterday", "2016-02-30", "16-07-18", "2016/07/18"])
def test_published_rejects_garbage(garbage):
    with pytest.raises(InputError, match="publication date"):
        Published.parse(garbage)


def test_find_dates_rejects_garbage_publication_date():
    with pytest.raises(InputError):
        find_dates("on Monday", "next week")


# --- absolute ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("Gunmen attacked on July 18, 2016, police said.", "2016-07-18"),
    ("gunmen attacked on july 18th 2016.", "2016-07-18"),
    ("Gunmen attacked on 18 July 2016.", "2016-07-18"),
    ("GUNMEN ATTACKED ON 18 JULY 2016.", "2016-07-18"),
    ("Posted 2016-07-18 by staff.", "2016-07-18"),
    ("Attacked on Nov. 12, 2011 at dawn.", "2011-11-12"),
    ("The group formed in March 2011.", "2011-03"),
    ("the group formed in 2011 in the west.", "2011"),
    ("It has grown since early 2010.", "2010"),
])
def test_absolute(text, value):
    mention = only(text, "2016-07-20")
    assert (mention.value, mention.rule, mention.uncertain) == (value, "absolute", False)


def test_two_digit_year_dateline():
    text = "bogota, 10 jan 90 (efe) -- [text] on 9 january a bomb exploded."
    assert values(text, "1990-01-10") == [("10 jan 90", "1990-01-10"), ("9 january", "1990-01-09")]
    assert values(text.upper(), None)[0] == ("10 JAN 90", "1990-01-10")
    assert values("LIMA, 5 FEB 03 (AFP) -- NO DATE HERE", "2003-02-05")[0][1] == "2003-02-05"


def test_absolute_after_publication_is_dropped():
    assert find_dates("The trial opens on 5 March 2017.", "2016-07-18") == []
    assert values("Seen on July 19, 2016.", "2016-07") == [("July 19, 2016", "2016-07-19")]


# --- yearless ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, published, value", [
    ("Police said on November 12 that ...", "2011-11-20", "2011-11-12"),
    ("police said on 12 november that ...", "2011-11-20", "2011-11-12"),
    ("POLICE SAID ON NOVEMBER 12 THAT ...", "2011-11-20", "2011-11-12"),
    ("on the evening of November 8 two officers died", "2011-11", "2011-11-08"),
    ("the blast on October 31 killed one", "2011-11", "2011-10-31"),
    ("He was seized on the 3rd of May.", "2011-11-20", "2011-05-03"),
    ("on 9 january a bomb exploded", "1990-01-10", "1990-01-09"),
])
def test_yearless(text, published, value):
    mention = only(text, published)
    assert (mention.value, mention.precision, mention.rule, mention.uncertain) == (
        value, "day", "yearless-month-day+published", False)


def test_yearless_after_publication_takes_previous_year():
    mention = only("The attack on December 28 shocked the city.", "2012-01-03")
    assert (mention.value, mention.rule) == ("2011-12-28", "yearless-month-day+previous-year+published")
    assert only("on 5 january", "1990-01-04").value == "1989-01-05"
    assert only("on December 5", "2011-11").value == "2010-12-05"  # month precision: after Nov


def test_yearless_day_must_exist():
    assert find_dates("on February 30 nothing", "2016-07-18") == []
    assert only("on 29 February", "2012-03-01").value == "2012-02-29"


# --- month name alone ----------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("Two were killed in June.", "2011-06"),
    ("two were killed in june.", "2011-06"),
    ("TWO WERE KILLED IN JUNE.", "2011-06"),
    ("Raids have continued since May.", "2011-05"),
    ("The bombing came in mid-July.", "2011-07"),
    ("The bombing came in early March.", "2011-03"),
    ("It happened late May, police said.", "2011-05"),
    ("Detentions followed in November.", "2011-11"),
])
def test_month_name(text, value):
    mention = only(text, "2011-11-20")
    assert (mention.value, mention.precision, mention.rule) == (value, "month", "month-name+published")


def test_month_name_lists_and_previous_year():
    assert values("40 were detained in August and September.", "2011-11") == [
        ("August", "2011-08"), ("September", "2011-09")]
    mention = only("a wave of arrests in December", "2011-11-15")
    assert (mention.value, mention.rule) == ("2010-12", "month-name+previous-year+published")
    assert only("since last November", "2011-11-15").value == "2010-11"  # "last": strictly before
    assert only("since last May", "2011-11-15").value == "2011-05"


def test_month_of_last_or_this_year():
    # a May 2017 article: "in March last year" is March 2016, not March 2017
    assert values("a similar blow in March last year, when bombers killed 32", "2017-05-23") == [
        ("March last year", "2016-03")]
    assert only("on November 12 of last year", "2017-05-23").value == "2016-11-12"
    assert values("in August and September last year", "2017-05-23") == [
        ("August", "2016-08"), ("September last year", "2016-09")]
    assert only("earlier, in March this year", "2017-05-23").rule == "month-name+relative-year+published"
    assert values("in December this year", "2017-05-23") == []  # not yet: dropped
    # like "last year" itself, it needs the publication date
    assert find_dates("in March last year", None) == []
    assert find_unresolved("in March last year") == [(3, 18, "March last year")]
    # a second year expression right after one a month took stays its own
    assert values("in March last year this year", "2017-05-23") == [("March last year", "2016-03"),
                                                                     ("this year", "2017")]


@pytest.mark.parametrize("text", [
    "They may be arrested soon.", "the suspects may have fled", "THE 3 MAY HAVE FLED",
    "Protesters will march on Friday next", "a may 2000 people...", "June 5.5 percent",
    "Two may also have died.",
])
def test_may_and_march_as_words_are_not_months(text):
    assert [m for m in find_dates(text, "2011-11-20") if m.rule.startswith(("month", "yearless"))] == []


def test_may_with_a_day_or_a_year_is_a_month():
    assert values("on may 5 and 5 may; since May 2010", "2011-11-20") == [
        ("may 5", "2011-05-05"), ("5 may", "2011-05-05"), ("May 2010", "2010-05")]


# --- weekdays ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("Three officers were killed on Monday.", "2016-07-18"),  # publication day is a Monday
    ("three officers were killed on monday.", "2016-07-18"),
    ("Shots were heard late on Tuesday.", "2016-07-12"),
    ("SHOTS WERE HEARD SUNDAY NIGHT.", "2016-07-17"),
    ("The bomb went off last Monday.", "2016-07-11"),
    ("The bomb went off on Friday morning.", "2016-07-15"),
])
def test_weekday(text, value):
    mention = only(text, "2016-07-18")
    assert (mention.value, mention.precision, mention.rule, mention.uncertain) == (
        value, "day", "weekday+published", False)


def test_weekday_with_imprecise_publication_is_uncertain():
    mention = only("Police said on Monday", "2011-11")
    assert (mention.value, mention.precision, mention.uncertain) == ("2011-11", "month", True)
    mention = only("police said on monday", "2011")
    assert (mention.value, mention.precision, mention.uncertain) == ("2011", "year", True)


def test_weekday_muc_lower_case():
    assert only("on monday a bomb exploded", "1990-01-10").value == "1990-01-08"


def test_weekday_future_or_introducing_a_date_is_skipped():
    assert find_dates("The court sits next Monday and every Friday.", "2016-07-18") == []
    assert values("Monday, July 18, 2016 - attack", "2016-07-18") == [("July 18, 2016", "2016-07-18")]


# --- relative ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value, precision, rule, uncertain", [
    ("Police said yesterday", "2016-07-17", "day", "relative-day+published", False),
    ("POLICE SAID TODAY", "2016-07-18", "day", "relative-day+published", False),
    ("an attack last night", "2016-07-17", "day", "relative-day+published", False),
    ("It began two days ago.", "2016-07-16", "day", "relative-day+published", False),
    ("It began 3 days ago.", "2016-07-15", "day", "relative-day+published", False),
    ("the day before yesterday", "2016-07-16", "day", "relative-day+published", False),
    ("raids last week", "2016-07-11", "day", "relative-week+published", True),
    ("killed at the weekend", "2016-07-16", "day", "relative-week+published", True),
    ("violence last month", "2016-06", "month", "relative-month+published", False),
    ("Two bombs late last month", "2016-06", "month", "relative-month+published", False),
    ("jailed earlier this month", "2016-07", "month", "relative-month+published", False),
    ("three months ago", "2016-04", "month", "relative-month+published", False),
    ("a bombing last year", "2015", "year", "relative-year+published", False),
    ("several bombings this year", "2016", "year", "relative-year+published", False),
])
def test_relative(text, value, precision, rule, uncertain):
    mention = only(text, "2016-07-18")
    assert (mention.value, mention.precision, mention.rule, mention.uncertain) == (
        value, precision, rule, uncertain)


def test_relative_across_year_boundary_and_imprecise_publication():
    assert only("late last month", "2012-01-05").value == "2011-12"
    assert only("late last month", "2011-11").value == "2011-10"
    mention = only("said yesterday", "2011-11")
    assert (mention.value, mention.precision, mention.uncertain) == ("2011-11", "month", True)
    mention = only("last month", "2011")
    assert (mention.value, mention.precision, mention.uncertain) == ("2011", "year", True)


def test_news_outlet_named_today_is_not_a_date():
    assert find_dates("Kazakhstan Today reports a shooting.", "2011-11") == []
    assert only("Today, police said.", "2011-11-10").value == "2011-11-10"


# --- not dates -----------------------------------------------------------------------------
def test_times_amounts_and_ages_are_not_dates():
    text = ("At around 11 am (0500 GMT) a 27-year-old shot 3 men; 16.6 million people live "
            "there; in 2000 people marched; $5 may rise.")
    assert find_dates(text, "2016-07-18") == []


# --- without a publication date ----------------------------------------------------------------
def test_infer_reference_year():
    assert infer_reference_year("Attacks on July 18, 2016 and in 2011 and March 2016.") == 2016
    assert infer_reference_year("in 2011 and in 2012") == 2012  # tie: most recent
    assert infer_reference_year("nothing here but 1500 men and 16.6 million") is None
    assert infer_reference_year("BOGOTA, 10 JAN 90 (EFE)") == 1990


def test_no_publication_date_uses_year_from_text():
    text = "In 2010 unrest began. On December 5 a bomb went off; in June police struck on Monday."
    by_text = {m.text: m for m in find_dates(text, None)}
    assert by_text["2010"].rule == "absolute"
    assert (by_text["December 5"].value, by_text["December 5"].uncertain) == ("2010-12-05", True)
    assert by_text["June"].rule == "month-name+year-inferred-from-text"
    assert [t for _, _, t in find_unresolved(text)] == ["Monday"]


def test_no_year_at_all_leaves_mentions_unresolved():
    text = "On December 5 a bomb went off; yesterday police struck."
    assert find_dates(text, None) == []
    assert find_unresolved(text) == [(3, 13, "December 5"), (31, 40, "yesterday")]


def test_mentions_are_sorted_and_frozen():
    mentions = find_dates("yesterday; on June 5; in 2011; on Monday", "2016-07-18")
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    with pytest.raises(AttributeError):
        mentions[0].value = "x"
    assert find_dates("", None) == [] and find_unresolved("") == []


def test_lead_in_words_do_not_split_longer_dates():
    assert values("in Nov. 12 raids; in 2011-11-12 posts", "2011-11-20") == [
        ("Nov. 12", "2011-11-12"), ("2011-11-12", "2011-11-12")]
