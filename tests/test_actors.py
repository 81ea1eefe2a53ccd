"""Perpetrators, named victims, targets and weapons from case-less and cased text."""

from __future__ import annotations

from incidentwire.extract import actors, types
from incidentwire.extract.groups import find_attackers, find_groups


def names(found):
    return [f[0] for f in found]


def test_group_gazetteer_is_case_robust():
    text = "members of the farabundo marti national liberation front (fmln) attacked a substation"
    assert [g[3] for g in find_groups(text)] == ["Farabundo Marti National Liberation Front"] * 2
    assert [g[3] for g in find_groups(text.upper())] == ["Farabundo Marti National Liberation Front"] * 2
    assert [g[3] for g in find_groups("A group calling itself Jund al-Khilafah (Soldiers of the Caliphate)")] == [
        "Jund al-Khilafah", "Jund al-Khilafah"]
    assert [g[3] for g in find_groups("The IS group claimed the attack; ISIL and Daesh are the same")] == [
        "Islamic State"] * 3
    assert find_groups("This is what it is.") == []


def test_perpetrators_without_case():
    text = ("urban guerrillas have dynamited two posts. the attack was carried out by terrorists of the "
            "shining path. a terrorist attack was reported. the priests were murdered by soldiers.")
    assert names(actors.perpetrators_caseless(text)) == ["urban guerrillas", "terrorists", "shining path", "soldiers"]
    assert actors.perpetrator_descriptions("two gunmen opened fire on the crowd") == [("two gunmen", 0, 10)]
    assert actors.perpetrators_caseless("two gunmen opened fire on the crowd") == []


def test_named_victims_need_a_title():
    text = ("the assassination of presidential candidate bernardo jaramillo ossa in bogota. jesuit priest "
            "ignacio ellacuria was murdered. the guerrillas kidnapped businessman hector delgado parker.")
    assert names(actors.victims(text)) == ["bernardo jaramillo ossa", "ignacio ellacuria", "hector delgado parker"]
    assert actors.victims("ernesto was killed in the attack") == []


def test_victims_in_apposition_lists_and_relative_clauses():
    # an apposition after a title, a possessive before it (whose wife, not the wife's name)
    text = "the mayor's wife, ana maria lopez, was shot to death on monday."
    assert names(actors.victims(text)) == ["ana maria lopez"]
    assert names(actors.victims("reporter juan perez who was kidnaped last week")) == ["juan perez"]
    assert names(actors.victims("they demanded the release of engineer pedro diaz")) == ["pedro diaz"]
    # a list after "victims ... as": bare names are kept, descriptions are not names
    text = "the victims were identified as rosa gomez, a teacher at the local school, and luis pena ortiz."
    assert names(actors.victims(text)) == ["rosa gomez", "luis pena ortiz"]
    assert actors.victims("the victims were identified as two local farmers.") == []
    text = "among the injured are maria lopez, 53; jose diaz, 26; and two other people."
    assert names(actors.victims(text)) == ["maria lopez", "jose diaz"]
    text = "the following policemen died in the ambush: major pedro ruiz, captain ana soto."
    assert names(actors.victims(text)) == ["pedro ruiz", "ana soto"]


def test_a_name_coordinated_with_a_victim_is_a_victim():
    text = "witnesses said soldiers murdered peasants julio cesar mena and rafael ortiz near the river."
    assert names(actors.victims(text)) == ["julio cesar mena", "rafael ortiz"]
    text = "gunmen kidnapped journalist ana maria soto, pedro ruiz and luisa vega, who are still missing."
    assert names(actors.victims(text)) == ["ana maria soto", "pedro ruiz", "luisa vega"]
    # what follows "and" must look like a bare name: no description, nationality or party
    assert names(actors.victims("they killed mayor jose lopez and another pdc leader.")) == ["jose lopez"]
    assert names(actors.victims("they killed mayor jose lopez and guatemalan gilda flores.")) == ["jose lopez"]


def test_job_words_are_titles_before_a_victim_name():
    assert names(actors.victims("police inspector rafael quispe died in the explosion.")) == ["rafael quispe"]
    text = "the rebels kidnapped cattleman jorge ramos ortiz, a rancher from the north, on his farm."
    assert names(actors.victims(text)) == ["jorge ramos ortiz"]
    # a verb after the title is no name: "the attack on the officer occurred"
    assert actors.victims("the attack on the officer occurred a month after the murder.") == []


def test_victims_without_a_title_need_a_sentence_start_and_a_person_shape():
    assert names(actors.victims("pablo mora, a street vendor, was killed.")) == ["pablo mora"]
    assert names(actors.victims("it was learned that juan gil and rosa ruiz were shot to death.")) == [
        "juan gil", "rosa ruiz"]
    assert names(actors.victims("the rebels accused the army of murdering ana isabel casanova, a student.")) == [
        "ana isabel casanova"]
    assert actors.victims("the two men, both soldiers, were killed.") == []
    # the owner of what was attacked is not its victim
    assert actors.victims("an attack on the residence of colonel juan carranza") == []
    assert names(actors.victims("the attack against attorney general dr luis mena")) == ["luis mena"]


def test_perpetrators_an_attack_is_attributed_to():
    text = ("the authorities attributed the murder to the drug mafias. the fmln guerrillas are being held "
            "responsible. they blame the armed forces for the massacre.")
    assert names(actors.attributed_perpetrators(text)) == ["drug mafias", "fmln", "armed forces"]
    # the phrase must name an armed actor
    assert actors.attributed_perpetrators("the police attributed the fire to an electrical fault") == []
    # "the same group" points back at a group named elsewhere; a bare "group" names no one
    assert actors.attributed_perpetrators("The same group had also claimed responsibility for it.") == []
    text = "the union holds the national police responsible for the disappearance of its leader."
    assert names(actors.attributed_perpetrators(text)) == ["national police"]
    text = "the murder was planned and carried out by the guatemalan army, the students said."
    assert names(actors.perpetrators_caseless(text)) == ["guatemalan army"]


def test_targets_hit_where_a_bomb_went_off_or_was_thrown():
    text = "a bomb exploded opposite a telephone exchange; another was thrown at the soda shop"
    assert names(types.targets(text)) == ["telephone exchange", "soda shop"]
    assert names(types.targets("the blast damaged a hotel, two medical clinics, and a construction site")) == [
        "hotel", "medical clinics", "construction site"]


def test_physical_targets_and_target_types():
    text = "guerrillas dynamited two electricity poles and attacked the power substation; police and civilians"
    assert names(types.targets(text)) == ["electricity poles", "power substation"]
    assert names(types.target_types(text)) == ["utilities", "police", "private citizens & property"]


def test_a_vehicle_is_a_weapon_only_when_driven_into_people():
    assert names(types.weapons("the man rammed a truck into the crowd")) == ["truck"]
    assert types.weapons("a truck was parked outside") == []
    assert names(types.weapons("a car bomb and hand grenades")) == ["car bomb", "hand grenades"]


def test_claims_of_responsibility_and_official_responses():
    from incidentwire.extract.responses import responses, responsibility

    assert [v for v, *_ in responsibility("A little-known militant group calling itself Jund al-Khilafah "
                                          "(Soldiers of the Caliphate) claimed responsibility.")] == [
        {"by": "Jund al-Khilafah", "how": None}]
    assert [v for v, *_ in responsibility("The Islamic State group claimed responsibility in a statement "
                                          "posted online.")] == [
        {"by": "The Islamic State group", "how": "statement posted online"}]
    text = ("A red level of anti-terror alert has been announced in the city. Police detained "
            "three suspects. Officials rejected earlier media reports that a curfew has been put in place.")
    got = [(v["kind"], v.get("level"), v.get("count"), v["denied"]) for v, *_ in responses(text)]
    assert got == [("threat_level", "red", None, False), ("arrests", None, 3, False), ("curfew", None, None, True)]
    for value, start, end in responses(text):
        assert text[start:end] == value["detail"]
    # "as" opens no name; "no group has claimed it" names no one; a threat level raised to a level
    assert [v["by"] for v, *_ in responsibility("Police shot him as Islamic State claimed responsibility.")] == [
        "Islamic State"]
    assert [v for v, *_ in responsibility("No group has claimed responsibility.")] == [
        {"by": None, "how": None, "none": True}]
    got = [(v["kind"], v.get("level"), v.get("count")) for v, *_ in responses(
        "The UK raised its terrorism threat level to critical. Police arrested three more men.")]
    assert got == [("threat_level", "critical", None), ("arrests", None, 3)]
    got = [(v["kind"], v.get("count")) for v, *_ in responses(
        "The city was in lockdown with one suspect in custody and a manhunt for an accomplice still at large.")]
    assert got == [("operation", None), ("arrests", 1), ("at_large", 1)]


def test_weapons_used_not_weapons_seized_or_launchers():
    used = "rebels fired two rockets and hurled a grenade at the mayor's office."
    assert [w for w, _, _ in types.weapons(used)] == ["rockets", "grenade"]
    seized = "the patrol seized 14 rifles, a mortar and three boxes of dynamite near the river."
    assert types.weapons(seized) == []
    assert types.weapons("the bomb squad arrived after the shooting; a grenade launcher lay nearby.") == []


def test_described_attackers_keep_their_count():
    text = "the judge was shot dead by a group of 10 paid assassins who fled in two cars."
    assert actors.perpetrator_descriptions(text) == [("group of 10 paid assassins", 29, 55)]
    text = "as he stopped at the light, three heavily armed men kidnapped him and drove off."
    assert [d for d, _, _ in actors.perpetrator_descriptions(text)] == ["three heavily armed men"]
    text = "the six priests were murdered at dawn by uniformed individuals, the archbishop said."
    assert [d for d, _, _ in actors.perpetrator_descriptions(text)] == ["uniformed individuals"]
    # a thousand is no count of the attackers in front of the noun; "the 1,000 armed men" keeps its noun
    text = "the 1,000 armed men attacked the garrison at night."
    assert [d for d, _, _ in actors.perpetrator_descriptions(text)] == ["armed men"]
    text = "police said that terrorists staged three bomb attacks against banks overnight."
    assert [p for p, _, _ in actors.perpetrators_caseless(text)] == ["terrorists"]


def test_state_forces_named_as_killers_are_perpetrators():
    text = "witnesses said soldiers murdered four peasants near the cooperative."
    assert [p for p, _, _ in actors.perpetrators_caseless(text)] == ["soldiers"]
    # combat between armed sides is not an attack on people: no perpetrator from it
    assert actors.perpetrators_caseless("troops attacked a rebel camp in the hills.") == []


def test_targets_keep_their_modifiers_and_passive_subjects():
    text = ("rebels attacked the santo tomas presidential farm. the antioquia liqueur plant was partially "
            "destroyed and two buses were burned. police destroyed part of the building")
    assert names(types.targets(text)) == ["santo tomas presidential farm", "antioquia liqueur plant", "buses",
                                          "building"]
    text = "the guerrillas attacked an electric power substation"
    assert [(t, text[s:e]) for t, s, e in types.targets(text)] == [("electric power substation",) * 2]


def test_targets_after_a_time_word_and_vehicles_hit():
    text = "a car loaded with explosives exploded tuesday morning outside a provincial police building."
    assert names(types.targets(text)) == ["provincial police building"]
    text = "the rebels set fire to a red cross ambulance and stopped two fishing boats on the river."
    assert names(types.targets(text)) == ["red cross ambulance"]
    text = "the guerrillas burned a hospital ambulance, a fuel truck and a station wagon."
    assert names(types.targets(text)) == ["hospital ambulance", "fuel truck", "station wagon"]


def test_a_target_that_is_part_or_seat_of_something_is_named_with_its_owner():
    text = "gunmen set fire to the offices of the national teachers union in the capital."
    assert names(types.targets(text)) == ["offices of the national teachers union"]
    text = "a bomb exploded at a branch of the province's savings bank, which was closed."
    assert names(types.targets(text)) == ["branch of the province's savings bank"]
    # no owner: the "of" phrase must be a name, not a count or a clause
    assert names(types.targets("rebels attacked the offices in the town.")) == ["offices"]
    assert names(types.targets("they burned the buildings of two farms.")) == ["buildings"]


def test_a_victim_named_in_part_takes_the_full_name_the_article_uses():
    text = ("aboard were colombian pilot julio torres and luis antonio meneses benavides. mr. torres was "
            "killed and mr. meneses was wounded. jesuit priest jose ignacio ellacuria, rector.")
    at = text.rfind("torres")
    assert actors.full_name(text, "torres", at, at + 6) == ("julio torres", text.find("julio"), text.find(" and"))
    at = text.rfind("meneses")
    assert actors.full_name(text, "meneses", at, at + 7)[0] == "luis antonio meneses benavides"
    at = text.find("ignacio")
    assert actors.full_name(text, "ignacio ellacuria", at, at + 17)[0] == "jose ignacio ellacuria"
    # ordinary words after a name are not taken in: a name must end at punctuation, "and", "was"
    text = "waldemar franklin quintero left the building. a bomb killed waldemar franklin quintero."
    assert actors.full_name(text, "waldemar franklin quintero", 0, 26) == ("waldemar franklin quintero", 0, 26)
    cased = "Police named him as M.K. Kariev. Kariev shot four officers; his brother Timur was held."
    at = cased.rfind("Kariev")
    assert actors.full_name(cased, "Kariev", at, at + 6) == ("M.K. Kariev", 20, 31)


def test_attack_type_words_that_mislead():
    assert types.attack_type("the state of siege was lifted after the attack")[0] == "unknown"
    assert types.attack_type("rebels burned the facilities and stole food")[0] == "facility_infrastructure_attack"
    assert types.attack_type("he was burned to death when the bomb exploded")[0] == "bombing_explosion"
    assert types.attack_type("the air force bombed the outskirts of the city")[0] == "armed_assault"


def test_a_vehicle_driven_into_people_is_an_unarmed_assault():
    for text in ("a hijacked beer truck was driven down a busy shopping street, killing four",
                 "he drove a rented van into pedestrians on the bridge", "the Stockholm truck attack"):
        assert types.attack_type(text)[0] == "unarmed_assault", text
    assert names(types.weapons("a hijacked beer truck was driven down a busy shopping street")) == ["truck"]
    assert names(types.weapons("as the vehicle drove through the neighborhood")) == []
    # GTD ranks an armed assault higher: a ramming with shots fired is one
    assert types.attack_type("he drove a truck into the market after he shot the driver")[0] == "armed_assault"
    # a car on its way, a car bomb: not a ramming
    assert types.attack_type("as the vehicle drove through the neighborhood, gunmen opened fire")[0] == "armed_assault"
    assert types.attack_type("a car bomb exploded outside the truck depot")[0] == "bombing_explosion"


def test_act_types_lists_every_kind_of_act_named():
    text = "guerrillas attacked the farm with machineguns and burned a tank truck"
    assert [t for t, _, _ in types.act_types(text)] == ["armed_assault", "facility_infrastructure_attack"]
    assert types.act_types("troops seized bombs in a house") == []


def test_explosive_is_a_weapon_only_as_a_noun_phrase():
    assert names(types.weapons("an explosive device, a dynamite charge and explosives")) == [
        "explosive device", "dynamite charge", "explosives"]
    assert types.weapons("the explosive situation in the capital") == []


def test_bomb_words_that_say_nothing_about_the_attack_do_not_vote():
    # arms found or seized, an army bombing and shelling: no evidence of a bombing
    assert types.attack_type("troops seized explosives and bombs in a house; guerrillas attacked")[0] == "unknown"
    assert types.attack_type("the army bombed and shelled the villages")[0] == "unknown"
    assert types.attack_type("drug traffickers set off a bomb at the bank")[0] == "bombing_explosion"


def test_a_victim_name_starts_after_its_titles():
    text = "the murder of fire department director colonel roberto rivera, and the killing of presidential candidates."
    assert [(n, text[s:e]) for n, s, e in actors.victims(text)] == [("roberto rivera", "roberto rivera")]



def test_targets_listed_after_the_first_one():
    text = "terrorists burned the offices, the agrarian bank, the national bank, and health ministry offices."
    assert names(types.targets(text)) == ["offices", "agrarian bank", "national bank", "health ministry offices"]
    # what follows another verb is not in the list
    assert names(types.targets("rebels attacked the farm and killed two peasants and the house")) == ["farm"]


def test_a_pair_of_names_killed_after_an_apposition_or_a_relative_clause():
    text = "his two escorts, mario vega and luis de leon, who were inside the car, were killed instantly."
    assert names(actors.victims(text)) == ["mario vega", "luis de leon"]
    text = "sources said that ana soto and pedro lara, a 30-year-old teacher at the school have been killed."
    assert names(actors.victims(text)) == ["ana soto", "pedro lara"]
    # people described, not named, in the same shape are no victims' names
    assert actors.victims("in the town, local residents and angry farmers were wounded by gunfire.") == []


def test_a_bare_name_right_after_a_past_tense_kidnapping():
    assert names(actors.victims("unknown men kidnapped jorge salas -- brother of the mayor -- on monday.")) == [
        "jorge salas"]
    assert actors.victims("the rebels kidnapped two engineers, the company said.") == []


def test_a_target_named_as_the_target_of_an_attack():
    text = "the governor's residence located in the north district was the target of an attack."
    assert names(types.targets(text)) == ["governor's residence"]
    assert names(types.targets("the terrorists' target was the national brewery plant.")) == [
        "national brewery plant"]
    assert names(types.targets("five bank branch offices were shaken by explosives.")) == ["bank branch offices"]



def test_a_name_in_the_possessive_is_not_the_victim():
    # "perez' brother-in-law was kidnapped": the brother-in-law was, not perez
    assert actors.victims("president carlos andres perez' brother-in-law was kidnapped in colombia") == []


def test_targets_keep_up_to_five_modifiers():
    text = "the rebels attacked a u.s. state department c-123 cargo plane near the airport."
    assert names(types.targets(text)) == ["u.s. state department c-123 cargo plane"]


def test_a_full_name_is_not_widened_over_ordinary_words():
    text = "the police rescued manuel vallejo uribe. later, photographers roberto navas and a guard named barroso"
    for name in ("manuel vallejo uribe", "roberto navas", "barroso"):
        start = text.index(name)
        assert actors.full_name(text, name, start, start + len(name))[0] == name
    # ... but still over the words of the name ("-med" is no verb form: mohammed)
    text = "khalid sheikh mohammed was killed. later sheikh mohammed was buried"
    start = text.rindex("sheikh mohammed")
    assert actors.full_name(text, "sheikh mohammed", start, start + 15)[0] == "khalid sheikh mohammed"


def test_attackers_described_by_how_they_looked_or_that_they_are_unknown():
    found = find_attackers("a report said that unidentified assailants kidnapped the mayor's brother")
    assert [(noun, side) for noun, _, _, side in found] == [("unidentified assailants", False)]
    found = find_attackers("he was shot dead by hooded men on a motorcycle")
    assert [(noun, side) for noun, _, _, side in found] == [("hooded men", False)]
    # "men" alone says nothing about who attacked
    assert find_attackers("the men killed in the crash were buried") == []


def test_an_armed_actor_said_to_be_responsible_or_to_accept_responsibility():
    text = "the president acknowledged that members of the army were responsible for the massacre."
    assert names(actors.attributed_perpetrators(text)) == ["army"]
    text = "the salvadoran army accepted responsibility this morning for the death of two reporters."
    assert names(actors.attributed_perpetrators(text)) == ["salvadoran army"]
    # someone responsible for something else is no actor
    assert actors.attributed_perpetrators("the colonel is responsible for the eastern region.") == []


def test_bombing_from_the_air_or_by_an_army_is_no_bombing_attack():
    assert types.attack_type("the 5th brigade bombed rebel positions on the volcano.")[0] == "unknown"
    text = "civilians died in the indiscriminate bombings of the government's air force."
    assert types.attack_type(text)[0] == "unknown"
    assert types.attack_type("the capital is being bombed and destroyed by an occupation army.")[0] == "unknown"
    # a bomb set off at a military place is still a bombing
    assert types.attack_type("a bomb exploded at the air force base, killing two.")[0] == "bombing_explosion"
    assert types.attack_type("guerrillas bombed the army post.")[0] == "bombing_explosion"


def test_state_forces_keep_whose_forces_they_are():
    found = find_attackers("sources said that guatemalan army troops killed nine peasants by mistake")
    assert [(noun, side) for noun, _, _, side in found] == [("guatemalan army troops", True)]
    found = find_attackers("the two students were murdered by honduran troops on friday")
    assert [(noun, side) for noun, _, _, side in found] == [("honduran troops", True)]



def test_named_suspects_are_who_the_report_says_is_charged_sought_or_fired():
    said = {
        "The suspect, Trevor Munier, claimed the weapon was at home.": ["Trevor Munier"],
        "Tremaine Wilbourn, 29, is accused of killing officer Sean Bolton.": ["Tremaine Wilbourn"],
        "A statement said Markale Deandra Hart, 22, of Camp Hill, Alabama, was arrested on a warrant.":
            ["Markale Deandra Hart"],
        "Moise Kasongo, of the 2000 block of West Jarvis Avenue, was charged with battery.": ["Moise Kasongo"],
        "Police are searching for 40-year-old Ernesto Velazquez in connection with the death.": ["Ernesto Velazquez"],
        "In a release, police identified the suspect as Stephen Pasceri, 55, of Millbury.": ["Stephen Pasceri"],
        "Police say 35-year-old Thomas Ransom shot and killed 38-year-old April Ransom.": ["Thomas Ransom"],
        "Ervin Ray Pickens, 61, faces a murder charge in the death of Gregory Bishop.": ["Ervin Ray Pickens"],
        "Authorities tracked down 37-year old Rafael Herrera Saturday in Maryland.": ["Rafael Herrera"],
        "Police believe the man who shot Boring is Robert Pasillas, who turned himself in.": ["Robert Pasillas"],
        "Police arrested Deputy Sheriff John Smith on Friday.": ["John Smith"],  # the title is not the name
    }
    for text, expected in said.items():
        assert names(actors.named_suspects(text)) == expected, text
    for text in ("John Smith shot dead in Chicago.",           # a victim in a headline
                 "Police said John Smith was shot in the leg.",  # a victim
                 "Police Chief Jane Doe said officers arrested two men.",  # who speaks is no suspect
                 "police arrested john smith on friday",       # no case, no name
                 "Police arrested Smith on Friday."):          # one word is no full name
        assert actors.named_suspects(text) == [], text


def test_a_named_suspect_goes_with_the_incident_even_when_said_apart_from_it():
    from incidentwire.extract.incidents import extract_mentions
    from incidentwire.records import Article

    text = ("A man was shot and wounded in Mott Haven in the Bronx on Monday night, police said.\n\n"
            "Commissioner Bratton later identified the suspect as Christopher Rice, 19, who has a criminal history.")
    [main] = extract_mentions(Article(id="a", text=text, published="2016-01-05"))
    suspects = [c for c in main.claims if c.extractor == "actors.named_suspects"]
    assert [(c.field, c.value, text[c.start:c.end]) for c in suspects] == [
        ("perpetrators", "Christopher Rice", "Christopher Rice")]


def test_named_victims_in_cased_reports():
    said = {
        "The coroner has identified the deceased victim as Derek Burgess of North Charleston.": ["Derek Burgess"],
        "Police say 20-year-old Domique Waugh was shot in the stomach.": ["Domique Waugh"],
        "Brandon Borders, 29, was suffering from a gunshot wound in his left calf.": ["Brandon Borders"],
        "Jennifer Markovsky, 35, and Ke'Arre Marcell Stewart, 29, were killed.": [
            "Jennifer Markovsky", "Ke'Arre Marcell Stewart"],
        "Rialmo fatally shot Quintonio LeGrier, 19, on Dec. 26.": ["Quintonio LeGrier"],
        "The male was identified as Shane G. Williams and the female was identified as Melissa Beckner.": [
            "Shane G. Williams", "Melissa Beckner"],
        "Officers found Juwan Small, who was pronounced dead at the scene.": ["Juwan Small"],
    }
    for text, expected in said.items():
        assert names(actors.named_victims(text)) == expected, text
    for text in ("A girl from Los Angeles and Dennis, 17, were shot.",   # a place is no one
                 "John Smith was charged with murder.",                 # a suspect
                 "police said john smith was shot"):                    # no case
        assert actors.named_victims(text) == [], text


def test_a_name_said_in_part_takes_the_fullest_form_the_report_prints():
    text = "Angel Miguel Ledesma, 26 - The Homicide Report - Los Angeles TimesAngel Miguel Ledesma died."
    start = text.rindex("Miguel")
    assert actors.fullest_cased_name(text, "Miguel Ledesma", start, start + 14) == (
        "Angel Miguel Ledesma", 0, 20)
