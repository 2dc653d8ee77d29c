"""Users and web sessions: argon2 passwords, roles, disabling, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from ivr.storage import options, users, web_sessions
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, InvalidValue
from ivr.storage.phone import normalise_phone, optional_phone
from ivr.storage.types import utc_now

# Light argon2 parameters keep the tests quick; the service uses argon2-cffi's defaults.
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_users_sign_in_with_their_password_only(database: Database) -> None:
    with database.transaction() as s:
        created = users.create_user(s, HASHER, "marie", "correct horse battery", "agent")
    assert created.role == "agent" and created.active
    with database.transaction() as s:
        assert users.authenticate(s, HASHER, "marie", "correct horse battery") == created
        assert users.authenticate(s, HASHER, "marie", "wrong password!") is None
        assert users.authenticate(s, HASHER, "nobody", "correct horse battery") is None
        users.set_active(s, "marie", False)
        assert users.authenticate(s, HASHER, "marie", "correct horse battery") is None


def test_old_hashes_are_upgraded_on_sign_in(database: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    with database.transaction() as s:
        users.create_user(s, weak, "paul", "correct horse battery", "admin")
        assert users.authenticate(s, HASHER, "paul", "correct horse battery") is not None
    with database.transaction() as s:
        assert users.authenticate(s, HASHER, "paul", "correct horse battery") is not None
        users.set_password(s, HASHER, "paul", "another long secret")
        assert users.authenticate(s, HASHER, "paul", "another long secret") is not None


def test_bad_user_input_is_refused(database: Database) -> None:
    with database.transaction() as s:
        users.create_user(s, HASHER, "marie", "correct horse battery", "agent")
        with pytest.raises(Conflict):
            users.create_user(s, HASHER, "marie", "correct horse battery", "agent")
        with pytest.raises(InvalidValue):
            users.create_user(s, HASHER, "Marie Curie", "correct horse battery", "agent")
        with pytest.raises(InvalidValue):
            users.create_user(s, HASHER, "pierre", "short", "agent")
        with pytest.raises(InvalidValue):
            users.create_user(s, HASHER, "pierre", "correct horse battery", "mayor")
        assert [u.username for u in users.list_users(s)] == ["marie"]


def test_web_sessions_expire_and_end_with_the_account(database: Database) -> None:
    with database.transaction() as s:
        user = users.create_user(s, HASHER, "marie", "correct horse battery", "agent")
        token, signed = web_sessions.open_session(s, user.id, timedelta(hours=1))
    with database.transaction() as s:
        found = web_sessions.resolve(s, token)
        assert found is not None and found.user.username == "marie"
        assert found.csrf_token == signed.csrf_token
        assert web_sessions.resolve(s, token + "x") is None
        assert web_sessions.resolve(s, token, now=utc_now() + timedelta(hours=2)) is None
        assert web_sessions.resolve(s, token) is None  # the expired session was deleted
        token, _ = web_sessions.open_session(s, user.id, timedelta(hours=1))
        users.set_active(s, "marie", False)
        assert web_sessions.resolve(s, token) is None
        web_sessions.close_session(s, token)
        assert web_sessions.purge_expired(s) == 0


def test_options_have_privacy_friendly_defaults(database: Database) -> None:
    with database.transaction() as s:
        assert options.store_audio(s) is False
        assert options.retention_days(s) == 30
        options.set_retention_days(s, 7)
        with pytest.raises(InvalidValue):
            options.set_retention_days(s, 0)
    with database.transaction() as s:
        assert options.retention_days(s) == 7


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("06 12 34 56 78", "0612345678"), ("+33 6 12 34 56 78", "0612345678"),
     ("0033612345678", "0612345678"), ("(01) 45.67.89.12", "0145678912"),
     ("+44 20 7946 0958", "+442079460958"), ("3939", "3939"), ("101", "101")],
)
def test_phone_numbers_have_one_stored_form(raw: str, stored: str) -> None:
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize("raw", ["", "abc", "06 12 ab", "+33 6 12", "1", "0" * 16])
def test_odd_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_phone(raw)


def test_absent_caller_ids_become_none() -> None:
    assert optional_phone(None) is None
    assert optional_phone("anonymous") is None
    assert optional_phone(" ") is None
    assert optional_phone("0612345678") == "0612345678"
