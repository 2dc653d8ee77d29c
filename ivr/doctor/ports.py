"""Checks of the two TCP ports the service listens on (AudioSocket, back office): free to
bind, or taken, and then by whom: standardiste itself when its back office answers
GET /healthz (with the AudioSocket probe listening), something else otherwise.
"""

from __future__ import annotations

import errno
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from ivr.config import ServiceSettings
from ivr.doctor.result import CheckResult, failure, ok, warning

AUDIOSOCKET = "port AudioSocket"
WEB = "port web"
HEALTHZ_WAIT_S = 5.0


def bind_error(host: str, port: int) -> OSError | None:
    """Why the service could not listen on host:port (None: it could), as it binds
    (SO_REUSEADDR); the probe socket is closed at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            return err
    return None


def local_host(host: str) -> str:
    """Where to connect to reach a service listening on `host` (a wildcard means loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def healthz(host: str, port: int) -> dict[str, Any] | None:
    """standardiste's /healthz answer on that port (200 or 503 both answer), None when what
    listens there is not standardiste."""
    url = f"http://{local_host(host)}:{port}/healthz"
    if ":" in local_host(host):
        url = f"http://[{local_host(host)}]:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=HEALTHZ_WAIT_S) as answer:
            body = answer.read()
    except urllib.error.HTTPError as err:  # 503 degraded: still our service
        body = err.read()
    except (OSError, ValueError):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and "status" in data and isinstance(data.get("checks"), dict):
        return data
    return None


def _taken(name: str, host: str, port: int, err: OSError, setting: str) -> CheckResult | None:
    if err.errno == errno.EADDRINUSE:
        return None
    if err.errno == errno.EADDRNOTAVAIL:
        return failure(name, f"{host} n'est pas une adresse de cette machine",
                       f"{setting} : une adresse de cette machine (ou 0.0.0.0)")
    return failure(name, f"impossible d'écouter sur {host}:{port} : {err.strerror}",
                   f"changer {setting}")


def check_web_port(settings: ServiceSettings) -> CheckResult:
    s = settings.service
    if not s.web_enabled:
        return ok(WEB, "back office désactivé ([service] web_enabled = false)")
    if s.web_port == 0:
        return ok(WEB, "port choisi au démarrage ([service] web_port = 0)")
    err = bind_error(s.web_host, s.web_port)
    if err is None:
        return ok(WEB, f"{s.web_host}:{s.web_port} libre")
    other = _taken(WEB, s.web_host, s.web_port, err, "[service] web_host/web_port")
    if other is not None:
        return other
    if healthz(s.web_host, s.web_port) is not None:
        return ok(WEB, f"{s.web_host}:{s.web_port} utilisé par standardiste (le service "
                       "tourne, /healthz répond)")
    return warning(WEB, f"{s.web_host}:{s.web_port} occupé par un autre programme : le back "
                        "office ne pourra pas démarrer",
                   f"trouver lequel (ss -ltnp 'sport = :{s.web_port}') ou changer "
                   "[service] web_port")


def check_audiosocket_port(settings: ServiceSettings) -> CheckResult:
    a, s = settings.audiosocket, settings.service
    where = f"{a.host}:{a.port}"
    if a.port == 0:
        return ok(AUDIOSOCKET, "port choisi au démarrage ([audiosocket] port = 0)")
    err = bind_error(a.host, a.port)
    if err is None:
        return ok(AUDIOSOCKET, f"{where} libre")
    other = _taken(AUDIOSOCKET, a.host, a.port, err, "[audiosocket] host/port")
    if other is not None:
        return other
    if not s.web_enabled or not s.web_port:
        return warning(AUDIOSOCKET, f"{where} occupé ; sans back office (/healthz), impossible "
                                    "de dire si c'est standardiste",
                       f"si le service est arrêté : ss -ltnp 'sport = :{a.port}'")
    health = healthz(s.web_host, s.web_port)
    listening = health is not None and health["checks"].get("audiosocket", {}).get("ok")
    if listening:
        return ok(AUDIOSOCKET, f"{where} utilisé par standardiste (le service tourne, "
                               "/healthz le confirme)")
    return failure(AUDIOSOCKET, f"{where} occupé, et pas par standardiste (/healthz ne le "
                                "confirme pas) : le service ne pourra pas démarrer",
                   f"trouver lequel (ss -ltnp 'sport = :{a.port}') ou changer [audiosocket] port")
