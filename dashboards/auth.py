"""Who may use the dashboard: the Host allow-list, cross-site POSTs, sign-in, and refusals as 403.

``install(server, ...)`` adds to the Flask server under Dash:

- a ``Host`` allow-list (loopback names by default): any other ``Host:`` is
  HTTP 400, which defeats DNS rebinding (a web page whose name resolves to
  127.0.0.1 cannot read the dashboard);
- a cross-site check: a POST whose ``Origin`` names another host is HTTP 403 (a
  page the athlete visits cannot post to the dashboard);
- with users, sign-in: ``GET/POST /login`` (a plain HTML form that works without
  JavaScript), then a signed session cookie (Flask's session: itsdangerous,
  HttpOnly, SameSite=Lax, Secure over HTTPS) holding a random session id the
  server knows (:class:`Sessions`), so the password is checked once per session
  and ``/logout`` ends it for good. Pages without a session redirect to ``/login``, Dash's
  JSON endpoints answer 401. Failed sign-ins back off and lock out per user and
  per address (:class:`trainlog.store.users.SignInThrottle`), each logged;
- refusals as HTTP 403 (PermissionError) and trainlog errors as HTTP 400 with
  their one line, logged as one line, never a traceback.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface
from markupsafe import escape
from werkzeug.wrappers import Response

from trainlog.errors import TrainlogError, first_line
from trainlog.store.users import SignInThrottle, User, UserBook, authenticate, fingerprint

log = logging.getLogger("trainlog.auth")

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
SECRET_KEY_FILE = "secret_key"
SESSION_COOKIE = "trainlog_session"
DEFAULT_SESSION_HOURS = 12.0
#: scrypt verifications running at once: a flood of wrong passwords cannot take every core.
MAX_CONCURRENT_CHECKS = 2
#: How long a sign-in waits for a free verification slot before answering 503.
CHECK_WAIT_S = 10.0
MAX_NAME_CHARS = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def host_name(netloc: str) -> str:
    """The host of a ``Host:`` header or URL netloc, lower case, without port or IPv6 brackets."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0]
    if netloc.count(":") == 1:
        return netloc.split(":", 1)[0]
    return netloc


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, the listening address when it is a specific one, and ``extra`` names."""
    names = set(LOOPBACK_NAMES)
    if host not in ("", "0.0.0.0", "::", "*"):
        names.add(host_name(host) if not host.count(":") > 1 else host.lower())
    names.update(host_name(name) for name in extra)
    return frozenset(names)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this server (``/...``), else ``/``: no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return "/"
    return target


def secret_key(data_dir: Path) -> bytes:
    """The key that signs session cookies: made once in ``<data-dir>/secret_key`` (mode 0600), then reused."""
    path = Path(data_dir) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
        if len(key) < 32:
            raise TrainlogError(f"{path}: the session key is too short; delete it and a new one is made") from None
        return key
    except OSError as exc:
        raise TrainlogError(f"{path}: cannot create the session key ({exc.strerror})") from None
    key = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    return key


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure when the request came over HTTPS."""

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        return flask.request.is_secure or bool(app.config["SESSION_COOKIE_SECURE"])


class Sessions:
    """The sessions signed in on this server: a random id (kept in the signed cookie) -> user.

    Kept in memory, so ``/logout`` ends a session for good (a copied cookie stops
    working) and restarting the server signs everyone out. A session ends when its
    lifetime is over, or when its user is removed or their password or role
    changes (their :func:`~trainlog.store.users.fingerprint` differs). At most
    ``max_sessions`` are kept; the oldest go first.
    """

    def __init__(self, lifetime_s: float, max_sessions: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime_s, self.max_sessions, self.clock = lifetime_s, max_sessions, clock
        self._sessions: dict[str, tuple[str, str, float]] = {}  # id -> (user name, fingerprint, ends at)
        self._lock = threading.Lock()

    def start(self, user: User) -> str:
        """A new session of ``user``: its id (the oldest session goes beyond ``max_sessions``)."""
        sid = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[sid] = (user.name, fingerprint(user), self.clock() + self.lifetime_s)
            while len(self._sessions) > self.max_sessions:
                self._sessions.pop(next(iter(self._sessions)))
        return sid

    def user(self, sid: object, users: dict[str, User]) -> User | None:
        """The signed-in user of session ``sid``, or None."""
        if not isinstance(sid, str):
            return None
        with self._lock:
            entry = self._sessions.get(sid)
            if entry is None:
                return None
            name, fp, ends = entry
            user = users.get(name)
            if self.clock() >= ends or user is None or not secrets.compare_digest(fingerprint(user), fp):
                del self._sessions[sid]
                return None
        return user

    def end(self, sid: object) -> None:
        """End session ``sid`` (nothing if there is none)."""
        with self._lock:
            self._sessions.pop(sid, None)


def _text(message: str, status: int, **headers: str) -> flask.Response:
    return flask.Response(f"trainlog: {message}\n", status, {"Content-Type": "text/plain; charset=utf-8", **headers})


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · trainlog</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }}
form {{ max-width: 20rem; margin: 12vh auto; background: #fff; padding: 1.5rem; border-radius: 8px;
        box-shadow: 0 1px 4px rgba(0,0,0,.15); }}
label {{ display: block; margin: .8rem 0 .2rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }}
button {{ margin-top: 1.2rem; width: 100%; padding: .6rem; font-size: 1rem; }}
.error {{ color: #b00020; }}
</style></head>
<body><form method="post" action="/login">
<h1>trainlog</h1>
{error}
<input type="hidden" name="next" value="{next}">
<label for="username">User</label><input id="username" name="username" autocomplete="username" value="{name}" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit" id="sign-in">Sign in</button>
</form></body></html>
"""


def _login_page(status: int = 200, error: str = "", name: str = "", next_: str = "/",
                **headers: str) -> flask.Response:
    body = LOGIN_PAGE.format(
        error=f'<p class="error" id="login-error" role="alert">{escape(error)}</p>' if error else "",
        next=escape(next_), name=escape(name),
    )
    return flask.Response(body, status, {"Content-Type": "text/html; charset=utf-8",
                                         "Cache-Control": "no-store", **headers})


def _wait_text(seconds: float) -> str:
    if seconds < 60:
        return f"{math.ceil(seconds)} s"
    return f"{math.ceil(seconds / 60)} min"


def install(server: flask.Flask, data_dir: Path, hosts: frozenset[str], users: UserBook | None,
            session_hours: float = DEFAULT_SESSION_HOURS, throttle: SignInThrottle | None = None) -> None:
    """Add the Host and Origin checks, sign-in when ``users`` is given, and the 403/400 error handlers."""
    throttle = throttle or SignInThrottle()
    checks = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)
    sessions = Sessions(session_hours * 3600)

    if users is not None:
        server.secret_key = secret_key(data_dir)
        server.session_interface = _SessionInterface()
        server.config.update(
            SESSION_COOKIE_NAME=SESSION_COOKIE,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            PERMANENT_SESSION_LIFETIME=timedelta(hours=session_hours),
            SESSION_REFRESH_EACH_REQUEST=False,  # the lifetime counts from sign-in
        )

    def signed_in_user() -> User | None:
        user = sessions.user(flask.session.get("sid"), users.get())
        if user is None and "sid" in flask.session:
            flask.session.clear()  # expired, signed out, or the user changed: drop the cookie
        return user

    @server.before_request
    def guard() -> Response | None:
        request = flask.request
        host = host_name(request.host)
        if host not in hosts:
            log.warning("refused Host %r from %s", request.host, request.remote_addr)
            return _text(f"the host name {request.host!r} is not allowed here; start the dashboard with "
                         f"--allowed-host {host_name(request.host)!r} to serve it under that name", 400)
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("Origin")
            if origin is not None and host_name(urlsplit(origin).netloc) not in hosts:
                log.warning("refused cross-site %s %s from Origin %r (%s)", request.method, request.path, origin,
                            request.remote_addr)
                return _text(f"cross-site request from {origin!r} refused", 403)
        if users is None or request.path in ("/login", "/logout"):
            return None
        user = signed_in_user()
        if user is None:
            if request.path.startswith("/_dash-") or request.method != "GET":  # callbacks, uploads: not a page
                return _text("sign in first (/login)", 401)
            return flask.redirect("/login?" + urlencode({"next": request.full_path.rstrip("?")}), 303)
        flask.g.user = user
        return None

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        if users is None:
            return flask.redirect("/", 303)
        request = flask.request
        next_ = safe_next(request.values.get("next"))
        if request.method == "GET":
            return _login_page(next_=next_)
        name = request.form.get("username", "")[:MAX_NAME_CHARS]
        password = request.form.get("password", "")
        address = request.remote_addr or "?"
        if not checks.acquire(timeout=CHECK_WAIT_S):
            return _login_page(503, "The server is busy, try again in a moment.", name, next_,
                               **{"Retry-After": "5"})
        try:  # the throttle is asked and told inside the (two-slot) check: parallel tries gain at most one guess
            wait = throttle.retry_after(name, address)
            if wait == 0:
                user = authenticate(users.get(), name, password)
                count = 0 if user is not None else throttle.failed(name, address)
        finally:
            checks.release()
        if wait > 0:  # refused before any hash is checked
            log.warning("sign-in refused (too many attempts) for user %r from %s", name, address)
            return _login_page(429, f"Too many attempts, try again in {_wait_text(wait)}.", name, next_,
                               **{"Retry-After": str(math.ceil(wait))})
        if user is None:
            log.warning("failed sign-in for user %r from %s (%d in a row)", name, address, count)
            if throttle.locked(count):
                log.warning("sign-in locked for %d min: user %r, address %s", throttle.lockout_s // 60, name, address)
            return _login_page(401, "Wrong user name or password.", name, next_)
        throttle.succeeded(name, address)
        log.info("signed in: user %r from %s", name, address)
        flask.session.clear()
        flask.session["sid"] = sessions.start(user)
        flask.session.permanent = True
        return flask.redirect(next_, 303)

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> Response:
        sessions.end(flask.session.get("sid"))
        flask.session.clear()
        return flask.redirect("/login" if users is not None else "/", 303)

    @server.errorhandler(PermissionError)
    def forbidden(exc: PermissionError) -> Response:
        log.warning("403 %s %s: %s", flask.request.method, flask.request.path, first_line(exc))
        return _text(first_line(exc), 403)

    @server.errorhandler(TrainlogError)
    def bad_request(exc: TrainlogError) -> Response:
        log.warning("400 %s %s: %s", flask.request.method, flask.request.path, first_line(exc))
        return _text(first_line(exc), 400)

