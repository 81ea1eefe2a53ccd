"""Linking main incidents by the words of their whole articles: names weigh more, two close
articles link without a date or a shared city, a misread place only costs points, and a
background sentence is not compared with whole articles."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from incidentwire import link
from incidentwire.records import Claim, Mention

PIRATES = ("The Indian navy said on Saturday it had captured 23 Somali pirates who tried to board "
           "the Ethiopian-flagged ship Gibe in the Gulf of Aden. INS Mysore answered a distress call "
           "from the Gibe and commandos boarded two pirate boats.")
PIRATES_AGAIN = ("Commandos from INS Mysore captured 23 Somali pirates after the Ethiopian ship Gibe sent "
                 "a distress call in the Gulf of Aden, the Indian navy said.")
OTHER_PIRATES = ("INS Sukanya foiled a pirate attack on merchant vessels in the Gulf of Aden and the "
                 "Indian navy arrested 26 Somali pirates, a spokesman said.")


def _main(article_id: str, text: str, *, city=None, country=None, index=0, on_topic=True,
          publisher=None, date=None, published=None) -> Mention:
    m = Mention(article_id=article_id, index=index, role="main" if index == 0 else "background",
                on_topic=on_topic, publisher=publisher, published=published)
    if date:
        m.claims.append(Claim(field="date", value={"value": date, "precision": "day", "rule": "absolute"},
                              start=0, end=0, quote="", extractor="test", article_id=article_id))
    m.claims.append(Claim(field="location", value={"name": city, "country": country, "precision": 1 if city else 4},
                          start=0, end=0, quote="", extractor="test", article_id=article_id))
    m.claims.append(Claim(field="link_terms", value=dict(link.link_terms(text)), start=0, end=len(text),
                          quote=text, extractor="test", article_id=article_id))
    return m


def _linker():
    counter = itertools.count(1)
    return link.Linker([], lambda: f"inc-{next(counter)}")


def test_names_are_kept_apart_from_words_and_weigh_more():
    terms = link.link_terms("The navy said it captured pirates. The Navy of India said Gibe was freed. Gibe sailed.")
    # "Gibe" is capitalised inside a sentence (a name); "navy" is written both ways: a word
    assert terms["Gibe"] == 2 and terms["navy"] == 2 and "gibe" not in terms
    lk = _linker()
    for t in ("pirates captured ship", "Gibe pirates"):
        lk._count_words(Counter(t.split()))
    weights = lk.term_weights(Counter({"Gibe": 1, "pirates": 1}))
    assert weights["gibe"] == pytest.approx(link.NAME_WEIGHT * lk.idf("gibe"), rel=1e-12)  # keyed lower-case, weighted as a name


def test_two_close_articles_link_without_a_date_and_a_different_story_does_not():
    lk = _linker()
    for seen in ("Somali pirates attacked a merchant ship in the Gulf of Aden, the Indian navy said",
                 "The Indian navy escorts merchant vessels through the Gulf of Aden against Somali pirates",
                 "Somali pirates captured a tanker in the Gulf of Aden; Indian navy warships patrol",
                 "An Indian navy spokesman said Somali pirates were arrested in the Gulf of Aden") * 8:
        lk._count_words(link.link_terms(seen))  # other news of the region: its common words weigh less
    a, _ = lk.link(_main("a1", PIRATES))
    b, score = lk.link(_main("a2", PIRATES_AGAIN))
    c, _ = lk.link(_main("a3", OTHER_PIRATES))
    assert a == b and score >= link.LINK_THRESHOLD
    assert c != a


def test_a_place_conflict_between_close_articles_costs_points_but_does_not_forbid():
    lk = _linker()
    a, _ = lk.link(_main("a1", PIRATES, city="Aden", country="Yemen"))
    # the second article's place was misread (the warship's name taken for the city of Mysore)
    b, score = lk.link(_main("a2", PIRATES, city="Mysuru", country="India"))
    assert a == b
    plain = _linker()
    plain.link(_main("a1", PIRATES, city="Aden", country="Yemen"))
    _, same_place = plain.link(_main("a2", PIRATES, city="Aden", country="Yemen"))
    assert score < same_place


def test_a_background_sentence_is_compared_only_with_other_reports_of_its_kind():
    lk = _linker()
    inc, _ = lk.link(_main("a1", PIRATES))
    cand = lk.by_id[inc]
    terms = link.mention_terms(_main("a3", PIRATES_AGAIN))
    lk._count_words(terms)
    before = lk.text_similarity(terms, cand, whole_articles=True)
    cand.add(_main("a2", "Gibe", index=1))  # a background sentence linked to the incident
    whole = lk.text_similarity(terms, cand, whole_articles=True)
    assert whole == before > 0
    assert whole > lk.text_similarity(terms, cand)  # averaged with the short sentence it is lower
    # a background mention without whole-article words still needs the undated rule's facts
    vague, _ = lk.link(_main("a4", PIRATES, index=1))
    assert vague != inc


def test_articles_of_one_outlet_are_not_linked_by_its_boilerplate():
    chrome = " Call Crime Stoppers at 317-262-TIPS. Monitor FOX59 News and fox59.com for updates."
    first = "Police found a man shot on Hovey Street on Tuesday night; Wesley Collins died." + chrome
    second = "A woman lying in bed on Olney Street was hit by a bullet fired into her home." + chrome
    lk = _linker()
    a, _ = lk.link(_main("a1", first, publisher="fox59.com"))
    b, _ = lk.link(_main("a2", second, publisher="fox59.com"))
    assert a != b  # the outlet's shared lines are no evidence of one incident
    cand = lk.by_id[a]
    terms = link.mention_terms(_main("a3", second))
    assert lk.text_similarity(terms, cand, True, outlet="fox59.com") == 0.0 < lk.text_similarity(terms, cand, True)


def test_a_jsonl_record_without_a_publisher_takes_its_url_host(tmp_path):
    from incidentwire.ingest import read_articles

    path = tmp_path / "news.jsonl"
    path.write_text('{"doc_id": "d1", "url": "https://www.fox59.com/2016/01/05/shot/", "text": "A man was shot."}\n'
                    '{"doc_id": "d2", "publisher": "FOX59", "url": "https://fox59.com/x", "text": "A man was shot."}\n',
                    encoding="utf-8")
    assert [a.publisher for a in read_articles([path])] == ["fox59.com", "FOX59"]


def test_close_articles_days_apart_stay_apart_but_a_far_background_date_only_costs_points():
    lk = _linker()
    a, _ = lk.link(_main("a1", PIRATES, date="2008-12-13"))
    # a second attack of one kind three days later is another incident, however alike the words
    b, _ = lk.link(_main("a2", PIRATES, date="2008-12-16"))
    assert b != a
    # an article that dated the incident by an event decades before (a background date) is not
    lk = _linker()
    a, _ = lk.link(_main("a1", PIRATES, date="2008-12-13"))
    c, score = lk.link(_main("a3", PIRATES, date="1991-05-02"))
    assert c == a and score < lk.score(_main("a4", PIRATES, date="2008-12-13"), {}, link.mention_terms(
        _main("a4", PIRATES)), lk.by_id[a])


def test_two_shootings_of_one_town_told_alike_are_two_when_they_name_different_victims():
    from incidentwire.link.rules import victims_conflict

    text = ("INDIANAPOLIS, Ind. - Metro police are investigating a shooting on the near east side that left "
            "one person wounded. Anyone with information should call Crime Stoppers.")

    def report(article_id, victim):
        m = _main(article_id, text, city="Indianapolis", country="United States")
        m.claims.append(Claim(field="victims", value=victim, start=0, end=0, quote=victim, extractor="test",
                              article_id=article_id))
        return m

    lk = _linker()
    a, _ = lk.link(report("a1", "Chaz Kruger"))
    b, _ = lk.link(report("a2", "Cheyene Caldwell"))
    assert a != b
    same = _linker()
    first, _ = same.link(report("a1", "Chaz Kruger"))
    second, _ = same.link(report("a2", "Chaz Kruger"))
    assert first == second   # the same victim: one shooting
    # an attack with more victims than two is often told through a different victim by each report
    many = {"victims": ["Saffie Roussos"], "killed": {"best": 22}}
    assert not victims_conflict(many, {"victims": ["Martyn Hett"], "killed": {"best": 22}})
    assert victims_conflict({"victims": ["Chaz Kruger"]}, {"victims": ["Cheyene Caldwell"], "injured": {"best": 1}})
    assert not victims_conflict({"victims": ["Kruger"]}, {"victims": ["Cheyene Caldwell"]})  # a surname alone
