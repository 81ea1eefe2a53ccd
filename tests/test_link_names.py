"""Two events of one kind told apart by whom they are about (link package docstring, point 8):
a report about someone an incident's reports never name, which recalls whom they are about,
is another event."""

from __future__ import annotations

from incidentwire import link
from incidentwire.link import rules
from test_link_articles import _linker, _main

TEAM = "The Chargers said they were aware of the arrest on suspicion of driving under the influence. "
STORY = {"Jackson": "The receiver was stopped in Coronado after a party and posted bail before the playoff game. ",
         "Williams": "The lineman was pulled over in Poway on a motorway ramp; his lawyer blamed a faulty breath "
                     "test and said the club's counselling programme would clear him. "}


SAID = {"Jackson": "declined to comment", "Williams": "apologised to fans"}


def _about(name: str, first: str, times: int, recalls: str = "") -> str:
    said = " ".join(f"{name} {SAID[name]}." for _ in range(times - 1))
    return f"{first} {name} was arrested. {said} " + TEAM + STORY[name] + recalls


def _report(article_id: str, text: str):
    return _main(article_id, text, on_topic=False, publisher=f"outlet-{article_id}")


def test_a_report_about_someone_else_that_recalls_the_incident_is_another_event():
    lk = _linker()
    first, _ = lk.link(_report("j1", _about("Jackson", "Vincent", 7)))
    for k in (2, 3):
        assert lk.link(_report(f"j{k}", _about("Jackson", "Vincent", 6 + k)))[0] == first
    recall = "It is the second arrest this season: Jackson was arrested in December."
    other = _report("w1", _about("Williams", "Jamal", 8, recall))
    terms = link.mention_terms(other)
    assert lk.subject(terms) == "Williams" and lk.subject_missing(terms, lk.by_id[first])
    williams, _ = lk.link(other)
    assert williams != first
    # the same report without the rule would have joined: its words agree closely enough
    lk2 = _linker()
    for k in (1, 2, 3):
        lk2.link(_report(f"j{k}", _about("Jackson", "Vincent", 6 + k)))
    rules_points, rules.NAME_CONFLICT_POINTS = rules.NAME_CONFLICT_POINTS, 0.0
    try:
        assert lk2.link(_report("w1", _about("Williams", "Jamal", 8, recall)))[0] == "inc-1"
    finally:
        rules.NAME_CONFLICT_POINTS = rules_points


def test_a_report_naming_the_incidents_subject_or_not_recalling_it_is_not_held_apart():
    lk = _linker()
    first, _ = lk.link(_report("j1", _about("Jackson", "Vincent", 7)))
    for k in (2, 3):
        lk.link(_report(f"j{k}", _about("Jackson", "Vincent", 6 + k)))
    cand = lk.by_id[first]
    # about the same man: his name is written in the incident's reports
    same = link.mention_terms(_report("j4", _about("Jackson", "Vincent", 9)))
    assert not lk.subject_missing(same, cand)
    # about someone else, but not recalling Jackson: nothing says it is a second event
    unrelated = link.mention_terms(_report("w1", _about("Williams", "Jamal", 8)))
    assert not lk.subject_missing(unrelated, cand)


def test_an_incident_read_from_its_link_card_is_judged_the_same():
    """Stored incidents are scored from their cards, whose words are packed (vectors.PackedTerms)."""
    from incidentwire.link.known import candidate_of_card, card_of

    lk = _linker()
    first, _ = lk.link(_report("j1", _about("Jackson", "Vincent", 7)))
    for k in (2, 3):
        lk.link(_report(f"j{k}", _about("Jackson", "Vincent", 6 + k)))
    light = candidate_of_card(first, card_of(lk.by_id[first]))
    assert light.light and not any(isinstance(t, dict) for t in light.terms)
    recall = "It is the second arrest this season: Jackson was arrested in December."
    for text in (_about("Williams", "Jamal", 8, recall), _about("Jackson", "Vincent", 9)):
        terms = link.mention_terms(_report("x", text))
        assert lk.subject_missing(terms, light) == lk.subject_missing(terms, lk.by_id[first])
    assert lk.subject_missing(link.mention_terms(_report("x", _about("Williams", "Jamal", 8, recall))), light)
