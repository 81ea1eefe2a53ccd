"""Casualty counts: number phrases, killed / injured mentions, sides, categories, updates."""

from __future__ import annotations

import pytest

from incidentwire.extract.tolls import Count, TollMention, find_references, find_tolls, parse_count


def summary(text: str) -> list[tuple]:
    """(kind, min, best, max, side, category) for each mention, in order."""
    return [(m.kind, m.count.min, m.count.best, m.count.max, m.side, m.category)
            for m in find_tolls(text)]


def both_cases(text: str) -> list[list[tuple]]:
    return [summary(text), summary(text.lower())]


# ---------------------------------------------------------------- parse_count
@pytest.mark.parametrize("phrase, expected", [
    ("six", (6, 6, 6)),
    ("Six", (6, 6, 6)),
    ("18", (18, 18, 18)),
    ("1,200", (1200, 1200, 1200)),
    ("twenty-one", (21, 21, 21)),
    ("one hundred and five", (105, 105, 105)),
    ("more than 20", (21, 21, None)),
    ("more than twenty", (21, 21, None)),
    ("over 100", (101, 101, None)),
    ("at least five", (5, 5, None)),
    ("no fewer than 3", (3, 3, None)),
    ("fewer than 10", (None, 9, 9)),
    ("up to 30", (None, 30, 30)),
    ("nearly 40", (None, 40, 40)),
    ("about 50", (None, 50, None)),
    ("around fifty", (None, 50, None)),
    ("dozens", (12, 12, None)),
    ("dozens of", (12, 12, None)),
    ("scores", (20, 20, None)),
    ("hundreds", (100, 100, None)),
    ("a dozen", (12, 12, 12)),
    ("two dozen", (24, 24, 24)),
    ("more than two dozen", (25, 25, None)),
    ("half a dozen", (6, 6, 6)),
    ("several", (3, 3, None)),
    ("a few", (2, 2, None)),
    ("a", (1, 1, 1)),
    ("another", (1, 1, 1)),
    ("one", (1, 1, 1)),
    ("no one", (0, 0, 0)),
])
def test_parse_count(phrase, expected):
    count = parse_count(phrase)
    assert (count.min, count.best, count.max) == expected


@pytest.mark.parametrize("phrase", ["many", "people", "", "there"])
def test_parse_count_rejects_non_numbers(phrase):
    assert parse_count(phrase) is None


def test_count_to_dict():
    assert Count(21, 21, None).to_dict() == {"min": 21, "best": 21, "max": None}


# ---------------------------------------------------------------- the brief's sentences
def test_two_groups_in_one_subject():
    text = "Three police officers and one civilian were killed on Monday"
    for got in both_cases(text):
        assert got == [("killed", 3, 3, 3, "victims", "police"),
                       ("killed", 1, 1, 1, "victims", "civilians")]
    mentions = find_tolls(text)
    assert mentions[0].text == "Three police officers and one civilian were killed"
    assert mentions[0].start == 0 and mentions[0].end == len(mentions[0].text)


def test_two_active_verbs_in_one_sentence():
    text = ("killing three civilians at two gun stores before trying to storm a military base "
            "with a hijacked bus, killing three soldiers")
    for got in both_cases(text):
        assert got == [("killed", 3, 3, 3, "victims", "civilians"),
                       ("killed", 3, 3, 3, "victims", "military")]


def test_suspects_killed_in_raids_are_perpetrators():
    for got in both_cases("At least 18 suspects were killed in police anti-terror raids"):
        assert got == [("killed", 18, 18, None, "perpetrators", None)]


@pytest.mark.parametrize("text", [
    "at least seven police are being treated in hospital",
    "at least seven police were hospitalised",
    "at least seven police were hospitalized",
    "at least seven police were hurt",
    "at least seven police were wounded",
    "at least seven police were injured",
])
def test_injured_verbs(text):
    for got in both_cases(text):
        assert got == [("injured", 7, 7, None, "victims", "police")]


def test_killed_and_injured_several():
    text = ("The attacker, a 27-year-old man who killed 3 policemen and injured several more "
            "people, was detained.")
    for got in both_cases(text):
        assert got == [("killed", 3, 3, 3, "victims", "police"),
                       ("injured", 3, 3, None, "victims", None)]


def test_one_civilian_has_also_been_killed():
    for got in both_cases("One civilian has also been killed."):
        assert got == [("killed", 1, 1, 1, "victims", "civilians")]


def test_toll_risen_from_to_is_an_update():
    text = "The death toll in the bloody armed attack in Almaty has risen from five to six"
    [mention] = find_tolls(text)
    assert (mention.kind, mention.count, mention.is_update) == ("killed", Count(6, 6, 6), True)
    assert not mention.is_aggregate
    assert [m.count for m in find_tolls(text.lower())] == [Count(6, 6, 6)]


@pytest.mark.parametrize("text", ["the toll rose to six", "the death toll climbed to 6",
                                  "bringing the death toll to six"])
def test_toll_updates(text):
    [mention] = find_tolls(text)
    assert mention.is_update and mention.count == Count(6, 6, 6)


def test_more_than_twenty_people():
    text = "more than 20 people were killed when Islamist militants attacked a gun shop"
    for got in both_cases(text):
        assert got == [("killed", 21, 21, None, "victims", None)]


def test_shot_dead_passive_and_active():
    assert summary("Two cops have been shot dead") == [("killed", 2, 2, 2, "victims", "police")]
    for got in both_cases("he shot dead four law-enforcement officers and two civilians"):
        assert got == [("killed", 4, 4, 4, "victims", "police"),
                       ("killed", 2, 2, 2, "victims", "civilians")]


def test_no_noun_means_no_category():
    for got in both_cases("two were murdered in the western Kazakh village"):
        assert got == [("killed", 2, 2, 2, "victims", None)]


def test_victims_and_perpetrators_in_one_list():
    text = ("prompting a security operation in which two more law-enforcement officers and nine "
            "suspects were killed")
    for got in both_cases(text):
        assert got == [("killed", 2, 2, 2, "victims", "police"),
                       ("killed", 9, 9, 9, "perpetrators", None)]


def test_singular_determiners_and_self_kills():
    assert summary("Another police officer was killed in July") == [
        ("killed", 1, 1, 1, "victims", "police")]
    assert summary("a suspect blew himself up") == [("killed", 1, 1, 1, "perpetrators", None)]
    assert summary("the bomber blew herself up near the gate") == [
        ("killed", 1, 1, 1, "perpetrators", None)]
    text = "Kariev then blew up explosives strapped to his belt, killing himself and the police officer."
    for got in both_cases(text):
        assert got == [("killed", 1, 1, 1, "perpetrators", None),
                       ("killed", 1, 1, 1, "victims", "police")]


def test_bombing_that_killed_seven_people():
    text = "a suicide bombing by a suspected militant that killed seven people"
    for got in both_cases(text):
        assert got == [("killed", 7, 7, 7, "victims", None)]


def test_explosions_killed_at_least_two():
    for got in both_cases("Two explosions in the city killed at least two people in May."):
        assert got == [("killed", 2, 2, None, "victims", None)]


def test_running_total_is_aggregate():
    text = "The death toll so far is at least 22, including the two latest police killings"
    [mention] = find_tolls(text)
    assert mention.count == Count(22, 22, None) and mention.is_aggregate
    [mention] = find_tolls("the death toll so far this year is at least 22")
    assert mention.is_aggregate
    [mention] = find_tolls("Militants have killed 200 people since 2012.")
    assert mention.count == Count(200, 200, 200) and mention.is_aggregate
    [mention] = find_tolls("Militants killed 20 people in Aktobe on Sunday.")
    assert not mention.is_aggregate


def test_left_one_suspect_dead():
    for got in both_cases("the shoot-out left one suspect dead"):
        assert got == [("killed", 1, 1, 1, "perpetrators", None)]
    assert summary("The shooting left 12 dead and 20 wounded") == [
        ("killed", 12, 12, 12, "victims", None), ("injured", 20, 20, 20, "victims", None)]


def test_n_victims():
    # "victims" are people hit; whether they died is for the frame to decide (see "hit" below)
    for got in both_cases("With seven victims, the Taraz attack is the bloodiest"):
        assert got == [("hit", 7, 7, 7, "victims", None)]
    # a stronger rule wins over "N victims"
    assert summary("two victims were wounded") == [("injured", 2, 2, 2, "victims", None)]


@pytest.mark.parametrize("text", [
    "a 27-year-old man",
    "a 27-year-old man was detained at around 11 am",
    "a city of 16.6 million inhabitants",
    "the court sentenced 12 men to jail terms",
    "At least 200 other Kazakhs are fighting in Syria",
    "at least 10 shots were fired",
    "more than 80,000 migrants",
    "he was killed two days ago",
    "a gunman killed him",
    "Many people were hurt",
    "In 2016 he was wounded",
])
def test_not_tolls(text):
    assert find_tolls(text) == []
    assert find_tolls(text.lower()) == []


def test_zero_counts():
    assert summary("no one was hurt") == [("injured", 0, 0, 0, "victims", None)]
    assert summary("Nobody was killed") == [("killed", 0, 0, 0, "victims", None)]
    assert summary("there were no casualties") == [("killed", 0, 0, 0, "victims", None),
                                                   ("injured", 0, 0, 0, "victims", None)]
    assert summary("There were no injuries.") == [("injured", 0, 0, 0, "victims", None)]


def test_muc4_lower_case():
    assert summary("the guerrillas attacked, killing 10 peasants and wounding 5") == [
        ("killed", 10, 10, 10, "victims", "civilians"), ("injured", 5, 5, 5, "victims", None)]
    assert summary("the bomb killed a soldier") == [("killed", 1, 1, 1, "victims", "military")]
    assert summary("which resulted in the death of a civilian who was passing by") == [
        ("killed", 1, 1, 1, "victims", "civilians")]


def test_other_forms():
    assert summary("the gunman, who killed the guard, fled") == [
        ("killed", 1, 1, 1, "victims", "security")]
    assert summary("15 people died in the attack") == [("killed", 15, 15, 15, "victims", None)]
    assert summary("5 killed in blast") == [("killed", 5, 5, 5, "victims", None)]
    assert summary("Police killed two militants") == [("killed", 2, 2, 2, "perpetrators", None)]
    assert summary("one of the attackers was killed") == [
        ("killed", 1, 1, 1, "perpetrators", None)]
    assert summary("dozens of people were wounded") == [("injured", 12, 12, None, "victims", None)]
    assert summary("about 30 people were injured") == [("injured", None, 30, None, "victims", None)]
    assert summary("the blast killed 1,200 people") == [
        ("killed", 1200, 1200, 1200, "victims", None)]
    assert summary("two dozen soldiers were killed") == [("killed", 24, 24, 24, "victims", "military")]
    assert summary("Two soldiers were killed and three others were injured") == [
        ("killed", 2, 2, 2, "victims", "military"), ("injured", 3, 3, 3, "victims", None)]


def test_offsets_index_into_the_text_and_are_sorted():
    text = ("Gunmen stormed the station. Two guards were killed and the attackers wounded "
            "five passers-by. The death toll rose to three on Tuesday.")
    mentions = find_tolls(text)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for m in mentions:
        assert isinstance(m, TollMention) and text[m.start:m.end] == m.text
    assert [(m.kind, m.count.best, m.category, m.is_update) for m in mentions] == [
        ("killed", 2, "security", False), ("injured", 5, "civilians", False),
        ("killed", 3, None, True)]


def test_zero_determiners_and_sentence_ends():
    assert summary("He was treated at a hospital. Neither officer was injured.") == [
        ("injured", 0, 0, 0, "victims", "police")]
    assert summary("the officer-involved shooting. No officers were injured") == [
        ("injured", 0, 0, 0, "victims", "police")]
    assert summary("No one else was injured.") == [("injured", 0, 0, 0, "victims", None)]
    assert summary("two U.S. soldiers were killed") == [("killed", 2, 2, 2, "victims", "military")]


def test_part_of_a_group():
    assert summary("seven of the nine soldiers were wounded") == [
        ("injured", 7, 7, 7, "victims", "military")]
    assert summary("two of them were killed") == [("killed", 2, 2, 2, "victims", None)]
    assert find_tolls("he is one of the dead") == []
    assert find_tolls("looking to kill a cop") == []
    assert summary("but no one apparently was injured") == [("injured", 0, 0, 0, "victims", None)]


def test_objects_are_not_people():
    # "two handguns" is not a count of the dead; the man himself is missed (a known limit)
    assert find_tolls("A man wielding two handguns was shot and killed at a Walmart") == []
    assert find_tolls("the gunman fired 65 rounds and two shots were heard") == []


def test_the_plural_is_not_one():
    assert find_tolls("The officers died in hospital") == []
    assert find_tolls("the gunmen were killed") == []
    assert summary("the officer died in hospital") == [("killed", 1, 1, 1, "victims", "police")]


# ---------------------------------------------------------------- people hit, single references
def test_shot_with_outcome_unsaid_is_a_hit():
    assert summary("A 20-year-old man was shot while walking") == [("hit", 1, 1, 1, "victims", None)]
    assert summary("Two men were shot and wounded") == [("injured", 2, 2, 2, "victims", None)]
    assert summary("A 42-year-old woman was fatally shot in the area") == [
        ("killed", 1, 1, 1, "victims", None)]
    assert summary("Woman shot, killed in West Philadelphia") == []  # no determiner: a reference
    assert find_tolls("shots were fired at an unmarked police vehicle, which was shot at") == []


def test_possessive_determiners_count_one_person():
    assert summary("a 3-year-old boy accidentally shot and killed his sister") == [
        ("killed", 1, 1, 1, "victims", None)]
    assert summary("shot her husband in the chest") == [("hit", 1, 1, 1, "victims", None)]


def test_single_person_references():
    def refs(text):
        return [(m.kind, m.count.best, m.text) for m in find_references(text)]
    assert refs("Police said Malone Amason was found dead in the lot.") == [
        ("killed", 1, "Malone Amason was found dead")]
    assert refs("He was pronounced dead at a local hospital.") == [("killed", 1, "He was pronounced dead")]
    assert refs("the victim was taken to hospital, where he died.") == [("killed", 1, "he died")]
    assert refs("someone shot her in the head") == [("hit", 1, "shot her")]
    assert refs("Juan Mercado, a 21-year-old Latino male, died Wednesday") == [
        ("killed", 1, "Juan Mercado, a 21-year-old Latino male, died")]
    assert refs("The FBI is offering a reward in a fatal Baltimore shooting.") == [
        ("killed", 1, "fatal Baltimore shooting")]
    assert refs("Police said the officers shot him") == [("hit", 1, "shot him")]
    assert refs("Police were shot at") == []


def test_a_total_that_includes_the_attackers_counts_them_apart():
    # victims only: "23 dead, including the bomber" is 22 victims and one attacker, and the quote says so
    [victims, bomber] = find_tolls("The blast killed 23 people, including the bomber.")
    assert (victims.side, victims.count, victims.text) == ("victims", Count(22, 22, 22),
                                                          "killed 23 people, including the bomber")
    assert (bomber.side, bomber.count) == ("perpetrators", Count(1, 1, 1))
    [victims, attackers] = find_tolls("Six people were killed, including two attackers.")
    assert (victims.count.best, attackers.count.best) == (4, 2)
    [bomber, victims] = find_tolls("The bomber also died, bringing the number of dead to 23.")
    assert (bomber.side, victims.count.best, victims.is_update) == ("perpetrators", 22, True)
    # others counted among the dead stay victims
    [victims] = find_tolls("Three people were killed, including two police officers.")
    assert victims.count.best == 3


def test_a_toll_phrase_may_hold_a_long_clause_before_its_verb():
    [toll] = find_tolls("The number of people killed when a truck was driven into crowds on the seafront in Nice "
                        "rose to 84 on Friday, the prosecutor said.")
    assert (toll.kind, toll.count.best, toll.is_update) == ("killed", 84, True)


def test_an_attacker_the_police_killed_is_a_perpetrator_killed():
    [gunman] = find_tolls("The gunman, identified as Seifeddine Rezgui, was the 39th person to die: he was "
                          "killed by police as he tried to flee.")
    assert (gunman.kind, gunman.side, gunman.count.best) == ("killed", "perpetrators", 1)
    [driver] = find_tolls("During the attack the driver fired a pistol at police officers on the Promenade des "
                          "Anglais before he was shot dead.")
    assert (driver.kind, driver.side, driver.count.best) == ("killed", "perpetrators", 1)
    # "he" without the police is not read: it may be the victim
    assert all(t.side == "victims" for t in find_tolls("The gunman shot the guard and he was killed instantly."))
