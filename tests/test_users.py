"""The dashboard's users (trainlog.store.users): the users file, sign-in checks, the throttle, the live book."""

from __future__ import annotations

import json
import logging
import stat

import pytest

from trainlog.errors import SettingsError, StoreError
from trainlog.store.users import (
    USERS_SCHEMA_VERSION,
    SignInThrottle,
    User,
    UserBook,
    add_user,
    authenticate,
    fingerprint,
    load_users,
    remove_user,
    save_users,
    stored_name,
    users_path,
)

PASSWORD = "correct horse battery"


def test_no_users_file_is_no_users(tmp_path):
    assert load_users(tmp_path) == {}
    assert users_path(tmp_path) == tmp_path / "users.json"


def test_users_round_trip_sorted_and_private(tmp_path):
    users = {"zoe": User("zoe", "coach", None, "h1"), "abe": User("abe", "athlete", "mara", "h2")}
    save_users(tmp_path / "new", users)  # the folder is made
    path = users_path(tmp_path / "new")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == USERS_SCHEMA_VERSION
    assert [u["name"] for u in doc["users"]] == ["abe", "zoe"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_users(tmp_path / "new") == users


def test_a_newer_users_file_is_refused_and_left_alone(tmp_path):
    users_path(tmp_path).write_text(json.dumps({"schema_version": USERS_SCHEMA_VERSION + 1, "users": []}))
    with pytest.raises(SettingsError, match=f"users file schema {USERS_SCHEMA_VERSION + 1} is newer"):
        load_users(tmp_path)
    assert json.loads(users_path(tmp_path).read_text())["schema_version"] == USERS_SCHEMA_VERSION + 1


@pytest.mark.parametrize("doc", ['{"users": []}', '{"schema_version": 1}', '{"schema_version": 1, "users": [{"x": 1}]}',
                                 "[]"])
def test_a_users_file_of_the_wrong_shape_is_one_error(tmp_path, doc):
    users_path(tmp_path).write_text(doc)
    with pytest.raises(SettingsError, match=r"(cannot read users|schema None is newer)"):
        load_users(tmp_path)


def test_a_users_file_that_cannot_be_written_is_one_error_naming_it(tmp_path):
    (tmp_path / "data").write_text("a file where the data directory should be")
    with pytest.raises(SettingsError, match=r"data/users.json: cannot save users: "):
        save_users(tmp_path / "data", {})


def test_add_user_stores_names_normalised_and_a_coach_sees_everyone(tmp_path):
    athlete = add_user(tmp_path, "ｍａｒａ", PASSWORD, "athlete", athlete="ＴＯＭ")
    assert (athlete.name, athlete.role, athlete.athlete) == ("mara", "athlete", "TOM")
    coach = add_user(tmp_path, "coach1", PASSWORD, "coach", athlete="tom")
    assert coach.athlete is None  # a coach is bound to no athlete
    assert set(load_users(tmp_path)) == {"mara", "coach1"}
    assert coach.may_see("anyone") and athlete.may_see("TOM") and not athlete.may_see("tom")
    assert PASSWORD not in users_path(tmp_path).read_text()


def test_add_user_refuses_a_name_of_mixed_scripts(tmp_path):
    with pytest.raises(StoreError, match="mixes scripts"):
        add_user(tmp_path, "m\u0430ra", PASSWORD, "coach")
    assert not users_path(tmp_path).exists()


def test_a_new_password_replaces_the_user_and_changes_the_fingerprint(tmp_path):
    old = add_user(tmp_path, "coach1", PASSWORD, "coach")
    new = add_user(tmp_path, "coach1", PASSWORD + "!", "coach")
    assert load_users(tmp_path) == {"coach1": new}
    assert old.password_hash != new.password_hash
    assert fingerprint(old) != fingerprint(new)
    assert authenticate(load_users(tmp_path), "coach1", PASSWORD) is None
    assert authenticate(load_users(tmp_path), "coach1", PASSWORD + "!") == new


def test_remove_user_finds_the_stored_name(tmp_path):
    add_user(tmp_path, "mara", PASSWORD, "coach")
    add_user(tmp_path, "tom", PASSWORD, "coach")
    remove_user(tmp_path, "ｍａｒａ")
    assert set(load_users(tmp_path)) == {"tom"}
    with pytest.raises(SettingsError, match="no user 'mara'"):
        remove_user(tmp_path, "mara")
    assert set(load_users(tmp_path)) == {"tom"}


def test_the_fingerprint_follows_name_role_athlete_and_hash():
    user = User("mara", "athlete", "mara", "hash")
    print_ = fingerprint(user)
    assert len(print_) == 32 and int(print_, 16) >= 0
    assert fingerprint(User("mara", "athlete", "mara", "hash")) == print_
    others = [User("mira", "athlete", "mara", "hash"), User("mara", "coach", None, "hash"),
              User("mara", "athlete", "tom", "hash"), User("mara", "athlete", "mara", "hash2")]
    assert len({print_, *map(fingerprint, others)}) == 5


def test_authenticate_looks_up_the_stored_name_and_needs_a_password():
    users = {"mara": User("mara", "coach", None, "the-hash")}
    always = lambda hash_, password: True  # noqa: E731
    assert authenticate(users, "ｍａｒａ", "pw", check=always) == users["mara"]
    assert authenticate(users, "mara", None, check=always) is None  # no password is never a sign-in
    assert authenticate(users, "nobody", "pw", check=always) is None  # the dummy hash "matched": still nobody
    assert stored_name("ｍａｒａ") == "mara"


def test_the_throttle_forgets_old_failures_and_backs_off_again_after_a_lockout():
    now = [0.0]
    throttle = SignInThrottle(free=2, lockout_after=4, lockout_s=100, forget_s=1000, first_wait_s=10,
                              clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("mara", "10.0.0.1")
    assert throttle.retry_after("mara", "10.0.0.1") == 10
    now[0] += 1000  # forget_s after the last failure: a clean slate
    assert throttle.retry_after("mara", "10.0.0.1") == 0
    assert throttle.failed("mara", "10.0.0.1") == 1
    for _ in range(3):
        count = throttle.failed("mara", "10.0.0.1")
    assert count == 4 and throttle.locked(count)
    assert throttle.retry_after("mara", "10.0.0.2") == 100
    now[0] += 100
    assert throttle.retry_after("mara", "10.0.0.2") == 0  # the lockout is over...
    assert throttle.failed("mara", "10.0.0.2") == 3  # ...and the count goes on from `free`
    assert throttle.retry_after("mara", "10.0.0.2") == 20  # 10 s * 2 ** (3 - 2)


def test_the_throttle_wait_is_capped_by_the_lockout():
    now = [0.0]
    throttle = SignInThrottle(free=1, lockout_after=50, lockout_s=60, first_wait_s=30, clock=lambda: now[0])
    for _ in range(10):
        throttle.failed("mara", "a")
    assert throttle.retry_after("mara", "a") == 60  # 30 * 2 ** 9 s, capped


def test_the_user_book_rereads_a_changed_file_and_keeps_the_last_good_one(tmp_path, caplog):
    book = UserBook(tmp_path)
    assert book.get() == {}
    add_user(tmp_path, "coach1", PASSWORD, "coach")
    assert set(book.get()) == {"coach1"}
    add_user(tmp_path, "tom", PASSWORD, "coach")
    assert set(book.get()) == {"coach1", "tom"}
    users_path(tmp_path).write_text("{broken")
    with caplog.at_level(logging.ERROR, logger="trainlog.auth"):
        assert set(book.get()) == {"coach1", "tom"}
    assert "cannot read users" in caplog.text
    users_path(tmp_path).unlink()
    assert book.get() == {}
