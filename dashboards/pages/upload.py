"""Upload: drop .fit, .fit.gz or .zip files; the import runs in the background with progress
and reports each file's outcome."""

from __future__ import annotations

import base64
import binascii

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards import data, shell
from dashboards import units as u

dash.register_page(__name__, path="/upload", name="Upload", title="Upload · trainlog", order=6)

POLL_MS = 500


def layout(**query):
    v = shell.view(query)
    athlete = v.athlete if v is not None else "default"
    return shell.page("/upload", v, html.Section([
        html.H1("Upload FIT files", className="title"),
        html.P(f"Drop .fit, .fit.gz or .zip files (a Garmin or Strava export works). At most "
               f"{data.MAX_UPLOAD_FILES} files and {data.MAX_UPLOAD_BYTES // 2**20} MB at once.", className="note"),
        html.Div(html.Label(["Athlete ", dcc.Input(id="upload-athlete", value=athlete, type="text", debounce=True)]),
                 className="form"),
        dcc.Upload(id="upload-files", multiple=True, max_size=data.MAX_UPLOAD_BYTES, className="upload",
                   children=html.Div(["Drag and drop files here, or ", html.A("choose files")])),
        html.Div(id="upload-status", className="progress-text"),
        html.Div(id="upload-results"),
        dcc.Store(id="upload-job"),
        dcc.Interval(id="upload-poll", interval=POLL_MS, disabled=True),
    ], className="card"), query=query)


def decode_contents(contents: list[str], names: list[str]) -> list[tuple[str, bytes]]:
    """The (name, bytes) of each uploaded file (``contents`` are data URLs). ValueError if one is garbled."""
    files = []
    for content, name in zip(contents, names):
        try:
            files.append((name, base64.b64decode(content.split(",", 1)[1], validate=True)))
        except (IndexError, binascii.Error) as exc:
            raise ValueError(f"{name}: the upload arrived garbled") from exc
    return files


@callback(
    Output("upload-job", "data"),
    Output("upload-poll", "disabled"),
    Output("upload-status", "children"),
    Input("upload-files", "contents"),
    State("upload-files", "filename"),
    State("upload-athlete", "value"),
    prevent_initial_call=True,
)
def start_upload(contents, names, athlete):
    """Save the dropped files under safe names and start importing them in the background."""
    if not contents:
        return no_update, True, "No files received."
    try:
        job = data.get().import_uploads((athlete or "").strip(), decode_contents(contents, names))
    except ValueError as exc:
        return None, True, html.Span(f"Not imported: {exc}", className="message error")
    return job.id, False, f"Importing {len(contents)} files…"


@callback(
    Output("upload-status", "children", allow_duplicate=True),
    Output("upload-results", "children"),
    Output("upload-poll", "disabled", allow_duplicate=True),
    Input("upload-poll", "n_intervals"),
    State("upload-job", "data"),
    prevent_initial_call=True,
)
def upload_progress(n_intervals, job_id):
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
        counts = {o: sum(r["outcome"] == o for r in rows) for o in ("imported", "duplicate", "skipped", "failed")}
        status = html.Div([
            html.Span("Done: " + ", ".join(f"{n} {o}" for o, n in counts.items()) + ". ", id="upload-done"),
            dcc.Link("See the activities", href=shell.href("/activities", {"athlete": job.athlete})),
        ])
    else:
        status = html.Div([html.Progress(value=str(done), max=str(max(total, 1))), f" {done} of {total} files"])
    table = html.Div(html.Table([
        html.Thead(html.Tr([html.Th("file"), html.Th("outcome"), html.Th("detail")])),
        html.Tbody([html.Tr([html.Td(r["file"]), html.Td(r["outcome"], className=f"outcome-{r['outcome']}"),
                             html.Td(r["detail"] or u.DASH)]) for r in rows]),
    ], className="plain", id="upload-table"), className="table-wrap") if rows else None
    return status, table, job.done
