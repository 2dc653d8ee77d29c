"""The systemd unit of the installed service, as text.

Hardening, and why each line is safe for this service: it only reads its checkout and the
settings, writes only under /var/lib/standardiste (database, models, prompt cache), talks
TCP (AudioSocket, AMI, the back office, PostgreSQL) and runs espeak-ng, never as root and
never with new privileges.
"""

from __future__ import annotations

from pathlib import Path

UNIT_NAME = "standardiste.service"
DATA_DIR = Path("/var/lib/standardiste")
SETTINGS = Path("/etc/standardiste/standardiste.toml")
STOP_TIMEOUT_S = 30
"""Longer than the calls' polite end at a stop ([service] shutdown_deadline_s, 10 s)."""


def unit_text(executable: Path, checkout: Path, user: str, group: str) -> str:
    """The unit running `executable serve` from `checkout` as `user`."""
    under_home = checkout.is_relative_to("/home")
    return f"""\
# standardiste: written by `ivr install-service` (rewritten at each install: change the
# settings in {SETTINGS}, or override with `systemctl edit standardiste`).
[Unit]
Description=standardiste, assistant vocal du standard de la mairie
Documentation=file://{checkout}/README.md
After=network-online.target postgresql.service asterisk.service
Wants=network-online.target

[Service]
Type=simple
User={user}
Group={group}
ExecStart={executable} serve --config {SETTINGS}
WorkingDirectory={DATA_DIR}
Environment=HOME={DATA_DIR} PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec=5
TimeoutStopSec={STOP_TIMEOUT_S}
KillSignal=SIGTERM
StandardOutput=journal
StandardError=journal
UMask=0027
StateDirectory=standardiste
StateDirectoryMode=0750
ReadWritePaths={DATA_DIR}
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome={"read-only" if under_home else "yes"}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
CapabilityBoundingSet=

[Install]
WantedBy=multi-user.target
"""
