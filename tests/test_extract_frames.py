"""Per-article extraction: casualty claims of a frame, headlines glued to the body, and how
reconcile treats a toll that no report states."""

from __future__ import annotations

from incidentwire.extract.incidents import extract_mentions, sentences
from incidentwire.reconcile import reconcile
from incidentwire.records import Article


def mentions_of(text: str, title: str | None = None, published: str = "2016-01-20"):
    return extract_mentions(Article(id="a", text=text, clean_text=text, title=title, published=published))


def toll(mention, name: str) -> tuple:
    value = mention.value(name)
    return (value["best"], value["rule"], value["stated"]) if value else None


def test_a_man_shot_who_died_is_killed_not_injured():
    [m] = mentions_of("A man was shot on Main Street on Monday night. He died at the hospital.")
    assert toll(m, "killed") == (1, "single-person-reference", True)
    assert toll(m, "injured") == (0, "shot-outcome-unsaid", True)


def test_shot_and_alive_is_injured():
    [m] = mentions_of("A 20-year-old man was shot while walking in Ceres on Monday, police said.")
    assert toll(m, "injured") == (1, "shot-outcome-unsaid", True)
    assert toll(m, "killed") == (0, "none-reported", False)


def test_no_toll_stated_reads_as_none_reported():
    [m] = mentions_of("Gunmen attacked a police station in Aktobe on Sunday.")
    claim = next(c for c in m.claims if c.field == "killed")
    assert claim.value["best"] == 0 and claim.value["stated"] is False and claim.confidence < 0.5
    assert claim.quote  # evidence: the incident's own sentence


def test_one_by_one_people_are_not_added_twice():
    text = ("An 18-year-old woman was found dead on Monday in an apartment she shared with her boyfriend. "
            "The woman died of a single gunshot wound.")
    [m] = mentions_of(text)
    assert m.value("killed")["best"] == 1


def test_numbered_groups_add_up():
    [m] = mentions_of("Gunmen attacked Aktobe on Sunday, killing three civilians at two gun stores "
                      "before trying to storm a military base, killing three soldiers.")
    assert m.value("killed")["best"] == 6


def test_headline_glued_to_the_body():
    title = "Man shot, killed in Frankford | 6abc.com"
    text = title + "A man was shot and killed on Tuesday in Frankford, police said."
    assert sentences(text, title)[0] == (0, len(title))
    [m] = mentions_of(text, title=title)
    assert m.value("killed")["best"] == 1
    assert m.claims[0].start >= 0


def test_reconcile_prefers_a_stated_count_over_none_reported():
    [silent] = mentions_of("Gunmen attacked a police station in Aktobe on Sunday.")
    [stated] = mentions_of("Gunmen attacked a police station in Aktobe on Sunday, killing two officers.")
    stated.article_id = "b"
    assert reconcile([silent, stated])["killed"]["best"] == 2
    assert reconcile([silent])["killed"]["best"] == 0


def test_reconcile_names_who_claimed_it_and_what_the_authorities_did():
    [a] = mentions_of("A bomb killed two people in Taraz on Monday. Jund al-Khilafah claimed responsibility. "
                      "A red level of terrorist threat was declared in the city.")
    [b] = mentions_of("A bomb killed two people in Taraz on Monday. The same group claimed responsibility. "
                      "Police arrested three suspects.")
    b.article_id = "b"
    fields = reconcile([a, b])
    assert fields["claimed_by"] == ["Jund al-Khilafah"]   # "the same group" says not who
    assert [(r["kind"], r.get("level"), r.get("count"), r["sources"]) for r in fields["responses"]] == [
        ("arrests", None, 3, 1), ("threat_level", "red", None, 1)]


def test_a_response_goes_with_the_incident_whose_sentences_say_it():
    """Arrests told in the paragraph on a background bombing are that bombing's, not the main
    attack's; a response said apart from every incident's sentences stays with the main one."""
    text = ("Two police officers were shot dead in Almaty on November 8. Police set up roadblocks across "
            "the city.\n\nThe shooting follows two explosions in Atyrau on October 31 which killed one man. "
            "Authorities made three arrests after the blasts.")
    main, atyrau = mentions_of(text, published="2011-11-10")
    assert reconcile([atyrau])["location"]["name"] == "Atyrau"
    assert [(r["kind"], r.get("count")) for r in reconcile([atyrau])["responses"]] == [("arrests", 3)]
    assert all(r["kind"] != "arrests" for r in reconcile([main])["responses"])


def test_the_same_group_is_the_group_the_article_named_before():
    text = ("A gunman killed seven people in Taraz on Saturday. A little-known group, Jund al-Khilafah, said it was "
            "behind the Taraz attack. The same group had also claimed responsibility for two bombings in Atyrau "
            "on October 31.")
    mentions = mentions_of(text, published="2011-11-14")
    claims = [c.value for m in mentions for c in m.claims if c.field == "responsibility"]
    assert {"by": "Jund al-Khilafah", "how": None, "said": "The same group"} in claims
    assert all(reconcile([m])["claimed_by"] == ["Jund al-Khilafah"] for m in mentions)


def test_reconcile_takes_an_update_over_its_days_but_a_final_toll_weeks_later_over_both():
    [early] = mentions_of("A truck was driven into crowds in Nice on Thursday, killing at least 77 people.",
                          published="2016-07-15")
    [update] = mentions_of("The number of people killed in Nice on Thursday rose to 84, officials said.",
                           published="2016-07-16")
    [stale] = mentions_of("A truck was driven into crowds in Nice on Thursday, killing 80 people.",
                          published="2016-07-17")
    [final] = mentions_of("In July a truck was driven into crowds in Nice, killing 86 people.",
                          published="2016-12-21")
    for i, m in enumerate((early, update, stale, final)):
        m.article_id = f"a{i}"
    assert reconcile([early, update, stale])["killed"]["best"] == 84     # the update wins over its days
    assert reconcile([early, update, stale, final])["killed"]["best"] == 86


def test_a_registered_extractor_adds_claims_and_names_itself():
    import re

    import pytest

    from incidentwire.errors import IncidentwireError
    from incidentwire.extract import registry

    def crossbows(text):  # a weapon the rules do not know
        return [("crossbow", m.start(), m.end()) for m in re.finditer(r"\bcrossbow\b", text)]

    registry.register("test.crossbows", "weapons", crossbows, confidence=0.9)
    try:
        [m] = mentions_of("A man shot at a crowd with a crossbow in Aktobe on Sunday, killing two people.")
        [claim] = [c for c in m.claims if c.extractor == "test.crossbows"]
        assert (claim.field, claim.value, claim.quote, claim.confidence) == ("weapons", "crossbow", "crossbow", 0.9)
        with pytest.raises(IncidentwireError, match="already registered"):
            registry.register("test.crossbows", "weapons", crossbows)
    finally:
        registry.unregister("test.crossbows")
    assert "test.crossbows" not in [e.name for e in registry.registered()]
    with pytest.raises(IncidentwireError, match="scope"):
        registry.register("test.bad", "weapons", crossbows, scope="article")


def test_a_victim_named_only_in_an_aftermath_sentence_is_kept():
    # a trial or an arrest names the victim of the attack; its perpetrator list stays as it was
    [m] = mentions_of("Gunmen killed a judge in Cali on Monday. A court sentenced two men for the murder of "
                      "judge Carlos Ruiz.")
    assert m.values("victims") == ["Carlos Ruiz"]
    assert m.values("perpetrators") == []


def test_a_botched_suicide_bombing_kills_its_bomber():
    [m] = mentions_of("Two explosions in Atyrau on October 31 killed one man in what appeared to be a "
                      "botched suicide bombing.")
    assert m.value("perpetrators_killed")["best"] == 1
    assert m.value("killed")["best"] == 0 and m.value("killed")["stated"] is False


def test_initials_and_titles_do_not_end_a_sentence():
    text = ("The attacker, named by authorities as M.K. Kariev, shot four officers. Then col. guillermo "
            "benavides spoke. He had lived in the U.S. Police said so. It was 10:30 p.m. Nobody saw it.")
    assert [text[s:e] for s, e in sentences(text)] == [
        "The attacker, named by authorities as M.K. Kariev, shot four officers.",
        "Then col. guillermo benavides spoke.", "He had lived in the U.S.", "Police said so.", "It was 10:30 p.m.",
        "Nobody saw it."]


def test_sentences_before_the_first_incident_go_to_the_main_one():
    # the victim is named in an opening sentence that has no attack word; the attack comes after
    [m] = mentions_of("The government ordered an inquiry into the death of journalist Ana Torres. "
                      "Gunmen shot him in Lima on Monday.")
    assert m.values("victims") == ["Ana Torres"]


def test_a_controlled_explosion_or_an_arrest_for_the_bombing_is_no_second_bombing():
    text = ("A suicide bomber killed 22 people at a concert in Manchester on Monday night. "
            "Police arrested a man in Fallowfield on Tuesday in connection with the bombing. "
            "Officers forced their way into a house in Fallowfield using a controlled explosion.")
    [m] = mentions_of(text)
    assert m.value("killed")["best"] == 22 and m.value("location")["name"] == "Manchester"
    assert m.value("date")["value"] == "2016-01-18"  # Monday, the attack; not Tuesday, the arrest


def test_a_dateline_dates_the_report_not_the_attack():
    text = ("MANCHESTER, England, May 23 (Meridian Wire) - At least 19 people were killed when an explosion "
            "ripped through Manchester Arena late on Monday, police said.")
    [m] = mentions_of(text, published="2017-05-23")
    assert m.value("date")["value"] == "2017-05-22"
    # a date that only looks like one ("On May 23, a bomb ...") still dates the attack
    [m] = mentions_of("On May 20, a bomb exploded in Manchester, killing two.", published="2017-05-23")
    assert m.value("date")["value"] == "2017-05-20"


def test_arms_seized_and_clashes_start_no_incident():
    assert mentions_of("The army seized an arsenal of grenades and explosives in a house in San Salvador.") == []
    # the clash's toll still goes to an attack the report tells
    text = ("Guerrillas bombed a bridge in San Miguel on Monday. "
            "Two soldiers were killed when a patrol clashed with the guerrillas.")
    [m] = mentions_of(text)
    assert m.value("attack_type") == "bombing_explosion" and m.value("killed")["best"] == 2


def test_a_us_dateline_is_one_sentence_and_places_a_report_whose_sentences_name_no_town():
    text = "INDIANAPOLIS, Ind. (Dec. 10, 2015) - A traffic stop led to a chase. He was in Jackson, Miss. The police said."
    assert [text[s:e] for s, e in sentences(text)] == [
        "INDIANAPOLIS, Ind. (Dec. 10, 2015) - A traffic stop led to a chase.", "He was in Jackson, Miss.",
        "The police said."]
    [m] = mentions_of("SPOKANE, Wash. - Detectives continue to search for a gunman. A man was shot dead outside "
                      "a bar on Saturday night.")
    assert reconcile([m])["location"]["name"] == "Spokane"


def test_where_a_victim_lives_starts_no_second_incident():
    [m] = mentions_of("CATONSVILLE, Md. - Police are investigating a man who was shot in a shopping plaza on Friday. "
                      "The victim, Brandon Ward, from Gwynn Oak, was taken to a hospital, where he later died.")
    assert reconcile([m])["location"]["name"] == "Catonsville"
