"""Victims of crime reports (the GVDB kind of article): single people pointed at by their
condition or wounds, counts that follow "left", "another" and "double shooting", what an
article about an arrest says about the shooting, and an article with no incident at all."""

from __future__ import annotations

import pytest

from incidentwire.extract.incidents import extract_mentions, no_incident_tolls
from incidentwire.extract.tolls import find_references, find_tolls
from incidentwire.link import main_event_mention
from incidentwire.records import Article


def mentions_of(text: str, title: str | None = None):
    body = (title or "") + text
    return extract_mentions(Article(id="v", text=body, clean_text=body, title=title, published="2016-01-10"))


def first_mention(text: str, title: str | None = None):
    return mentions_of(text, title)[0]


def tolls_of(text: str, title: str | None = None) -> tuple:
    m = first_mention(text, title)
    return m.value("killed")["best"], m.value("injured")["best"]


@pytest.mark.parametrize("sentence, kind", [
    ("The man was listed in critical but stable condition at the hospital.", "injured"),
    ("The teenager is recovering at home.", "injured"),
    ("She suffered non-life-threatening injuries.", "injured"),
    ("A man is in the hospital after the shooting.", "injured"),
    ("Officers found a man suffering from a gunshot wound.", "hit"),
    ("Deputies arrived to find a woman shot in the leg.", "hit"),
    ("She was later pronounced deceased.", "killed"),
    ("Police are investigating a deadly shooting on Main Street.", "killed"),
    ("Fishermen found the body of a man in the river.", "killed"),
    ("The Dayton homicide victim is Jason Smith.", "killed"),
    ("Robert Lane Jr., a 30-year-old man, died Sunday.", "killed"),
    ("Tom Reyes, 51, who was shot and killed in his home, was a teacher.", "killed"),
])
def test_single_people_pointed_at(sentence, kind):
    assert {(r.kind, r.count.best) for r in find_references(sentence)} == {(kind, 1)}


def test_the_side_of_his_body_is_no_body():
    assert [r.kind for r in find_references("He was shot on the right side of his body.")] == ["hit"]


def test_a_double_shooting_is_two_people_hit():
    assert [(r.kind, r.count.best) for r in find_references("Police are investigating a double shooting.")] \
        == [("hit", 2)]
    text = ("Police are investigating a double shooting on Elm Street. A 20-year-old man was shot in the arm "
            "and the other victim is in stable condition.")
    assert tolls_of(text) == (0, 2)


@pytest.mark.parametrize("sentence, best", [
    ("A fight in a bar ended in a shooting that left one man critically injured.", 1),
    ("The shooting left another teen critically wounded.", 1),
])
def test_counts_after_left(sentence, best):
    assert [(t.kind, t.count.best) for t in find_tolls(sentence)] == [("injured", best)]


def test_what_was_nearly_done_counts_no_one():
    assert find_tolls("The driver fired seven shots, nearly killing the trooper.") == []


def test_an_appositive_between_the_victim_and_the_verb():
    text = "A 25-year-old man, one of the victims in a shooting near the track on Tuesday, has died."
    assert [(t.kind, t.count.best) for t in find_tolls(text)] == [("killed", 1)]


def test_two_people_in_one_list_are_two():
    assert tolls_of("An officer fatally shot a teenager and his neighbor on Saturday in Chicago.") == (2, 0)


def test_a_second_victim_in_hospital_is_not_the_dead_one():
    text = ("One person has died after a robbery at a garage on Market Street on Monday. "
            "The second victim was taken to the hospital, police said.")
    assert tolls_of(text) == (1, 1)


def test_an_arrest_story_still_tells_the_toll_but_adds_no_perpetrator():
    title = "Arrest made in shooting that left a man critically injured"
    text = (". Police have made an arrest in a shooting that left one person critically injured in "
            "Bensalem on Tuesday. A court sentenced an Islamic State recruiter last week. "
            "The suspect is charged in the shooting, which occurred at a store on State Road.")
    m = first_mention(text, title)
    assert m.value("injured")["best"] == 1
    assert m.values("perpetrators") == []


def test_memorial_hospital_is_no_memorial_service():
    text = ("Deputies found a woman shot beside her car on Sunday in Dudley. "
            "She was taken to Wayne Memorial Hospital, where she was later pronounced deceased.")
    assert tolls_of(text) == (1, 0)


def test_the_headline_outlet_does_not_split_the_incident():
    title = "Man shot and killed on north side | CBS Denver"
    text = "AURORA, Colo. - A man was shot and killed on Tuesday night in Aurora, police said."
    ms = mentions_of(text, title)
    assert len(ms) == 1
    assert ms[0].value("location")["name"] == "Aurora" and ms[0].value("killed")["best"] == 1


def test_an_article_with_no_incident_reports_no_toll():
    article = Article(id="n", text="Police arrested a man for carrying a loaded handgun into a school.",
                      title=None, published="2016-01-10")
    article.clean_text = article.text
    claims = no_incident_tolls(article)
    assert [(c.field, c.value["best"], c.value["stated"]) for c in claims] == [("killed", 0, False),
                                                                              ("injured", 0, False)]
    assert claims[0].quote.startswith("Police arrested")
    assert main_event_mention(article).value("injured")["rule"] == "none-reported"


@pytest.mark.parametrize("headline, kind", [
    ("Laundromat worker hurt during robbery attempt", "injured"),
    ("Teen killed in West Philadelphia shooting", "killed"),
    ("Delivery driver shot near the stadium", "hit"),
])
def test_a_headline_names_one_person_without_an_article(headline, kind):
    assert (kind, 1) in {(r.kind, r.count.best) for r in find_references(headline)}


def test_a_plural_headline_is_no_single_person():
    assert find_references("Officers shot in ambush near the border") == []


def test_victims_said_to_come_on_top_add_up():
    text = ("Gunmen attacked a checkpoint in Mosul on Monday and killed 3 soldiers, officials said. "
            "A passing farmer was also killed, a witness said.")
    killed = first_mention(text).value("killed")
    assert killed["best"] == 4
    assert [p["best"] for p in killed["parts"]] == [3, 1]


def test_several_additions_each_keep_their_part():
    text = ("Gunmen attacked a checkpoint in Mosul on Monday and killed 3 soldiers, officials said. "
            "A passing farmer was also killed, a witness said. "
            "Two policemen were also killed, the ministry said.")
    killed = first_mention(text).value("killed")
    assert killed["best"] == 6
    assert [(p["quote"], p["best"]) for p in killed["parts"]] == [
        ("killed 3 soldiers", 3), ("A passing farmer was also killed", 1), ("Two policemen were also killed", 2)]


def test_the_same_victims_said_twice_do_not_add_up():
    text = ("Gunmen attacked a checkpoint in Mosul on Monday and killed 3 soldiers, officials said. "
            "Three soldiers were also killed, the army said later.")
    assert first_mention(text).value("killed")["best"] == 3
