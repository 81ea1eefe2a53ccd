"""Several events counted in one clause ("two explosions ... in May"), the counts an aggregate
itemises per incident, and how the linker pairs a counted group with incidents placed elsewhere."""

from __future__ import annotations

import itertools

from incidentwire import link
from incidentwire.extract.incidents import extract_mentions
from incidentwire.records import Article, Claim, Mention


def mentions_of(text: str, published: str = "2012-11"):
    return extract_mentions(Article(id="g", text=text, clean_text=text, published=published))


def place(m):
    return m.value("location")["name"]


BACKGROUND = ("Gunmen killed three guards at a bank in Taraz on November 3. "
              "A bomb went off outside a mosque in Atyrau late last month, wounding two clerks. ")


def test_counted_events_without_place_or_day_become_one_incident_each_with_the_toll_shared():
    text = BACKGROUND + "Three attacks, including a car bombing, killed at least five people in March."
    *_, a, b, c = ms = mentions_of(text)
    assert len(ms) == 5
    assert [m.value("event_group") for m in (a, b, c)] == [{"size": 3, "member": k} for k in range(3)]
    assert {m.value("date")["value"] for m in (a, b, c)} == {"2012-03"}
    killed = a.value("killed")
    assert (killed["best"], killed["stated"], killed["group_total"]["min"]) == (0, False, 5)
    assert killed["rule"] == "shared-by-3-events"


def test_counted_events_in_one_city_stay_one_operation():
    text = BACKGROUND + "Two blasts in Aktobe killed four people in March."
    ms = mentions_of(text)
    assert len(ms) == 3 and place(ms[-1]) == "Aktobe"
    assert ms[-1].value("event_group") is None and ms[-1].value("killed")["best"] == 4


def test_one_trigger_over_two_cities_gives_one_incident_per_city():
    text = BACKGROUND + "Two explosions hit Aktobe and Astana in March, killing a guard."
    ms = mentions_of(text)
    assert [place(m) for m in ms[-2:]] == ["Aktobe", "Astana"]
    assert [m.value("event_group")["member"] for m in ms[-2:]] == [0, 1]


def test_counted_events_with_a_day_are_not_split():
    text = BACKGROUND + "Two explosions killed at least five people on March 4."
    assert all(m.value("event_group") is None for m in mentions_of(text))


def test_an_aggregate_item_that_names_an_incident_gives_it_a_count():
    text = ("Police said two officers were shot dead in Almaty on November 8. "
            "In May a truck exploded outside a police station in Astana. "
            "The death toll so far this year is 11, including three soldiers; "
            "two occupants of the exploding truck; and four suspects killed in raids.")
    almaty, astana = mentions_of(text)
    assert place(astana) == "Astana"
    killed = astana.value("killed")
    # occupants: the side is not said, so min drops to 0
    assert (killed["min"], killed["best"], killed["max"], killed["rule"]) == (0, 2, 2, "aggregate-breakdown-side-unknown")
    assert "exploding truck" in next(c.quote for c in astana.claims if c.field == "killed")
    assert almaty.value("killed")["best"] == 2


def test_an_aggregate_item_that_fits_no_single_incident_is_left_alone():
    text = ("A bomb exploded in Aktobe in May. A second bomb exploded in Astana in June. "
            "The death toll so far this year is 9, including two bombers and four guards killed in the explosions.")
    assert [m.value("killed")["best"] for m in mentions_of(text)] == [0, 0]


def _mention(article_id, index, *, city=None, group=None, date="2012-03", atype="bombing_explosion"):
    m = Mention(article_id=article_id, index=index, role="background", published="2012-11")

    def claim(field, value):
        m.claims.append(Claim(field=field, value=value, start=0, end=0, quote="", extractor="test",
                              confidence=0.8, article_id=article_id))
    claim("date", {"value": date, "precision": "month", "rule": "month-name"})
    claim("location", {"name": city, "admin1": None, "country": "Kazakhstan", "precision": 1 if city else 4})
    claim("attack_type", atype)
    if group:
        claim("event_group", group)
    return m


def test_a_counted_group_links_one_to_one_when_exactly_as_many_incidents_fit():
    counter = itertools.count(1)
    lk = link.Linker([], lambda: f"inc-{next(counter)}")
    aktobe, _ = lk.link(_mention("placed", 1, city="Aktobe"))
    astana, _ = lk.link(_mention("placed", 2, city="Astana"))
    first, _ = lk.link(_mention("counted", 1, group={"size": 2, "member": 0}))
    second, _ = lk.link(_mention("counted", 2, group={"size": 2, "member": 1}))
    assert {first, second} == {aktobe, astana}


def test_a_counted_group_does_not_link_when_more_incidents_fit():
    counter = itertools.count(1)
    lk = link.Linker([], lambda: f"inc-{next(counter)}")
    known = {lk.link(_mention("placed", k, city=c))[0] for k, c in enumerate(["Aktobe", "Astana", "Almaty"])}
    first, _ = lk.link(_mention("counted", 1, group={"size": 2, "member": 0}))
    assert first not in known
    # without the group claim, a place-less report never links on a tie
    alone, _ = lk.link(_mention("other", 1))
    assert alone not in known
