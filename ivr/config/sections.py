"""The service's own settings sections (frozen dataclasses, one docstring per field with units).

The other sections of the settings file reuse the packages' own settings classes:
`telephony.audiosocket.AudioSocketSettings` ([audiosocket]), `telephony.ami.AmiSettings`
([ami]), `ivr.web.settings.WebSettings` ([web]); [speech] and [database] map onto the
environment variables those packages already read (see `ivr.config.load`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ivr.allocator import CHOICES, JEMALLOC


@dataclass(frozen=True, slots=True)
class ServiceSection:
    """[service]: the service as a whole."""

    flow_name: str = "mairie"
    """Name of the flow calls play: its version published in the back office, if any."""
    flow: Path | None = None
    """Flow YAML file played while no version of `flow_name` is published; None: the
    town-hall flow shipped with the package."""
    data_dir: Path | None = None
    """Folder for the service's own files (fallback prompts); None: $XDG_DATA_HOME/standardiste."""
    timezone: str = "Europe/Paris"
    """IANA time zone of the town hall: the dialogue's clock (opening hours, dates)."""
    shutdown_deadline_s: float = 10.0
    """On SIGTERM/SIGINT, seconds calls in progress get to end politely before being cut."""
    ami_enabled: bool = True
    """Connect to Asterisk's manager interface (transfers); false: no transfer is attempted."""
    web_enabled: bool = True
    """Run the back office (web app) in the same process."""
    web_host: str = "127.0.0.1"
    """Address the back office listens on."""
    web_port: int = 8080
    """TCP port of the back office; 0 picks a free one."""
    public_url: str = ""
    """Base URL agents use to reach the back office (links in transfers); empty:
    http://WEB_HOST:WEB_PORT."""
    allocator: str = JEMALLOC
    """Native memory allocator of `ivr serve`: "jemalloc" (when installed, Debian's
    libjemalloc2: resident memory grows less over hours of calls) or "system" (glibc's)."""

    def __post_init__(self) -> None:
        if self.allocator not in CHOICES:
            raise ValueError(f"allocator must be one of {', '.join(CHOICES)}, "
                             f"got {self.allocator!r}")


@dataclass(frozen=True, slots=True)
class SessionSection:
    """[session]: how one call is conducted."""

    vad_aggressiveness: int = 2
    """webrtcvad aggressiveness, 0 (lenient) to 3 (strict)."""
    barge_in_ms: float = 300.0
    """Voiced run that stops a prompt, milliseconds (a cough is shorter)."""
    start_speech_ms: float = 120.0
    """Voiced run after which the caller counts as speaking (no prompt playing), milliseconds."""
    settle_ms: float = 250.0
    """When the partial result is already a complete answer (yes/no, a whole phone number),
    the turn ends after this much audio without a change, milliseconds."""
    max_utterance_ms: float = 15_000.0
    """Longest caller utterance, milliseconds."""
    digit_timeout_s: float = 5.0
    """Seconds to wait for the next keypad digit of a multi-digit answer."""
    max_call_s: float = 900.0
    """Longest call, seconds; then the caller is told goodbye (or transferred)."""
    hint_grammar: bool = True
    """Restrict recognition of each listen step to the phrases it can act on (its hints,
    choices, yes/no, intents' examples, value words; see `dialogs.phrases`), with what the
    grammar cannot cover decoded again freely. Only models with a runtime graph (the small
    ones) can; with a static graph (the large French models) every step is free speech, as
    are steps that take free text. False: free speech everywhere."""
    grammar_min_confidence: float = 0.5
    """A grammar result whose mean word confidence (0 to 1) is below this, or that is empty
    or mostly `[unk]`, is decoded again with free speech from the utterance's audio."""
    keypad_only: bool = False
    """Never listen to speech, keypad only (also what happens without a speech model)."""
    error_queue: str = "accueil"
    """Flow queue a call goes to after a service failure (dialogue error, no voice)."""
    prompt_wait_s: float = 4.0
    """Longest silence the caller sits through while a prompt is synthesised, seconds; past
    it the voice counts as lost (recorded apology, then a person)."""


@dataclass(frozen=True, slots=True)
class TransferSection:
    """[transfer]: where transferred calls go in Asterisk's dialplan."""

    context: str = "standardiste-transfer"
    """Dialplan context calls are redirected to (see extensions_standardiste.conf)."""
    exten: str = "queue"
    """Extension of that context for a flow queue without a route ('queue': the agents' queue)."""
    asterisk_queue: str = "standardiste-agents"
    """Asterisk queue (queues.conf) behind the 'queue' extension; set as STANDARDISTE_QUEUE."""
    routes: dict[str, str] = field(default_factory=dict)
    """Flow queue -> extension of `context` ('101' an agent's phone) or 'queue:NAME' (an Asterisk
    queue); a flow queue not listed goes to `exten` with `asterisk_queue`."""
    check_agents: bool = True
    """Before moving a call to a queue, ask Asterisk (QueueSummary) whether an agent is free;
    if none is, the caller is offered a callback instead."""
    ami_wait_s: float = 6.0
    """Seconds a transfer waits for the AMI connection to come back when it is down or drops
    during the transfer (once the caller heard "je vous passe un conseiller"); past it, the
    callback offer. Keep it under a caller's patience with a silent line (about 8 s)."""
