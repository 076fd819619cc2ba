"""Coach: a roster of the athletes with key figures, the day's readiness and flags, and a side-by-side comparison.

With a roster (``trainlog batch``) its rows are shown, searched, filtered, ordered and paged in the URL
(:mod:`dashboards.pages._roster`); without one each athlete's figures are computed, as they always were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

import dash
import polars as pl
from dash import dcc, html

from dashboards import data, figures, glossary, readings, shell, wellness_words
from dashboards import units as u
from dashboards.pages import _roster
from dashboards.shell import Children
from trainlog.errors import TrainlogError

dash.register_page(__name__, path="/coach", name="Coach", title="Coach · trainlog", order=5)

#: Daily columns the comparison plots: (column, title); ``ascent_7d`` is in the display unit.
COMPARED = (("ctl", "Fitness (CTL)"), ("tsb", "Form (TSB)"), ("ascent_7d", "Ascent, last 7 days ({unit})"))
#: The URL's ``compare`` value for "nobody chosen" (no ``compare`` at all means the default).
NOBODY = "none"
#: Without ``compare``, a page of at most this many athletes compares them all; a longer one nobody.
COMPARE_ALL = 4
#: The most athletes compared at once (each is their whole daily series), and the longest ``compare`` read.
COMPARE_MAX, COMPARE_CHARS = 8, 2000


def chosen_athletes(compare: str | None, athletes: list[str], default: list[str] | None = None) -> list[str]:
    """The athletes the URL's ``compare=a,b`` names among ``athletes`` (in their order); without it ``default``
    (every athlete when None)."""
    if compare is None:
        return list(athletes) if default is None else [a for a in athletes if a in default]
    named = set(compare[:COMPARE_CHARS].split(","))
    return [a for a in athletes if a in named]


def toggled(chosen: list[str], athlete: str) -> list[str]:
    """The comparison with ``athlete`` added, or taken out when it was in."""
    return [a for a in chosen if a != athlete] if athlete in chosen else [*chosen, athlete]


def compare_query(chosen: list[str] | None, athletes: list[str], default: list[str] | None = None) -> str | None:
    """The ``compare`` value for a choice among ``athletes`` (None: the default, every athlete when None)."""
    chosen = [a for a in athletes if a in (chosen or [])]
    if chosen == chosen_athletes(None, athletes, default):
        return None
    return ",".join(chosen) or NOBODY


def roster_rows(units: str) -> list[dict]:
    """One dict per athlete, computed now (:func:`dashboards.pages._roster.cells`): the day shown and the summary's
    key figures, formatted, the plan, readiness and flags."""
    source = data.get()
    return [_roster.cells(_roster.computed(source, athlete), units) for athlete in source.athletes()]


def _version() -> Hashable | None:
    """What the page depends on besides its URL (:func:`dashboards.shell.guarded`): with a roster, nothing is kept
    (the page renders a page of rows in milliseconds; its words also follow each shown athlete's settings)."""
    source = data.get()
    return None if source.roster_key() is not None else source.version()


def compliance_cell(plan: list[tuple[str, str | None]] | None) -> Children:
    """The roster's plan cell: each measure's share of the plan in words, coloured by its compliance."""
    if plan is None:
        return "no plan"
    if not plan:
        return "no planned week over yet"
    cells: list = []
    for text, colour in plan:
        word = readings.COMPLIANCE_WORDS.get(colour, "")
        cells += [", "] if cells else []
        cells.append(html.Span(f"{text} {word}".strip(), className=f"compliance {colour or ''}".strip()))
    return cells


def readiness_cell(ready: dict | None) -> Children:
    """The roster's readiness cell: the day's level in words, styled by it (the worst flag's), and its flags in a
    few words each ("flag: HRV low (48 ms), slept 5.5 h"); "no check-in" without an entry that day."""
    if ready is None:
        return u.DASH
    level = ready["level"]
    if level is None:
        return "no check-in"
    said = wellness_words.short_flags(ready)
    hrv = ready["baselines"]["hrv"]
    building = " (HRV baseline building)" if not said and hrv["baseline_values"] < hrv["values_needed"] else ""
    return [html.Span(wellness_words.LEVEL_WORDS[level], className=f"readiness-level {level}"),
            f": {said}" if said else building]


@shell.guarded("/coach", version=_version, keys=_roster.QUERY_KEYS)
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/coach")
    plain = shell.plain_query(query)
    ask, notes = _roster.asked(plain)
    page = _roster.page_of(data.get(), ask)
    names = [r.athlete for r in page.records]
    default = names if len(names) <= COMPARE_ALL else []  # compared without ``compare`` in the URL
    chosen, choices, compare_notes = _comparison(plain.get("compare"), names, default)
    v = dataclasses.replace(v, notes=(*v.notes, *notes, *page.notes, *compare_notes))
    compare_kept = {"compare": plain.get("compare")[:COMPARE_CHARS] if plain.get("compare") else None}
    links = {**v.query, **ask.query(), **compare_kept}  # what links to this page keep
    head = ["athlete", "day shown", "Fitness (CTL)", "Form (TSB)", "Acute:chronic ratio (ACWR)", "ascent this week",
            "best 7 days", "goal date", "plan, last 4 weeks", "race-morning form", "readiness", "flags"]
    body = [
        html.Tr([
            html.Td(dcc.Link(r["athlete"], href=shell.href("/", {"athlete": r["athlete"], "units": v.query.get("units")}))),
            html.Td(r["as_of"]), html.Td(r["ctl"]), html.Td(r["tsb"]), html.Td(r["acwr"]),
            html.Td(r["week_ascent"]), html.Td(r["best_7day"]), html.Td(r["goal"]),
            html.Td(compliance_cell(r["plan"]), className="plan-compliance"), html.Td(r["race_form"]),
            html.Td(readiness_cell(r["readiness"]), className="readiness"),
            html.Td(html.Ul([html.Li(f) for f in r["flags"]]) if r["flags"] else "–", className="flags"),
        ], id={"type": "roster-row", "athlete": r["athlete"]})
        for r in (_roster.cells(record, v.units) for record in page.records)
    ]
    said = _roster.source_words(page)
    return shell.page("/coach", v, [
        html.H1("Coach: all athletes", className="title"),
        html.Section([
            html.H2("Roster"),
            html.P(said, id="roster-source", className="note") if said else None,
            _roster.form(ask, {**v.query, **compare_kept}),
            html.P(_roster.count_words(page, ask.filtered), id="roster-count", className="note"),
            html.Div(html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
                                className="plain roster", id="coach-roster"), className="table-wrap"),
            _roster.pager(page, links),
        ], className="card"),
        glossary.section("What the roster's figures mean", ("fitness", "form", "acwr", "best_7day", "readiness"),
                         "coach-glossary"),
        html.Section([
            html.H2("Side by side"),
            _compare_choice(chosen, choices, default, links),
            html.Div(compare(chosen, v.units), id="compare-graphs", className="grid"),
        ], className="card"),
    ])


def _comparison(compare: str | None, names: list[str], default: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Who is compared, who may be chosen, and notes: the choices are the page's athletes (``names``) and those the
    URL's ``compare`` names that the signed-in user may see (at most :data:`COMPARE_MAX`); without ``compare``,
    ``default`` (the page's athletes when they are at most :data:`COMPARE_ALL`, else nobody)."""
    if compare is None:
        return chosen_athletes(None, names, default), names, []
    visible = set(data.get().athletes())
    named = [a for a in dict.fromkeys(compare[:COMPARE_CHARS].split(",")) if a in visible]
    notes = []
    if len(named) > COMPARE_MAX:
        notes.append(f"At most {COMPARE_MAX} athletes are compared at once; showing {', '.join(named[:COMPARE_MAX])}.")
        named = named[:COMPARE_MAX]
    choices = [*names, *(a for a in named if a not in names)]
    return chosen_athletes(",".join(named), choices), choices, notes


def _compare_choice(chosen: list[str], athletes: list[str], default: list[str], query: dict) -> html.Div:
    """One link per athlete that adds them to the comparison or takes them out (the URL's ``compare=a,b``,
    so a link reopens the same comparison); the words say which, ``aria-current`` marks those shown."""
    def link(athlete: str) -> html.A:
        shown = athlete in chosen
        target = shell.href("/coach", query, compare=compare_query(toggled(chosen, athlete), athletes, default))
        return html.A([("✓ " if shown else "+ ") + athlete,
                       html.Span(" (shown: select to take out)" if shown else " (select to add)",
                                 className="visually-hidden")],
                      href=target, id=f"compare-{athlete}", className="toggle-link" + (" active" if shown else ""),
                      **{"data-spa": "", **({"aria-current": "true"} if shown else {})})
    return html.Div([html.Span("Compare", id="compare-label", className="control-label"), *map(link, athletes)],
                    id="compare-athletes", className="control-group compare-choice", role="group",
                    **{"aria-labelledby": "compare-label"})


def compare(athletes: object, units: str | None) -> list[html.Div]:
    """One graph per compared column, one line per chosen athlete (each up to their own day).

    Kept (:meth:`dashboards.data.Data.page`) until the compared athletes' data or settings, the signed-in user or
    the quarter-hour change: it does not depend on the page's day, roster page or filters."""
    units = u.system(units)
    source = data.get()
    visible = set(source.athletes())
    chosen = [a for a in (athletes if isinstance(athletes, list) else [])[:COMPARE_MAX] if a in visible]
    return source.page(("compare", None, source.version(chosen), tuple(chosen), units), lambda: _compared(chosen, units))


def _compared(athletes: list[str], units: str) -> list[html.Div]:
    source = data.get()
    dailies = {}
    for athlete in athletes:
        try:
            as_of, _ = source.default_as_of(athlete)
            daily = source.daily(athlete, as_of)
        except TrainlogError:  # the roster says why
            continue
        ascent_7d = u.elevation(pl.col("ascent_m").rolling_sum(7, min_samples=1), units)
        dailies[athlete] = daily.with_columns(ascent_7d=ascent_7d)
    unit = u.elevation_unit(units)
    return [html.Div(shell.graph(figures.compare(dailies, column, title.format(unit=unit)), f"coach-{column}",
                                 level=3), className="card")
            for column, title in COMPARED]
