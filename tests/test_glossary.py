"""dashboards.glossary: every figure's caption, unit, paragraph and source, and the "What is ...?" disclosure."""

from __future__ import annotations

import re

import pytest
from builders import ROOT
from dash import html

from dashboards import glossary

METRICS = ROOT.parent / "shared" / "METRICS.md"
#: The figures the pages show as cards or graphs (Today, Goal, Activity, Plan, Fatigue, Training, Coach, Wellness).
FIGURES = ("fitness", "fatigue", "form", "ramp", "acwr", "monotony", "strain", "ascent_fitness", "week_distance",
           "week_time", "week_ascent", "week_descent", "weekly_volume", "weekly_ascent", "cumulative_ascent",
           "goal_ascent", "best_7day", "best_window", "biggest", "last_7_days", "needed", "trend", "projected",
           "elapsed", "activity_distance", "activity_ascent", "gap", "load", "load_rpe", "heart_rate", "race_form",
           "race_fitness", "readiness", "hrv", "resting_hr", "sleep", "wellness_scales", "daily_load")


def test_every_figure_has_an_entry():
    assert set(FIGURES) <= set(glossary.ENTRIES)


@pytest.mark.parametrize("key", sorted(glossary.ENTRIES))
def test_an_entry_has_plain_words_and_a_source(key):
    e = glossary.entry(key)
    assert e.caption and e.caption[0].islower()  # a few words, continued by the card's label
    assert e.about.endswith(".") and len(e.about) > 60 and "\n" not in e.about  # one paragraph
    assert e.source.endswith(".")
    # the reference, or the recording itself (an activity file; the athlete's mornings for wellness)
    assert "METRICS.md" in e.source or "activity file" in e.source or "wellness entries" in e.source
    assert e.question.startswith(("What is ", "When does ")) and e.question.endswith("?")


def test_the_questions_name_their_figure_and_are_unique():
    questions = [e.question for e in glossary.ENTRIES.values()]
    assert len(set(questions)) == len(questions)  # a screen reader's list of disclosures tells them apart
    assert glossary.entry("fitness").question == "What is fitness?"
    assert glossary.entry("acwr").question == "What is the acute:chronic ratio?"


def test_captions_say_the_unit():
    fitness = glossary.entry("fitness")
    assert fitness.title == "Fitness: your 6-week average daily load"
    assert fitness.line == "Your 6-week average daily load, in load points a day."
    assert glossary.entry("form").line == "Fitness minus fatigue, in load points."
    assert glossary.entry("acwr").line == "Last week's load against the last four weeks', as a ratio (1.0: a usual week)."
    assert glossary.entry("ramp").unit == "load points a week"
    # a value that carries its unit (km, m, "58 h 01 min") needs none in the caption
    assert glossary.entry("week_distance").line == "Distance covered since Monday."


def test_the_load_unit_is_the_one_metrics_md_defines():
    """Every load is scaled so that an hour at threshold is 100 (METRICS.md: hrTSS-like, Coggan TSS, rTSS-like)."""
    assert "an hour at threshold = 100" in glossary.entry("load").unit
    assert "an hour at your threshold effort scores 100" in glossary.entry("fitness").about
    for key in ("fitness", "fatigue", "form", "ramp", "strain", "race_form", "race_fitness"):
        assert glossary.entry(key).unit.startswith(glossary.LOAD_POINTS)


def test_the_disclosure_holds_the_paragraph_and_the_source():
    details = glossary.details("acwr")
    assert isinstance(details, html.Details) and details.className == "explain"
    summary, about, source = details.children
    assert isinstance(summary, html.Summary) and summary.children == "What is the acute:chronic ratio?"
    assert about.children == glossary.entry("acwr").about
    assert source.children.startswith("Source: ") and "Williams et al." in source.children
    assert "Impellizzeri" in source.children  # the bands are disputed: said with the source


def test_a_card_shows_the_caption_and_the_disclosure():
    caption, details = glossary.card("fitness")
    assert caption.children == glossary.entry("fitness").line and caption.className == "stat-caption"
    assert details.children[0].children == "What is fitness?"


def test_a_section_lists_the_disclosures_of_a_page_of_graphs():
    section = glossary.section("What the charts show", ("fitness", "monotony"), "fatigue-glossary")
    assert section.id == "fatigue-glossary" and section.children[0].children == "What the charts show"
    items = section.children[1].children
    assert [item.children[0].children for item in items] == ["Fitness: your 6-week average daily load",
                                                           "Monotony: how alike your last 7 days' loads are"]
    with pytest.raises(KeyError):
        glossary.card("made up")


def test_the_cold_start_is_explained_where_it_applies():
    """METRICS.md: during the cold start no band and no warning; the ACWR's disclosure says why."""
    assert "building history" in glossary.entry("form").about
    assert "no band" in glossary.entry("acwr").about and "by construction" in glossary.entry("acwr").about


@pytest.mark.skipif(not METRICS.exists(), reason=f"METRICS.md not found at {METRICS}")
def test_the_sources_name_sections_of_metrics_md():
    headings = {line[3:].strip() for line in METRICS.read_text().splitlines() if line.startswith("## ")}
    for key, e in glossary.ENTRIES.items():
        for cited in re.findall(r'"([^"]+)"', e.source):  # a heading, its parenthesis left out or not
            assert any(h == cited or h.startswith(cited + " (") for h in headings), (
                f"{key}: METRICS.md has no section {cited!r}")
