"""Checks of this machine's own parts: the Vosk model, espeak-ng and its French voice, free
disk space in the data folder (bytes), the time zone and the clock's synchronisation, the
memory allocator.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.allocator import SYSTEM, jemalloc_library
from ivr.config import ServiceSettings
from ivr.doctor.result import CheckResult, failure, ok, warning
from speech.errors import SpeechError
from speech.models import model_path
from speech.vosk_model import SpeechModel

MODEL = "modèle Vosk"
VOICE = "synthèse espeak-ng"
DISK = "espace disque"
CLOCK = "horloge"
ALLOCATOR = "allocateur mémoire"
MIB = 1024 * 1024
DISK_FAILURE_BYTES = 100 * MIB
"""Under this much free space in the data folder: ÉCHEC (prompts, database, backups fail)."""
DISK_WARNING_BYTES = 1024 * MIB
"""Under this much: ATTENTION."""
FRENCH_WORDS = ("bonjour", "merci", "mairie")
"""Words every French model knows; a model knowing none of them is not French."""
DOWNLOAD = "ivr models download fr-small"


def check_model(settings: ServiceSettings) -> CheckResult:
    """The model the service would load (same lookup), loaded for real with vosk."""
    if settings.session.keypad_only:
        return warning(MODEL, "reconnaissance vocale désactivée ([session] keypad_only = true)")
    try:
        path = model_path(settings.speech)
        model = SpeechModel.load(path, decoder_limit=1)
    except SpeechError as err:
        return failure(MODEL, str(err), f"{DOWNLOAD} (ou [speech] vosk_model = DOSSIER)")
    if not any(model.knows(word) for word in FRENCH_WORDS):
        return warning(MODEL, f"{path} chargé ({model.sample_rate} Hz) mais ce n'est pas un "
                              f"modèle français (inconnus : {', '.join(FRENCH_WORDS)})", DOWNLOAD)
    return ok(MODEL, f"{path} chargé ({model.sample_rate} Hz)")


def _french_voices(listing: str) -> dict[str, str]:
    """`espeak-ng --voices=fr` output -> voice file (roa/fr) -> language (fr-fr)."""
    voices = {}
    for row in listing.splitlines()[1:]:
        columns = row.split()
        if len(columns) >= 5:
            voices[columns[4].lower()] = columns[1]
            voices[columns[3].lower()] = columns[1]  # the voice's name works with -v too
    return voices


def check_voice(settings: ServiceSettings) -> CheckResult:
    """espeak-ng installed, the configured voice is a French one, and it really speaks."""
    voice = settings.speech.voice
    if shutil.which("espeak-ng") is None:
        return failure(VOICE, "espeak-ng n'est pas installé", "apt-get install espeak-ng")
    listing = subprocess.run(["espeak-ng", "--voices=fr"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    voices = _french_voices(listing)
    if voice.lower() not in voices:
        known = ", ".join(sorted(v for v in voices if "/" in v)) or "aucune"
        return failure(VOICE, f"la voix {voice!r} n'est pas une voix française d'espeak-ng "
                              f"(disponibles : {known})", "[speech] voice = \"roa/fr\"")
    spoken = subprocess.run(["espeak-ng", "-v", voice, "--stdout", "Bonjour"],
                            capture_output=True, timeout=10, check=False)
    if spoken.returncode != 0 or len(spoken.stdout) < 1000:
        detail = spoken.stderr.decode(errors="replace").strip()[:200]
        return failure(VOICE, f"la voix {voice} ne produit pas de son ({detail})",
                       "apt-get install --reinstall espeak-ng-data")
    return ok(VOICE, f"voix {voice} ({voices[voice.lower()]})")


def existing_parent(path: Path) -> Path:
    """`path`, or its nearest existing ancestor (the data folder may not exist yet)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk_result(where: Path, free_bytes: int) -> CheckResult:
    """The verdict for `free_bytes` free in `where` (pure: thresholds above)."""
    found = f"{free_bytes / MIB / 1024:.1f} Gio libres dans {where}"
    if free_bytes < DISK_FAILURE_BYTES:
        return failure(DISK, found, f"libérer de la place (moins de {DISK_FAILURE_BYTES // MIB}"
                                    " Mio) ou déplacer [service] data_dir")
    if free_bytes < DISK_WARNING_BYTES:
        return warning(DISK, found, "libérer de la place (moins de 1 Gio) : `ivr purge`, "
                                    "anciennes sauvegardes")
    return ok(DISK, found)


def check_disk(settings: ServiceSettings) -> CheckResult:
    where = existing_parent(settings.data_dir.resolve())
    return disk_result(settings.data_dir, shutil.disk_usage(where).free)


def check_clock(settings: ServiceSettings) -> CheckResult:
    """The configured zone exists and is Europe/Paris; NTP synchronisation when timedatectl
    can tell (not in a container without systemd: then it says it could not check)."""
    zone = settings.service.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return failure(CLOCK, f"fuseau horaire inconnu {zone!r}",
                       "[service] timezone = \"Europe/Paris\" (ou apt-get install tzdata)")
    sync = _ntp_synchronised()
    if zone != "Europe/Paris":
        return warning(CLOCK, f"fuseau {zone}, pas Europe/Paris ; {sync}",
                       "[service] timezone = \"Europe/Paris\" si la mairie est en métropole")
    if sync.startswith("non synchronisée"):
        return warning(CLOCK, f"fuseau {zone} ; {sync}", "timedatectl set-ntp true")
    return ok(CLOCK, f"fuseau {zone} ; {sync}")


def _ntp_synchronised() -> str:
    if shutil.which("timedatectl") is None:
        return "synchronisation non vérifiable (timedatectl absent)"
    try:
        done = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                              capture_output=True, text=True, timeout=5, check=False)
    except subprocess.TimeoutExpired:
        return "synchronisation non vérifiable (timedatectl ne répond pas)"
    answer = done.stdout.strip()
    if done.returncode != 0 or answer not in ("yes", "no"):
        return "synchronisation non vérifiable (timedatectl sans systemd)"
    return "synchronisée (NTP)" if answer == "yes" else "non synchronisée (NTP)"


def allocator_result(choice: str, library: Path | None) -> CheckResult:
    """What `ivr serve` will run on ([service] allocator, the jemalloc library found)."""
    if choice == SYSTEM:
        return ok(ALLOCATOR, "celui du système ([service] allocator = \"system\")")
    if library is None:
        return warning(ALLOCATOR, "jemalloc absent : celui du système, dont la mémoire "
                                  "occupée croît davantage au fil des heures",
                       "apt-get install libjemalloc2")
    return ok(ALLOCATOR, f"jemalloc ({library})")


def check_allocator(settings: ServiceSettings) -> CheckResult:
    return allocator_result(settings.service.allocator, jemalloc_library())
