"""Native form controls the pages share (issue 16): the session-RPE and feel selects, a labelled field, a status
line, and the reader that hands a form's values to a callback.

Dash's dropdowns fail screen readers, so the forms use the browser's own ``<select>``, ``<input>`` and
``<textarea>``. Dash keeps no ``html.Select``'s choice, so a press of a form's button runs :func:`reader`'s small
browser-side function: it reads each field's value from the page into a ``dcc.Store``, whose change runs the
page's server callback. Values arrive as text: :func:`parse_rpe` and :func:`parse_feel` read them, the library
checks them (:mod:`trainlog.store.entries`, :mod:`trainlog.ingest.manual`), and an error is one line.
"""

from __future__ import annotations

import json

import dash
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from trainlog.settings.parse import parse_number
from trainlog.store.entries import FEEL_WORDS, check_feel, check_rpe

#: Foster's CR-10 scale of session RPE in words (the values between are said by their number only).
RPE_WORDS = {0: "rest", 1: "very easy", 2: "easy", 3: "moderate", 4: "somewhat hard", 5: "hard", 7: "very hard",
             9: "extremely hard", 10: "maximal"}
#: A select's blank choice: no value given.
NOT_RATED, NO_FEEL = "not rated", "not given"


def rpe_text(rpe: float | None) -> str:
    """``7`` -> ``"7 (very hard)"``, ``6.5`` -> ``"6.5"``; None -> ``"not rated"``."""
    if rpe is None:
        return NOT_RATED
    word = RPE_WORDS.get(int(rpe)) if float(rpe).is_integer() else None
    return f"{rpe:g} ({word})" if word else f"{rpe:g}"


def feel_text(feel: int | None) -> str:
    """``4`` -> ``"4 (strong)"``; None -> ``"not given"``."""
    return NO_FEEL if feel is None else f"{feel} ({FEEL_WORDS.get(feel, '?')})"


def _option(value: str, label: str, chosen: str) -> html.Option:
    return html.Option(label, value=value, selected=value == chosen)


def rpe_select(element_id: str, rpe: float | None = None) -> html.Select:
    """A native select of the CR-10 scale, 0 to 10 with its words, blank for not rated; ``rpe`` chosen (a value
    between the whole numbers, as the command line may give, is offered as it is so that saving keeps it)."""
    chosen = "" if rpe is None else f"{rpe:g}"
    values = [f"{n}" for n in range(11)]
    if chosen and chosen not in values:
        values = sorted([*values, chosen], key=float)
    return html.Select([_option("", NOT_RATED, chosen),
                        *(_option(x, f"{x} – {RPE_WORDS[int(x)]}" if x.isdigit() and int(x) in RPE_WORDS else x,
                                  chosen) for x in values)], id=element_id, name=element_id)


def feel_select(element_id: str, feel: int | None = None) -> html.Select:
    """A native select of how the session felt, 1 (very weak) to 5 (very strong), blank for not given."""
    chosen = "" if feel is None else str(feel)
    return html.Select([_option("", NO_FEEL, chosen),
                        *(_option(str(n), f"{n} – {word}", chosen) for n, word in FEEL_WORDS.items())],
                       id=element_id, name=element_id)


def field(label: str, control: Component) -> html.Div:
    """A label tied to ``control`` by its id (the label names it; a click on it focuses it), above it."""
    return html.Div([html.Label(label, htmlFor=control.id), control], className="field")


def status(element_id: str, message: str = "", error: bool = False) -> html.P:
    """A status line a screen reader announces when it changes: what was saved, or the one-line error."""
    return html.P(message, id=element_id, role="status", className=status_class(message, error),
                  **{"aria-live": "polite"})


def status_class(message: object, error: bool) -> str:
    """The status line's class: ``message error``, ``message ok`` (something said), or ``message``."""
    return "message" + (" error" if error else " ok" if message else "")


def reader(button_id: str, store_id: str, fields: dict[str, str]) -> None:
    """Register the browser-side function that, on each press of ``button_id``, writes into the ``dcc.Store``
    ``store_id`` the values of the page's elements ``fields`` (key -> element id) as text, with the press count
    (so the same values sent twice still change the store). Called once, when a page module is imported."""
    script = ("function (n) { if (!n) { return window.dash_clientside.no_update; } var out = {pressed: n}; var f = "
              f"{json.dumps(fields)}; Object.keys(f).forEach(function (k) {{ var el = document.getElementById(f[k]); "
              "out[k] = el ? el.value : null; }); return out; }")
    dash.clientside_callback(script, Output(store_id, "data"), Input(button_id, "n_clicks"), prevent_initial_call=True)


def store(store_id: str) -> dcc.Store:
    """The ``dcc.Store`` a :func:`reader` fills (kept in memory only)."""
    return dcc.Store(id=store_id, storage_type="memory")


def text_of(form: object, key: str) -> str:
    """The text field ``key`` of a form's values as the reader sent them ('' when missing or not text)."""
    value = form.get(key) if isinstance(form, dict) else None
    return value.strip() if isinstance(value, str) else ""


def parse_rpe(text: str) -> float | None:
    """A select's RPE ('' -> None), checked on the CR-10 scale; InvalidValue or SettingsError (one line)."""
    value = parse_number(text, "RPE")
    return None if value is None else check_rpe(value)


def parse_feel(text: str) -> int | None:
    """A select's feel ('' -> None), a whole number 1..5; InvalidValue or SettingsError (one line)."""
    value = parse_number(text, "feel")
    return None if value is None else check_feel(value)
