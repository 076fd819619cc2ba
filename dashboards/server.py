"""Serve the dashboard on waitress: ``serve(data_dir, host, port, ...)``.

Waitress, not gunicorn: it is pure Python and runs wherever trainlog runs
(Windows and macOS laptops included), and it serves from threads in one
process, so the in-memory caches, the background import jobs and the sign-in
throttle are shared by every request (gunicorn is Unix-only and forks workers,
which would split all three).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from dashboards.app import DEFAULT_HOST, DEFAULT_PORT, MAX_REQUEST_BYTES, create_app, is_loopback
from dashboards.auth import DEFAULT_SESSION_HOURS, allowed_hosts
from trainlog.errors import TrainlogError
from trainlog.store import Store
from trainlog.store.users import UserBook, users_path

DEFAULT_THREADS = 8
#: Seconds a connection may stay idle, or take to send its request, before it is closed.
DEFAULT_TIMEOUT_S = 60


def serve(data_dir: str | Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          threads: int = DEFAULT_THREADS, timeout: int = DEFAULT_TIMEOUT_S, require_login: bool = False,
          extra_hosts: Iterable[str] = (),
          session_hours: float = DEFAULT_SESSION_HOURS, trusted_proxy: str | None = None) -> None:
    """Serve the dashboard until interrupted.

    On a loopback address no sign-in is asked unless ``require_login``. On any
    other address, or with ``require_login``, users with passwords are required
    (``trainlog users add``); without any it refuses to start and says why. The
    ``Host:`` header must be a loopback name, ``host`` itself, or one of
    ``extra_hosts``. ``trusted_proxy``: the address of a reverse proxy whose
    X-Forwarded-For/-Proto headers are believed (HTTPS, client addresses).
    """
    import waitress

    store = Store(data_dir)
    users = None
    if require_login or not is_loopback(host):
        users = UserBook(store.data_dir)
        if not users.get():
            why = ("--require-login needs users" if is_loopback(host)
                   else f"refusing to serve on {host}: anyone on the network could read the athletes' data")
            raise TrainlogError(
                f"{why}. Add a user first (trainlog users add NAME --role coach --data-dir {store.data_dir}); "
                f"they are kept, hashed, in {users_path(store.data_dir)}"
            )
    hosts = allowed_hosts(host, extra_hosts)
    app = create_app(store.data_dir, users=users, allowed_hosts=hosts, session_hours=session_hours)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("waitress").setLevel(logging.WARNING)
    login = f"sign-in required, {len(users.get())} user(s)" if users else "no sign-in (loopback)"
    shown = f"[{host}]" if host.count(":") > 1 else host
    print(f"trainlog dashboard on http://{shown}:{port}/  (data: {store.data_dir}; {login}; "
          f"{threads} threads; Ctrl+C to stop)", file=sys.stderr, flush=True)
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} \
        if trusted_proxy else {}
    try:
        waitress.serve(app.server, host=host, port=port, threads=threads, channel_timeout=timeout,
                       max_request_body_size=MAX_REQUEST_BYTES, ident="trainlog", _quiet=True, **proxy)
    except OSError as exc:
        raise TrainlogError(f"cannot listen on {shown}:{port}: {exc.strerror or exc}") from None
