"""`install_service`: what `ivr install-service` does, step by step, each step idempotent.

The service runs from this checkout's virtual environment (`.venv/bin/ivr serve`), as the
system user `standardiste`, so the checkout must be readable by that user (a clone in
/opt/standardiste is; one in /root is not, and the install says so before changing
anything). Written, under `root` (normally "/"; another prefix for packaging or tests):

- etc/systemd/system/standardiste.service: rewritten at every install (it names the
  checkout); restart on failure, `NoNewPrivileges`, `ProtectSystem=strict`, the data folder
  the only writable path, stdout and stderr to the journal;
- etc/standardiste/standardiste.toml: from the commented example on the first install only,
  never overwritten (mode 0640, group standardiste: it holds the AMI secret);
- var/lib/standardiste and its models/, prompts/, prompt-cache/ folders, owned by the user.

The user is created on this machine (`useradd --system`) when it does not exist. With systemd
running and `root` "/", the unit is loaded and enabled (`systemctl daemon-reload`, `enable`);
otherwise the lines returned say what to run.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ivr.install.unit import DATA_DIR, SETTINGS, UNIT_NAME, unit_text

EXAMPLE = Path(__file__).with_name("standardiste.example.toml")
USER = "standardiste"
DATA_FOLDERS = ("models", "prompts", "prompt-cache")


class InstallError(Exception):
    """The install cannot go on; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class InstallOptions:
    root: Path = Path("/")
    """Prefix of every written path ("/" for this machine)."""
    user: str = USER
    create_user: bool = True
    executable: Path | None = None
    """The `ivr` to run (default: the one of this Python's environment)."""


def _ivr_executable() -> Path:
    return Path(sys.prefix) / "bin" / "ivr"


def unreadable_part(path: Path) -> Path | None:
    """The first folder on the way to `path` that other users cannot enter, or `path`
    itself when they cannot read it; None when the service user can reach it."""
    resolved = path.resolve()
    for folder in reversed(resolved.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    mode = resolved.stat().st_mode
    needed = stat.S_IROTH | (stat.S_IXOTH if resolved.is_dir() else 0)
    return None if mode & needed == needed else resolved


def _check_checkout(executable: Path) -> None:
    if not executable.is_file() or not os.access(executable, os.X_OK):
        raise InstallError(f"{executable} is missing: run `bash scripts/install.sh` first")
    checkout = Path(__file__).resolve().parents[2]
    for needed in (executable, checkout / "ivr" / "__init__.py"):
        blocked = unreadable_part(needed)
        if blocked is not None:
            raise InstallError(
                f"the service user cannot read {needed}: {blocked} is closed to other users. "
                "Clone standardiste where every user can read it (for example "
                "`git clone ... /opt/standardiste`, then `bash scripts/install.sh` there), "
                f"or open it: chmod o+rx {blocked}")


def _ensure_user(name: str) -> tuple[int, int, str]:
    try:
        entry = pwd.getpwnam(name)
        return entry.pw_uid, entry.pw_gid, f"user {name}: exists"
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    done = subprocess.run(
        [useradd, "--system", "--user-group", "--home-dir", str(DATA_DIR), "--no-create-home",
         "--shell", "/usr/sbin/nologin", "--comment", "standardiste voice assistant", name],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InstallError(f"useradd {name} failed: {done.stderr.strip()}")
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid, f"user {name}: created (system user, no login)"


def _folder(path: Path, mode: int, uid: int, gid: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, uid, gid)
    path.chmod(mode)


def _under(root: Path, absolute: Path) -> Path:
    return root / absolute.relative_to("/")


def _systemd_running(root: Path) -> bool:
    return root == Path("/") and Path("/run/systemd/system").is_dir()


def install_service(options: InstallOptions) -> list[str]:
    """Install (or update) the service; one line per step saying what was done."""
    root = options.root.resolve()
    executable = options.executable or _ivr_executable()
    if options.create_user and os.geteuid() != 0:
        raise InstallError("run it as root (sudo .venv/bin/ivr install-service)")
    _check_checkout(executable)
    lines: list[str] = []
    if options.create_user:
        uid, gid, said = _ensure_user(options.user)
        lines.append(said)
    else:
        uid, gid = os.geteuid(), os.getegid()
    data = _under(root, DATA_DIR)
    _folder(data, 0o750, uid, gid)
    for name in DATA_FOLDERS:
        _folder(data / name, 0o750, uid, gid)
    lines.append(f"data: {data} (owned by {options.user})")
    settings = _under(root, SETTINGS)
    _folder(settings.parent, 0o750, 0 if options.create_user else uid, gid)
    if settings.exists():
        lines.append(f"settings: {settings} kept as it is")
    else:
        partial = settings.with_name(f".{settings.name}.new")
        shutil.copyfile(EXAMPLE, partial)
        os.chown(partial, 0 if options.create_user else uid, gid)
        partial.chmod(0o640)
        partial.replace(settings)
        lines.append(f"settings: {settings} created from the commented example: set [ami] "
                     "secret there")
    unit = _under(root, Path("/etc/systemd/system") / UNIT_NAME)
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text(unit_text(executable, Path(__file__).resolve().parents[2], options.user,
                              grp.getgrgid(gid).gr_name))
    unit.chmod(0o644)
    lines.append(f"unit: {unit}")
    if _systemd_running(root):
        for command in (["daemon-reload"], ["enable", UNIT_NAME]):
            done = subprocess.run(["systemctl", *command], capture_output=True, text=True,
                                  check=False)
            if done.returncode != 0:
                raise InstallError(f"systemctl {' '.join(command)}: {done.stderr.strip()}")
        lines.append(f"systemd: {UNIT_NAME} enabled; start it: systemctl start standardiste")
    else:
        lines.append("systemd: not running here; on the town hall's server run "
                     f"`systemctl daemon-reload && systemctl enable --now {UNIT_NAME}`")
    return lines
