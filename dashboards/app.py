"""Build the dashboard: ``create_app(data_dir)``; ``dashboards.server.serve`` runs it on waitress."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dash
import flask
from dash import dcc, html
from dash.development.base_component import Component

from dashboards import auth, data, uploads
from trainlog.store.users import UserBook

HERE = Path(__file__).resolve().parent
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8050
#: Largest request the server (waitress) accepts: an upload (multipart, streamed to disk by waitress and
#: werkzeug), with 1 MiB of room so that the upload route, not waitress, answers a body just over its limit.
MAX_REQUEST_BYTES = data.MAX_UPLOAD_BYTES + uploads.FRAMING_BYTES + 2**20
#: The page around the app: Dash's own, with the language of the page set (screen readers pick their voice by it).
INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
#: Largest request any other route accepts (Dash callbacks send a few kB; the upload route sets its own limit).
MAX_FORM_BYTES = 4 * 2**20


def create_app(data_dir: str | Path | None = None, users: UserBook | None = None,
               allowed_hosts: frozenset[str] | None = None,
               session_hours: float = auth.DEFAULT_SESSION_HOURS) -> dash.Dash:
    """The Dash app over ``data_dir`` (default: trainlog's data directory). Nothing is read yet.

    With ``users`` (a trainlog.store.users.UserBook), every page asks to sign in
    (``/login``) and each user sees only the athletes their role allows.
    ``allowed_hosts``: the names accepted in the ``Host:`` header (default:
    loopback names only; see dashboards.auth).
    """
    data.use(data_dir)
    app = dash.Dash(
        "dashboards",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="trainlog",
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    hosts = allowed_hosts if allowed_hosts is not None else auth.allowed_hosts(DEFAULT_HOST)
    auth.install(app.server, data.get().store.data_dir, hosts, users, session_hours)
    uploads.register(app.server)  # POST /upload/files: uploads streamed to disk
    app.layout = _layout if users is not None else _page()
    return app


def _page(*extra: Component) -> html.Div:
    """The app's frame: the URL, the page container and ``extra`` components after it."""
    return html.Div([dcc.Location(id="url", refresh="callback-nav"), dash.page_container, *extra], className="app")


def _layout() -> html.Div:
    """The page with who is signed in and a sign-out link at the foot (a plain link: /logout)."""
    user = flask.g.get("user") if flask.has_request_context() else None
    who = f"Signed in as {user.name} · " if user is not None else ""
    return _page(html.Footer([who, html.A("Sign out", href="/logout", id="sign-out")], className="signed-in",
                             style={"textAlign": "right", "padding": "0.5rem 1rem", "fontSize": "0.85rem"}))


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

