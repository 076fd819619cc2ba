"""Build and serve the dashboard: ``create_app(data_dir)`` and ``run(data_dir, host, port)``."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import dcc, html

from dashboards import data

HERE = Path(__file__).resolve().parent
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8050
#: Largest request the server accepts: the upload limit, base64-encoded (4/3), plus room for the JSON.
MAX_REQUEST_BYTES = data.MAX_UPLOAD_BYTES * 4 // 3 + 2**20


def create_app(data_dir=None) -> dash.Dash:
    """The Dash app over ``data_dir`` (default: trainlog's data directory). Nothing is read yet."""
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
    app.layout = html.Div([dcc.Location(id="url", refresh="callback-nav"), dash.page_container], className="app")
    return app


def run(data_dir=None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, debug: bool = False) -> None:
    """Serve the dashboard until interrupted (threaded: an import never blocks other requests)."""
    app = create_app(data_dir)
    app.run(host=host, port=port, debug=debug, use_reloader=False, threaded=True)
