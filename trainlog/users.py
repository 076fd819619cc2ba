"""Dashboard users: names, roles and hashed passwords in ``<data-dir>/users.json``.

A ``coach`` sees every athlete; an ``athlete`` user sees only their own
athlete. Passwords are stored hashed with werkzeug's ``generate_password_hash``
(scrypt, salted; werkzeug ships with Flask, which Dash runs on), never in clear.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from trainlog.errors import SettingsError
from trainlog.store import check_athlete

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
    path = users_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    doc = {"schema_version": USERS_SCHEMA_VERSION, "users": [asdict(u) for u in sorted(users.values(), key=lambda u: u.name)]}
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # hashes are private too
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def add_user(data_dir: Path, name: str, password: str, role: str, athlete: str | None = None) -> User:
    """Create or replace a user; raises SettingsError for bad values."""
    if role not in ROLES:
        raise SettingsError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "athlete":
        if not athlete:
            raise SettingsError("an athlete user needs --athlete (the athlete they may see)")
        check_athlete(athlete)
    check_athlete(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SettingsError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    users = load_users(data_dir)
    user = User(name, role, athlete if role == "athlete" else None, generate_password_hash(password))
    users[name] = user
    save_users(data_dir, users)
    return user


def remove_user(data_dir: Path, name: str) -> None:
    users = load_users(data_dir)
    if name not in users:
        raise SettingsError(f"no user {name!r}")
    del users[name]
    save_users(data_dir, users)


def authenticate(users: dict[str, User], name: str | None, password: str | None) -> User | None:
    """The user when name and password match, else None (constant-time hash check)."""
    user = users.get(name or "")
    if user is None or password is None:
        return None
    return user if check_password_hash(user.password_hash, password) else None
