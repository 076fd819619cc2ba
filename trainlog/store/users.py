"""Dashboard users: names, roles and hashed passwords in ``<data-dir>/users.json``.

A ``coach`` sees every athlete; an ``athlete`` user sees only their own
athlete. Passwords are stored hashed with werkzeug's ``generate_password_hash``
(scrypt, salted; werkzeug ships with Flask, which Dash runs on), never in clear.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from trainlog.atomic import write_text_atomic
from trainlog.errors import SettingsError
from trainlog.store.names import check_athlete

USERS_FILE = "users.json"
USERS_SCHEMA_VERSION = 1
ROLES = ("coach", "athlete")
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class User:
    """One dashboard login."""

    name: str
    role: str  # "coach" | "athlete"
    athlete: str | None  # the athlete an athlete user may see
    password_hash: str

    def may_see(self, athlete: str) -> bool:
        return self.role == "coach" or athlete == self.athlete


def users_path(data_dir: Path) -> Path:
    return Path(data_dir) / USERS_FILE


def load_users(data_dir: Path) -> dict[str, User]:
    """The configured users (empty when there is no users file)."""
    path = users_path(data_dir)
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        version = doc.get("schema_version")
        if not isinstance(version, int) or version > USERS_SCHEMA_VERSION:
            raise SettingsError(f"{path}: users file schema {version!r} is newer than this trainlog; upgrade trainlog")
        return {u["name"]: User(**u) for u in doc["users"]}
    except SettingsError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SettingsError(f"{path}: cannot read users ({exc}); it was left untouched") from None


def save_users(data_dir: Path, users: dict[str, User]) -> None:
    """Write the users file atomically, private to its owner (the hashes are secrets too);
    SettingsError naming the path when the disk refuses."""
    path = users_path(data_dir)
    doc = {"schema_version": USERS_SCHEMA_VERSION, "users": [asdict(u) for u in sorted(users.values(), key=lambda u: u.name)]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(doc, indent=1), mode=0o600)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot save users: {exc.strerror or exc}") from None


def add_user(data_dir: Path, name: str, password: str, role: str, athlete: str | None = None) -> User:
    """Create or replace a user; raises SettingsError for bad values."""
    if role not in ROLES:
        raise SettingsError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "athlete":
        if not athlete:
            raise SettingsError("an athlete user needs --athlete (the athlete they may see)")
        athlete = check_athlete(athlete)  # stored normalised, as the athlete's folder is
    name = check_athlete(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SettingsError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    users = load_users(data_dir)
    user = User(name, role, athlete if role == "athlete" else None, generate_password_hash(password))
    users[name] = user
    save_users(data_dir, users)
    return user


def remove_user(data_dir: Path, name: str) -> None:
    users = load_users(data_dir)
    name = stored_name(name)
    if name not in users:
        raise SettingsError(f"no user {name!r}")
    del users[name]
    save_users(data_dir, users)


def fingerprint(user: User) -> str:
    """A short digest of the user's name, role, athlete and password hash, kept with each of their sessions.

    When the user is removed, or their password or role changes, the fingerprint no longer
    matches and the session ends.
    """
    text = "\0".join([user.name, user.role, user.athlete or "", user.password_hash])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash of a random password, made once, with the same method as real ones (for unknown names)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
    return _dummy_hash


def stored_name(name: str) -> str:
    """A user name as :func:`add_user` stores it (NFKC-normalised: "ｍａｒａ" is "mara"), to look one up."""
    return unicodedata.normalize("NFKC", name)


def authenticate(users: dict[str, User], name: str | None, password: str | None,
                 check: Callable[[str, str], bool] = check_password_hash) -> User | None:
    """The user when name and password match, else None.

    Exactly one hash is verified whatever the name: an unknown name is checked
    against a dummy hash, so it takes as long as a known one and names do not leak
    by timing. ``check`` is werkzeug's ``check_password_hash`` (constant-time).
    """
    user = users.get(stored_name(name or ""))
    ok = check(user.password_hash if user else _dummy(), password or "")
    return user if ok and user is not None and password is not None else None


class SignInThrottle:
    """Back-off and lockout after failed sign-ins, per user name and per address (in memory).

    ``free`` failures cost nothing; after that each further try must wait
    ``first_wait_s * 2 ** (failures - free)`` seconds (30 s, 1 min, 2 min, ...,
    capped at ``lockout_s``) after the last failure, and after ``lockout_after`` failures the key is locked for
    ``lockout_s``; once that has passed, the back-off goes on from ``free``
    failures. Failures are forgotten ``forget_s`` after the last one (longer than
    any wait, so patience alone never resets the count), and a successful
    sign-in clears the user's and the address's count. At most ``max_keys`` keys
    are kept (the oldest are dropped first), so a flood of made-up names cannot
    grow memory without bound. Thread-safe.
    """

    def __init__(self, free: int = 5, lockout_after: int = 20, lockout_s: float = 15 * 60,
                 forget_s: float = 24 * 3600, first_wait_s: float = 30.0, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.lockout_after, self.lockout_s = free, lockout_after, lockout_s
        self.first_wait_s = first_wait_s
        self.forget_s = max(forget_s, lockout_s)
        self.max_keys, self.clock = max_keys, clock
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # key -> (count, time of last)
        self._lock = threading.Lock()

    def _wait(self, key: tuple[str, str], now: float) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count and now - last >= self.forget_s:
            self._failures.pop(key, None)
            return 0.0
        if count >= self.lockout_after:
            if now - last < self.lockout_s:
                return last + self.lockout_s - now
            count = self.free  # the lockout is over: the back-off goes on
            self._failures[key] = (count, last)
        if count >= self.free:
            return max(0.0, last + min(self.first_wait_s * 2.0 ** (count - self.free), self.lockout_s) - now)
        return 0.0

    def retry_after(self, name: str, address: str) -> float:
        """Seconds before ``name`` from ``address`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max(self._wait(("user", name), now), self._wait(("addr", address), now))

    def failed(self, name: str, address: str) -> int:
        """Count a failure; returns the larger of the user's and the address's failure counts."""
        now = self.clock()
        counts = []
        with self._lock:
            for key in (("user", name), ("addr", address)):
                count = self._failures.pop(key, (0, 0.0))[0] + 1
                self._failures[key] = (count, now)  # re-inserted last: dicts keep insertion order
                counts.append(count)
            while len(self._failures) > self.max_keys:
                self._failures.pop(next(iter(self._failures)))
        return max(counts)

    def locked(self, count: int) -> bool:
        return count >= self.lockout_after

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("user", name), None)
            self._failures.pop(("addr", address), None)


class UserBook:
    """The users of a running dashboard, re-read when ``users.json`` changes on disk.

    So ``trainlog users remove`` or a new password takes effect at the next request
    (the session's :func:`fingerprint` no longer matches). A file that becomes
    unreadable keeps the last users read and logs one line.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = users_path(data_dir)
        self._data_dir = Path(data_dir)
        self._key = None
        self._users: dict[str, User] = {}
        self._lock = threading.Lock()
        self.get()

    def get(self) -> dict[str, User]:
        try:
            st = self.path.stat()
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = None
        with self._lock:
            if key != self._key:
                try:
                    self._users = load_users(self._data_dir) if key else {}
                    self._key = key
                except SettingsError as exc:
                    logging.getLogger("trainlog.auth").error("%s", exc)
                    self._key = key
            return self._users
