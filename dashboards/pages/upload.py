"""Upload: drop or choose .fit, .gpx, .tcx (or .gz of each) or .zip files; the import runs in the background with
progress and reports each file's outcome.

The files do not pass through Dash: ``assets/upload.js`` posts them as
multipart/form-data to :data:`dashboards.uploads.ROUTE` (streamed to disk),
then opens ``/upload?athlete=NAME&job=ID``, where this page polls the job.
"""

from __future__ import annotations

import dash
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import data, shell, uploads
from dashboards import units as u
from trainlog.errors import StoreError
from trainlog.store import check_athlete
from trainlog.words import DEFAULT_ATHLETE, OUTCOMES

dash.register_page(__name__, path="/upload", name="Upload", title="Upload · trainlog", order=6)

POLL_MS = 500


def _valid_name(name: str | None) -> bool:
    try:
        check_athlete(name or "")
    except StoreError:
        return False
    return True


@shell.guarded("/upload")
def layout(**query: shell.QueryValue) -> html.Div:
    query = shell.plain_query(query)
    source = data.get()
    asked = query.get("athlete")
    # a new athlete's name is fine here: the upload creates it
    v = shell.view({k: x for k, x in query.items() if k != "athlete" or x in source.athletes()})
    job = source.job(query.get("job"))
    notes = []
    if query.get("job") and job is None:
        notes.append("That upload is not known to this server (it was restarted?): upload the files again.")
    athlete = (job.athlete if job is not None else None) or (asked if _valid_name(asked) else None) \
        or (v.athlete if v is not None else DEFAULT_ATHLETE)
    return shell.page("/upload", v, html.Section([
        html.H1("Upload FIT files", className="title"),
        shell.url_notes(notes) if notes else None,
        html.P(f"Drop .fit, .gpx or .tcx files (also .gz), or a .zip (a Garmin or Strava export works). At most "
               f"{data.MAX_UPLOAD_FILES} files and {data.MAX_UPLOAD_BYTES // 2**20} MB at once.", className="note"),
        html.Div(html.Label(["Athlete ", dcc.Input(id="upload-athlete", value=athlete, type="text", debounce=True)]),
                 className="form"),
        # upload.js adds <input type=file id=upload-input multiple> here and posts what is dropped or chosen
        html.Div(["Drag and drop files here, or ", html.Label("choose files", htmlFor="upload-input",
                                                               className="upload-choose")],
                 id="upload-drop", className="upload", **{"data-route": uploads.ROUTE,
                                                          "data-max-files": str(data.MAX_UPLOAD_FILES),
                                                          "data-max-bytes": str(data.MAX_UPLOAD_BYTES)}),
        # live regions: a screen reader says what is sent, the progress and the outcome as they change
        html.Div(id="upload-sending", className="progress-text", role="status", **{"aria-live": "polite"}),
        html.Div("Importing…" if job is not None else None, id="upload-status", className="progress-text",
                 role="status", **{"aria-live": "polite"}),
        html.Div(id="upload-results"),
        dcc.Store(id="upload-job", data=job.id if job is not None else None),
        dcc.Interval(id="upload-poll", interval=POLL_MS, disabled=job is None),
    ], className="card"), query={"athlete": athlete} if _valid_name(athlete) else {})


@callback(
    Output("upload-status", "children", allow_duplicate=True),
    Output("upload-results", "children"),
    Output("upload-poll", "disabled", allow_duplicate=True),
    Input("upload-poll", "n_intervals"),
    State("upload-job", "data"),
    prevent_initial_call=True,
)
def upload_progress(n_intervals: int | None,
                    job_id: object) -> tuple[Component | NoUpdate, html.Div | None | NoUpdate, bool]:
    """Progress while the import runs; each file's outcome as it finishes."""
    job = data.get().job(job_id)
    if job is None:
        return no_update, no_update, True
    rows = job.rows()
    done = len(rows)
    total = job.total or done
    if job.error:
        status = html.Span(f"The import failed: {job.error}", className="message error")
    elif job.done:
        counts = {o: sum(r["outcome"] == o for r in rows) for o in OUTCOMES}
        status = html.Div([
            html.Span("Done: " + ", ".join(f"{n} {o}" for o, n in counts.items()) + ". ", id="upload-done"),
            dcc.Link("See the activities", href=shell.href("/activities", {"athlete": job.athlete})),
        ])
    else:
        status = html.Div([html.Progress(value=str(done), max=str(max(total, 1)), **{"aria-label": "Files imported"}),
                           f" {done} of {total} files"])
    table = html.Div(html.Table([
        html.Thead(html.Tr([html.Th("file"), html.Th("outcome"), html.Th("detail")])),
        html.Tbody([html.Tr([html.Td(r["file"]), html.Td(r["outcome"], className=f"outcome-{r['outcome']}"),
                             html.Td(r["detail"] or u.DASH)]) for r in rows]),
    ], className="plain", id="upload-table"), className="table-wrap") if rows else None
    return status, table, job.done
