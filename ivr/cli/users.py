"""`ivr users add NAME --role admin|agent [--phone 101]`, `ivr users list`,
`ivr users disable NAME`, `ivr users passwd NAME`, `ivr users phone NAME 101` (the agent's
phone, its PJSIP endpoint: the console shows the calls ringing it; `--none` to remove it).

Passwords are read from a prompt (typed twice, not echoed) or, with `--password-stdin`, from
the first line of standard input (for scripts). They are stored as argon2id hashes.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from argon2 import PasswordHasher

from ivr.cli.storage_support import storage_command, transaction
from ivr.storage import users
from ivr.storage.errors import InvalidValue


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidValue("no password on standard input")
        return line.rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (encore) : ") != first:
        raise InvalidValue("the two passwords differ")
    return first


@storage_command
def _add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with transaction() as s:
        user = users.create_user(s, PasswordHasher(), args.name, password, args.role,
                                 phone=args.phone)
    phone = f", phone {user.phone}" if user.phone else ""
    print(f"user {user.username} created ({user.role}{phone})")
    return 0


@storage_command
def _list(args: argparse.Namespace) -> int:
    with transaction() as s:
        for user in users.list_users(s):
            state = "active" if user.active else "disabled"
            print(f"{user.username}\t{user.role}\t{state}\t{user.phone or '-'}")
    return 0


@storage_command
def _disable(args: argparse.Namespace) -> int:
    with transaction() as s:
        users.set_active(s, args.name, False)
    print(f"user {args.name} disabled")
    return 0


@storage_command
def _passwd(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with transaction() as s:
        users.set_password(s, PasswordHasher(), args.name, password)
    print(f"password of {args.name} changed")
    return 0


@storage_command
def _phone(args: argparse.Namespace) -> int:
    if args.none == bool(args.phone):
        raise InvalidValue("give the phone (for example 101) or --none")
    with transaction() as s:
        user = users.set_phone(s, args.name, None if args.none else args.phone)
    print(f"user {user.username}: phone {user.phone or 'none'}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("users", help="back-office accounts")
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account")
    add.add_argument("name", help="username: lowercase letters, digits, '.', '-', '_'")
    add.add_argument("--role", choices=("admin", "agent"), required=True)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.add_argument("--phone", help="the agent's phone: its PJSIP endpoint (101)")
    add.set_defaults(func=_add)
    actions.add_parser("list", help="list accounts").set_defaults(func=_list)
    disable = actions.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("name")
    disable.set_defaults(func=_disable)
    passwd = actions.add_parser("passwd", help="set a new password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=_passwd)
    phone = actions.add_parser("phone", help="name the agent's phone (its PJSIP endpoint)")
    phone.add_argument("name")
    phone.add_argument("phone", nargs="?", help="the endpoint, for example 101")
    phone.add_argument("--none", action="store_true", help="the account has no phone")
    phone.set_defaults(func=_phone)
