"""The Coach page's roster (issue 18): which athletes it shows, in which order and page, and each row's words.

With a roster (:mod:`trainlog.store.roster`, written by ``trainlog batch``) the rows are the roster's, read through
:meth:`dashboards.data.Data.roster`: searching, filtering, ordering and paging 10,000 of them is a few Polars
operations, and only the page's rows are worded. Without one, each athlete's figures are computed as the Coach page
always did (:func:`computed`), for the page's athletes only when neither a filter nor an order needs the others.

Everything the coach chooses is in the URL's query, so a link reopens the same view, and every value is checked:
``q`` (a part of the athlete's name, any case; at most :data:`Q_MAX` characters), ``show`` (:data:`SHOWS`),
``sort`` (:data:`SORTS`), ``page`` (from 1, :data:`PAGE_SIZE` athletes a page). A value that is not one gives the
default and a note (:func:`asked`), a page after the last shows the last (:func:`page_of`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import polars as pl
from dash import dcc, html

from dashboards import data, readings, shell
from dashboards import units as u
from trainlog.analysis import coach
from trainlog.analysis.stored import local_today
from trainlog.errors import TrainlogError, first_line
from trainlog.settings import ModelSettings
from trainlog.words import Level

#: The query keys of the roster (besides the view's and ``compare``).
QUERY_KEYS = ("q", "show", "sort", "page")
#: Athletes a page of the roster shows (50 rows took Chromium 2.5-3 s to draw on the 2-core test machine; 10 rows 0.4 s).
PAGE_SIZE = 25
#: Athletes with a dataset but no roster row named above the table (the others counted).
UNLISTED_NAMED = 10
#: The longest search (characters): an athlete's name has at most 64.
Q_MAX = 100
#: ``show``: which athletes (value -> the words of the form's select).
SHOWS = {
    "all": "every athlete",
    "flagged": "athletes with a flag",
    "spike": "an ACWR spike",
    "readiness": "a readiness flag or warning",
    "errors": "figures that failed",
}
#: ``sort``: the order (value -> the words of the form's select); ties in name order.
SORTS = {
    "athlete": "name",
    "-n_flags": "most flags first",
    "-acwr": "highest ACWR first",
    "-ctl": "highest fitness (CTL) first",
    "tsb": "lowest form (TSB) first",
    "readiness": "readiness: flags first",
}
#: How loud each readiness level is, loudest first (no check-in last).
READINESS_ORDER = {Level.FLAG.value: 0, Level.WARN.value: 1, Level.OK.value: 2}
#: The columns :func:`chosen` reads (a roster's, or :func:`frame_of` records computed per athlete).
LEAN = {"athlete": pl.String, "name_lower": pl.String, "ctl": pl.Float64, "acwr": pl.Float64, "tsb": pl.Float64,
        "n_flags": pl.Int64, "flags": pl.List(pl.String), "readiness": pl.String, "error": pl.String}


@dataclass(frozen=True)
class Ask:
    """What the URL asks the roster for (checked: :func:`asked`)."""

    q: str = ""
    show: str = "all"
    sort: str = "athlete"
    page: int = 1

    @property
    def filtered(self) -> bool:
        return bool(self.q) or self.show != "all"

    def query(self) -> dict[str, str | None]:
        """The query keys of the values that are not the default (None removes a key from a link)."""
        return {"q": self.q or None, "show": None if self.show == "all" else self.show,
                "sort": None if self.sort == "athlete" else self.sort, "page": None if self.page == 1 else str(self.page)}


def asked(query: dict) -> tuple[Ask, list[str]]:
    """The roster's search, filter, order and page from the URL's query (one string per key: ``shell.plain_query``),
    each a valid value; a note for each value given that is not one (then its default is used)."""
    notes = []
    q = query.get("q", "").strip()
    if len(q) > Q_MAX:
        notes.append(f"The search {shell.shown(q)} is longer than {Q_MAX} characters; showing every athlete.")
        q = ""
    show = query.get("show") or "all"
    if show not in SHOWS:
        notes.append(f"Unknown filter {shell.shown(show)}; showing every athlete.")
        show = "all"
    sort = query.get("sort") or "athlete"
    if sort not in SORTS:
        notes.append(f"Unknown order {shell.shown(sort)}; showing athletes by name.")
        sort = "athlete"
    text = query.get("page") or "1"
    page = int(text) if re.fullmatch(r"[0-9]{1,18}", text) else 0
    if page < 1:
        notes.append(f"There is no page {shell.shown(text)}; showing page 1.")
        page = 1
    return Ask(q, show, sort, page), notes


def chosen(frame: pl.DataFrame, ask: Ask) -> pl.DataFrame:
    """The rows of ``frame`` (columns :data:`LEAN` at least) that match the search and the filter, in the order asked."""
    if ask.q:
        frame = frame.filter(pl.col("name_lower").str.contains(ask.q.lower(), literal=True))
    if ask.show == "flagged":
        frame = frame.filter(pl.col("n_flags") > 0)
    elif ask.show == "spike":
        frame = frame.filter(pl.col("flags").list.contains(coach.ACWR_SPIKE))
    elif ask.show == "readiness":
        frame = frame.filter(pl.col("readiness").is_in([Level.FLAG.value, Level.WARN.value]))
    elif ask.show == "errors":
        frame = frame.filter(pl.col("error").is_not_null())
    if ask.sort == "readiness":
        rank = pl.col("readiness").replace_strict(READINESS_ORDER, default=len(READINESS_ORDER), return_dtype=pl.Int64)
        return frame.sort([rank, pl.col("athlete")])
    if ask.sort == "athlete":
        return frame.sort("athlete")
    column = ask.sort.removeprefix("-")
    return frame.sort([column, "athlete"], descending=[ask.sort.startswith("-"), False], nulls_last=True)


# ---- one athlete's row: its figures, from the roster or computed now, then in words

@dataclass(frozen=True)
class Record:
    """One athlete's figures for the roster: the day shown, the summary of that day
    (:func:`trainlog.analysis.pipeline.summary_of_analysis`), the readiness shown, the plan's
    ``{"revision", "compliance_last_4_weeks", "race_morning"}``, the model settings the flags are worded with;
    or the one line saying why they could not be computed."""

    athlete: str
    as_of: dt.date | str | None = None
    summary: dict | None = None
    ready: dict | None = None
    plan: dict | None = None
    model: ModelSettings = field(default_factory=ModelSettings)
    error: str | None = None


def from_roster(row: dict, detail: dict | None, model: ModelSettings) -> Record:
    """A roster row (:data:`trainlog.store.roster.ROSTER`) and its ``detail`` read back from JSON as a record."""
    if row["error"] is not None or detail is None:
        return Record(row["athlete"], error=row["error"] or "the roster holds no figures")
    return Record(row["athlete"], row["as_of"], detail["summary"], detail["readiness"], detail["plan"], model)


def computed(source: data.Data, athlete: str) -> Record:
    """The athlete's record computed now through the data object: their default day, its
    summary, plan and readiness (a check-in this morning when training stopped), as the roster's rows are."""
    try:
        as_of, stale = source.default_as_of(athlete)
        s = source.summary(athlete, as_of)
        rep = source.plan_report(athlete, as_of)
        ready = source.readiness(athlete, as_of)
        if stale:  # training stopped (ill, injured?): a check-in this morning is what the coach must see
            this_morning = source.readiness(athlete, local_today(source.settings(athlete)))
            ready = this_morning if this_morning["checked_in"] else ready
        model = source.settings(athlete).model
    except TrainlogError as exc:  # one athlete's damaged data or settings: their row says so
        return Record(athlete, error=first_line(exc))
    plan = {"revision": rep["revision"], "compliance_last_4_weeks": rep["compliance_last_4_weeks"],
            "race_morning": rep["projection"]["race_morning"]}
    return Record(athlete, as_of, s, ready, plan, model)


def codes(r: Record) -> list[str]:
    """The record's flags as the roster's codes (:data:`trainlog.analysis.coach.FLAGS`, most serious first)."""
    return [coach.ERROR] if r.error is not None else coach.all_flags(r.summary, r.ready, r.model)


def frame_of(records: list[Record]) -> pl.DataFrame:
    """Records computed per athlete as the columns :func:`chosen` reads (as a roster's rows have them)."""
    rows = []
    for r in records:
        flags = codes(r)
        s = r.summary or {"acwr": {"value": None}, "form": {"ctl": None, "tsb": None}}
        rows.append({"athlete": r.athlete, "name_lower": r.athlete.lower(), "ctl": s["form"]["ctl"],
                     "acwr": s["acwr"]["value"], "tsb": s["form"]["tsb"], "n_flags": len(flags), "flags": flags,
                     "readiness": r.ready["level"] if r.ready else None, "error": r.error})
    return pl.DataFrame(rows, schema=LEAN, orient="row") if rows else pl.DataFrame(schema=LEAN)


def cells(r: Record, units: str) -> dict:
    """The record's row of the table: the day shown and the summary's key figures formatted, the plan's compliance
    (:func:`dashboards.readings.compliance_parts`; None without a plan), race-morning form, readiness, flags in words."""
    if r.error is not None:
        return {"athlete": r.athlete, "as_of": u.DASH, "ctl": u.DASH, "tsb": u.DASH, "acwr": u.DASH,
                "week_ascent": u.DASH, "best_7day": u.DASH, "goal": u.DASH, "plan": None,
                "race_form": u.DASH, "readiness": None, "flags": [f"{r.athlete}: {r.error}"]}
    s = r.summary
    flags = readings.warnings({**s, "defaults_in_use": []}, r.model)
    # in the cold start no band (never "danger"): METRICS.md's "building history" instead
    cold = "building history" if readings.building_history(s) else None
    morning = r.plan["race_morning"]
    return {
        "athlete": r.athlete,
        "as_of": u.fmt_day(r.as_of),
        "ctl": u.number(s["form"]["ctl"]),
        "tsb": f"{u.number(s['form']['tsb'])} {cold or s['form']['band'] or ''}".strip(),
        "acwr": f"{u.number(s['acwr']['value'], 2)} {cold or s['acwr']['band'] or ''}".strip(),
        "week_ascent": u.fmt_elevation(s["this_week"]["ascent_m"], units),
        "best_7day": u.fmt_elevation(s["goal"]["best_7day_ascent_m"], units),
        "goal": u.fmt_day(s["goal"]["date"]) if s["goal"]["date"] else "no date set",
        "plan": (readings.compliance_parts(r.plan["compliance_last_4_weeks"]) if r.plan["revision"] is not None
                 else None),
        "race_form": f"{readings.signed(morning['tsb'])} on {u.fmt_day(morning['date'])}" if morning else u.DASH,
        "readiness": r.ready,
        "flags": flags,
    }


# ---- the page of the roster shown

@dataclass(frozen=True)
class Page:
    """The roster's page shown: its records, which page of how many, the athletes matching and in all."""

    records: list[Record]
    number: int
    pages: int
    matching: int
    everyone: int
    from_roster: bool
    updated: dt.datetime | None = None  # the newest roster row's time (UTC)
    said: str | None = None  # why the roster was not read (it could not be)
    notes: tuple[str, ...] = ()  # a page asked for that does not exist
    unlisted: tuple[str, ...] = ()  # athletes with a dataset but no row in the roster yet


def _page_number(ask: Ask, matching: int) -> tuple[int, int, tuple[str, ...]]:
    pages = max(1, math.ceil(matching / PAGE_SIZE))
    if ask.page <= pages:
        return ask.page, pages, ()
    return pages, pages, (f"There is no page {ask.page:,}: {pages:,} page{'s' if pages > 1 else ''} of athletes "
                          f"match; showing page {pages:,}.",)


def page_of(source: data.Data, ask: Ask) -> Page:
    """The page of the roster ``ask`` asks for: from the roster when the data directory has one (only the page's
    rows are read back and worded), else computed per athlete (:func:`computed`: the page's athletes only, unless a
    filter or an order needs every athlete matching the search)."""
    said = None
    try:
        frame = source.roster()
    except TrainlogError as exc:  # a damaged roster is rebuilt by `trainlog batch analyse`; the page still shows
        frame, said = None, f"{first_line(exc)}. The figures below are computed for each athlete instead."
    if frame is not None:
        rows = chosen(frame, ask)
        number, pages, notes = _page_number(ask, rows.height)
        shown = rows.slice((number - 1) * PAGE_SIZE, PAGE_SIZE).to_dicts()
        details = source.roster_details(r["athlete"] for r in shown)
        records = [from_roster(r, details[r["athlete"]], source.model_settings(r["athlete"])) for r in shown]
        updated = frame["updated_utc"].max() if frame.height else None
        listed = set(frame["athlete"].to_list())
        unlisted = tuple(a for a in source.athletes() if a not in listed)
        return Page(records, number, pages, rows.height, frame.height, True, updated, notes=notes, unlisted=unlisted)
    everyone = source.athletes()
    names = [a for a in everyone if ask.q.lower() in a.lower()]
    if ask.show == "all" and ask.sort == "athlete":  # the page's athletes alone
        number, pages, notes = _page_number(ask, len(names))
        records = [computed(source, a) for a in names[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]]
        return Page(records, number, pages, len(names), len(everyone), False, said=said, notes=notes)
    every = {a: computed(source, a) for a in names}
    rows = chosen(frame_of(list(every.values())), ask)
    number, pages, notes = _page_number(ask, rows.height)
    shown = rows["athlete"].slice((number - 1) * PAGE_SIZE, PAGE_SIZE).to_list()
    return Page([every[a] for a in shown], number, pages, rows.height, len(everyone), False, said=said, notes=notes)


# ---- the form, the counts and the links to the other pages

def form(ask: Ask, keep: dict[str, str]) -> html.Form:
    """A GET form (works without scripts): a labelled search box, the filter and the order as native selects, and a
    button; ``keep``: the query keys it carries along as hidden fields (the view, the comparison). A new search
    starts at page 1."""
    def select(label: str, name: str, options: dict[str, str], value: str) -> html.Div:
        return html.Div([html.Label(label, htmlFor=f"roster-{name}", className="control-label"),
                         html.Select([html.Option(words, value=key, selected=key == value) for key, words in options.items()],
                                     id=f"roster-{name}", name=name, className="control")], className="control-group")

    hidden = [dcc.Input(type="hidden", name=k, value=v) for k, v in keep.items() if v]
    return html.Form([
        *hidden,
        html.Div([html.Label("Name contains", htmlFor="roster-q", className="control-label"),
                  dcc.Input(id="roster-q", type="search", name="q", value=ask.q, maxLength=Q_MAX, className="control",
                            autoComplete="off", spellCheck=False)], className="control-group"),
        select("Show", "show", SHOWS, ask.show),
        select("Order", "sort", SORTS, ask.sort),
        html.Button("Find", id="roster-find", type="submit", className="button small"),
    ], id="roster-form", className="controls", method="get", action="/coach", role="search",
        **{"aria-label": "Find athletes"})


def count_words(p: Page, filtered: bool) -> str:
    """``"Athletes 26–50 of 9,950 matching (10,000 in the roster)."``; "No athlete matches ..." for none."""
    whole = f"{p.everyone:,} in the roster" if p.from_roster else f"{p.everyone:,} athlete{'s' if p.everyone != 1 else ''}"
    if not p.matching:
        return f"No athlete matches ({whole})."
    first = (p.number - 1) * PAGE_SIZE + 1
    last = first + len(p.records) - 1
    span = f"Athlete {first:,}" if first == last else f"Athletes {first:,}–{last:,}"
    return f"{span} of {p.matching:,} matching ({whole})." if filtered else f"{span} of {whole}."


def source_words(p: Page) -> str | None:
    """Where the figures come from: the roster and when it was last updated, or why it was not read; None when
    there is no roster (figures computed now, as always)."""
    if p.said:
        return p.said
    if not p.from_roster:
        return None
    when = f"last updated {u.fmt_moment(p.updated, 'UTC')} UTC" if p.updated is not None else "empty"
    said = (f"Figures from the roster, {when} (trainlog batch analyse updates it): each row's figures are those of "
            "its day shown; an athlete's own pages compute theirs now.")
    if p.unlisted:
        n, names = len(p.unlisted), ", ".join(p.unlisted[:UNLISTED_NAMED])
        more = f" and {n - UNLISTED_NAMED:,} more" if n > UNLISTED_NAMED else ""
        said += (f" {n:,} athlete{' has' if n == 1 else 's have'} no row in it yet (trainlog batch analyse adds "
                 f"them): {names}{more}.")
    return said


def pager(p: Page, query: dict) -> html.Nav | None:
    """Links to the previous and the next page of the roster (the URL's ``page``); None for a single page."""
    if p.pages <= 1:
        return None

    def link(label: str, number: int, element_id: str) -> html.A:
        return html.A(label, href=shell.href("/coach", query, page=None if number == 1 else str(number)),
                      id=element_id, className="button small", **{"data-spa": ""})

    parts = [link(f"Previous {PAGE_SIZE}", p.number - 1, "roster-previous") if p.number > 1 else None,
             html.Span(f"Page {p.number:,} of {p.pages:,}", className="note"),
             link(f"Next {PAGE_SIZE}", p.number + 1, "roster-next") if p.number < p.pages else None]
    return html.Nav([x for x in parts if x is not None], id="roster-pages", className="control-group",
                    **{"aria-label": "Roster pages"})
