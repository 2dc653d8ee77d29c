"""Checks against Asterisk, over its manager interface (AMI): the login, and whether the
address the dialplan dials for AudioSocket reaches this service.

How the dialed address is found, without touching a call: the dialplan sets
STANDARDISTE_AUDIOSOCKET (one worker) or STANDARDISTE_AUDIOSOCKETS (host:port&host:port...,
which replaces it when not empty) in [standardiste-settings], then in the town hall's own
[standardiste-settings-local], which runs last. These are channel variables set while a call
runs, not globals, so AMI Getvar cannot read them outside a call, and originating a call into
the dialplan would ring someone or leave traces in the call log. The AMI action ShowDialPlan
instead lists the dialplan as loaded in Asterisk, read-only; it needs the "reporting" write
class, which the shipped manager_standardiste.conf grants. The last plain Set() of each
variable in the two contexts gives the address(es) Asterisk will dial; a ${NAME} in it is
read as the global variable NAME with AMI Getvar (what a call that does not set NAME sees).
Each address is then compared with [audiosocket] host:port and, when this machine should be
listening on it, tried by TCP (a connection closed at once, before any UUID: the AudioSocket
server drops it). Nothing is changed in Asterisk and no call is placed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket

from ivr.config import ServiceSettings
from ivr.doctor.ports import bind_error, local_host
from ivr.doctor.result import CheckResult, failure, ok, warning
from telephony.ami import AmiEvent, AmiSettings
from telephony.ami.client import PLACEHOLDER_SECRET
from telephony.ami.session import AmiSession
from telephony.errors import TelephonyError

AMI = "AMI"
DIALPLAN = "AudioSocket du dialplan"
CONTEXTS = ("standardiste-settings", "standardiste-settings-local")
VARIABLES = ("STANDARDISTE_AUDIOSOCKET", "STANDARDISTE_AUDIOSOCKETS")
REFERENCE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
"""A plain variable reference, ${NAME} (functions and expressions are not resolved)."""
WAIT_S = 3.0
"""Seconds to connect, log in, and for each action's answer."""
SECRET_FIX = ("mettre dans [ami] secret (ou IVR_AMI_SECRET) le secret de l'utilisateur "
              "dans manager_standardiste.conf")


def _ignore(_event: AmiEvent) -> None:
    """Events are not needed: the actions' answers carry their event lists."""


async def _login(settings: AmiSettings) -> AmiSession | CheckResult:
    """A logged-in session, or the ÉCHEC saying why not."""
    where = f"{settings.host}:{settings.port}"
    if settings.secret in ("", PLACEHOLDER_SECRET):
        return failure(AMI, f"aucun secret configuré pour {settings.username!r}", SECRET_FIX)
    wait = min(settings.action_timeout_s, WAIT_S)
    try:
        return await AmiSession.open(settings.host, settings.port, settings.username,
                                     settings.secret, _ignore, wait)
    except TelephonyError as err:
        if err.code == "ami.login":
            return failure(AMI, f"secret refusé pour l'utilisateur {settings.username!r} à "
                                f"{where} (ou adresse non permise par permit=)", SECRET_FIX)
        return failure(AMI, f"Asterisk injoignable à {where} : {err.args[0]}",
                       "démarrer Asterisk, ou corriger [ami] host/port (manager.conf : "
                       "enabled = yes, bindaddr, port)")


async def _ami(settings: ServiceSettings) -> CheckResult:
    s = settings.ami
    session = await _login(s)
    if isinstance(session, CheckResult):
        return session
    try:
        version = (await session.send("CoreSettings", {}, wait_s=WAIT_S)).get("AsteriskVersion")
    except TelephonyError:
        version = ""
    finally:
        await _logoff(session)
    shown = f" (Asterisk {version})" if version else ""
    return ok(AMI, f"connecté à {s.host}:{s.port} en tant que {s.username!r}{shown}")


async def _logoff(session: AmiSession) -> None:
    with contextlib.suppress(TelephonyError):  # a polite goodbye, if it can
        await session.send("Logoff", {}, wait_s=1.0)
    await session.close()


def check_ami(settings: ServiceSettings) -> CheckResult:
    """Connect and log in once with the configured settings (no retries), then log off."""
    if not settings.service.ami_enabled:
        return warning(AMI, "désactivé ([service] ami_enabled = false) : pas de transferts")
    return asyncio.run(_ami(settings))


def dialplan_values(events: list[AmiEvent]) -> dict[str, str]:
    """The last value each of `VARIABLES` is given by a plain Set() in `CONTEXTS` (in the
    order they run), from ShowDialPlan's ListDialplan events. Conditional sets (ExecIf) are
    left out: they depend on the call."""
    values: dict[str, str] = {}
    for context in CONTEXTS:
        rows = [e for e in events if e.name == "ListDialplan" and e.get("Context") == context]
        rows.sort(key=lambda e: int(e.get("Priority", "0") or 0))
        for row in rows:
            if row.get("Application").lower() != "set":
                continue
            name, sep, value = row.get("AppData").partition("=")
            if sep and name.strip() in VARIABLES:
                values[name.strip()] = value.strip()
    return values


def dialed_addresses(values: dict[str, str]) -> list[str]:
    """The worker list Asterisk dials: STANDARDISTE_AUDIOSOCKETS, else STANDARDISTE_AUDIOSOCKET
    (as the dialplan chooses), split on '&'; empty when neither is set."""
    chosen = values.get("STANDARDISTE_AUDIOSOCKETS", "") or values.get(
        "STANDARDISTE_AUDIOSOCKET", "")
    return [item.strip() for item in chosen.split("&") if item.strip()]


async def _resolved(session: AmiSession, value: str) -> str:
    """`value` with each ${NAME} replaced by the global variable NAME (AMI Getvar without a
    channel reads globals; an unset one is empty, as for a call that does not set it)."""
    names = set(REFERENCE.findall(value))
    for name in names:
        answer = await session.send("Getvar", {"Variable": name}, wait_s=WAIT_S)
        found = answer.get("Value") if answer.success else ""
        value = value.replace(f"${{{name}}}", "" if found == "(null)" else found)
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=WAIT_S):
            return True
    except OSError:
        return False


async def _dialplan_events(session: AmiSession) -> list[AmiEvent] | CheckResult:
    events: list[AmiEvent] = []
    for context in CONTEXTS:
        response = await session.send("ShowDialPlan", {"Context": context}, wait_s=WAIT_S)
        if response.success:
            events += response.events
        elif context == CONTEXTS[0]:
            return failure(DIALPLAN, f"Asterisk n'a pas le contexte [{context}] : "
                                     f"{response.message}",
                           "#include extensions_standardiste.conf dans extensions.conf, "
                           "puis `dialplan reload`")
    return events


async def _dialplan(settings: ServiceSettings) -> CheckResult:
    session = await _login(settings.ami)
    if isinstance(session, CheckResult):
        return warning(DIALPLAN, "non vérifiable : pas de connexion AMI (voir la ligne AMI)")
    try:
        events = await _dialplan_events(session)
        if isinstance(events, CheckResult):
            return events
        values = {name: await _resolved(session, value)
                  for name, value in dialplan_values(events).items()}
    finally:
        await _logoff(session)
    targets = dialed_addresses(values)
    if not targets:
        return failure(DIALPLAN, "STANDARDISTE_AUDIOSOCKET(S) vide dans le dialplan",
                       "Set(STANDARDISTE_AUDIOSOCKET=HÔTE:PORT) dans "
                       "[standardiste-settings-local]")
    return await asyncio.to_thread(judge_targets, settings, targets)


def judge_targets(settings: ServiceSettings, targets: list[str]) -> CheckResult:
    """Compare the dialed addresses with where this service listens (and Asterisk's host)."""
    a = settings.audiosocket
    ours = f"{a.host}:{a.port}"
    shown = " & ".join(targets)
    local_fix = (f"Set(STANDARDISTE_AUDIOSOCKET{'S' if len(targets) > 1 else ''}=...) dans "
                 f"[standardiste-settings-local] (avec {ours}), ou [audiosocket] host/port")
    asterisk_remote = not _is_loopback(settings.ami.host)
    wildcard = a.host in ("0.0.0.0", "::", "")
    mine: list[tuple[str, int]] = []
    for target in targets:
        host, _, port_text = target.rpartition(":")
        if "$" in target or not port_text.isdigit():
            return warning(DIALPLAN, f"Asterisk compose {shown} : adresse calculée, non "
                                     "vérifiable ici")
        host = host.strip("[]")
        if asterisk_remote and _is_loopback(host):
            return failure(DIALPLAN, f"Asterisk ({settings.ami.host}) est sur une autre machine "
                                     f"mais compose {target}, sa propre boucle locale",
                           local_fix.replace("...", "ADRESSE-DE-CETTE-MACHINE:PORT"))
        if int(port_text) == a.port and (wildcard or host == a.host
                                         or (_is_loopback(host) and _is_loopback(a.host))):
            mine.append((host, int(port_text)))
    if not mine:
        return failure(DIALPLAN, f"Asterisk compose {shown}, ce service écoute sur {ours}",
                       local_fix)
    if asterisk_remote and _is_loopback(a.host):
        return failure(DIALPLAN, f"ce service n'écoute que sur {a.host}, Asterisk "
                                 f"({settings.ami.host}) ne peut pas le joindre",
                       "[audiosocket] host = une adresse de cette machine que Asterisk joint")
    host, port = mine[0]
    if bind_error(a.host, port) is None:  # nothing listens: the service is stopped
        return ok(DIALPLAN, f"Asterisk compose {shown}, conforme à [audiosocket] {ours} "
                            "(service arrêté : connexion non essayée)")
    if _reachable(local_host(host) if _is_loopback(host) else host, port):
        return ok(DIALPLAN, f"Asterisk compose {shown} : joignable depuis cette machine")
    return warning(DIALPLAN, f"Asterisk compose {shown}, mais la connexion TCP échoue",
                   "vérifier le pare-feu entre Asterisk et ce service")


def check_dialplan(settings: ServiceSettings) -> CheckResult:
    if not settings.service.ami_enabled:
        return warning(DIALPLAN, "non vérifiable sans AMI ([service] ami_enabled = false) : "
                                 f"vérifier que le dialplan compose {settings.audiosocket.host}:"
                                 f"{settings.audiosocket.port}")
    return asyncio.run(_dialplan(settings))
