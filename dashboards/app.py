"""Build and serve the dashboard: ``create_app(data_dir)`` and ``run(data_dir, host, port)``."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import dash
from dash import dcc, html

from dashboards import data, uploads

HERE = Path(__file__).resolve().parent
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8050
#: Largest request the server accepts: the upload limit, base64-encoded (4/3), plus room for the JSON.
MAX_REQUEST_BYTES = data.MAX_UPLOAD_BYTES * 4 // 3 + 2**20


def create_app(data_dir=None, users: dict | None = None) -> dash.Dash:
    """The Dash app over ``data_dir`` (default: trainlog's data directory). Nothing is read yet.

    With ``users`` (name -> trainlog.users.User), every request needs HTTP Basic
    authentication, and each user sees only the athletes their role allows.
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
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    uploads.register(app.server)  # POST /upload/files: uploads streamed to disk
    if users is not None:
        _require_login(app.server, users)
    app.layout = html.Div([dcc.Location(id="url", refresh="callback-nav"), dash.page_container], className="app")
    return app


def _require_login(server, users: dict) -> None:
    """Every request must carry a valid user's HTTP Basic credentials."""
    import flask

    from trainlog.users import authenticate

    @server.before_request
    def login():
        auth = flask.request.authorization
        user = authenticate(users, auth.username if auth else None, auth.password if auth else None)
        if user is None:
            return flask.Response(
                "trainlog: sign in with a user made by 'trainlog users add'\n",
                401,
                {"WWW-Authenticate": 'Basic realm="trainlog", charset="UTF-8"'},
            )
        flask.g.user = user
        return None


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(data_dir=None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, debug: bool = False) -> None:
    """Serve the dashboard until interrupted (threaded: an import never blocks other requests).

    On a loopback address no login is asked. On any other address users with
    passwords are required (``trainlog users add``); without any, it refuses to
    start and says why.
    """
    from trainlog.errors import TrainlogError
    from trainlog.store import Store
    from trainlog.users import load_users, users_path

    users = None
    if not is_loopback(host):
        store = Store(data_dir)
        users = load_users(store.data_dir)
        if not users:
            raise TrainlogError(
                f"refusing to serve on {host}: anyone on the network could read the athletes' data. "
                f"Add a user first (trainlog users add NAME --role coach --data-dir {store.data_dir}); "
                f"they are kept, hashed, in {users_path(store.data_dir)}"
            )
    app = create_app(data_dir, users=users)
    login = f"; sign-in required, {len(users)} user(s)" if users else ""
    print(f"trainlog dashboard on http://{host}:{port}/  (data: {data.get().store.data_dir}{login}; Ctrl+C to stop)",
          file=sys.stderr, flush=True)
    app.run(host=host, port=port, debug=debug, use_reloader=False, threaded=True)
