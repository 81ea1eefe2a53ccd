"""Relevance stage: which reports count as about political violence."""

from __future__ import annotations

import pytest

from incidentwire import relevance
from incidentwire.records import Article


def assessed(text: str) -> Article:
    return relevance.assess(Article(id="a", text=text))


@pytest.mark.parametrize("text", [
    "The brother-in-law of the president was kidnapped in Colombia, family sources said.",
    "The supreme court ordered a special judge to investigate the murder of Pedro Alvarez.",
    "Senator Mario Ortega was assassinated on 18 August, the day the decrees were issued.",
    "The rebels reportedly blew up several electricity poles with dynamite near the capital.",
    "The rector said the report that army elements are responsible for the killing of six priests is important.",
])
def test_one_act_done_to_someone_is_enough(text):
    assert assessed(text).relevant


@pytest.mark.parametrize("text", [
    "Officers responsible for political murders must be brought to trial, the party said.",
    "Marred by a carabinero's assassination, the country returned to democracy.",
    "One person was killed in a road accident near the border on Sunday.",
])
def test_a_passing_mention_or_a_death_alone_is_not(text):
    article = assessed(text)
    assert not article.relevant
    assert article.relevance_reason.startswith(("one violence term only", "harm without a violent act"))


def test_a_long_report_that_names_an_attack_once_and_late_is_not():
    politics = ("The president met the opposition leaders today to discuss the electoral reform and the "
                "budget for next year, and the talks will go on next week in the capital. ") * 14
    text = politics + "Guerrillas have attacked a bridge in the north, where rebels are active, the army said."
    assert len(text) > 2000 and not assessed(text).relevant
    assert "in passing" in assessed(text).relevance_reason
    # the same attack said first is the report's subject, however long the rest
    assert assessed("Guerrillas attacked a bridge in the north, where rebels are active. " + politics).relevant
    # a short report that names it once is about it
    assert assessed(politics[:400] + "Guerrillas have attacked a bridge, rebels said.").relevant
