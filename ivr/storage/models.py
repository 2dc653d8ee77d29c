"""The database tables, as SQLAlchemy 2 typed ORM classes.

Times are aware datetimes stored as UTC (`UTCDateTime`). Phone numbers are stored in the
national form given by `ivr.storage.phone.normalise_phone` ("0612345678", or "+<digits>" for
foreign numbers) so that export and erasure by phone number find every row. Transcript text is
masked by `ivr.privacy.masking` before it reaches `Turn.text` or `Call.summary`.

Alembic migrations under `ivr/storage/migrations` create the same schema; a test compares them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ivr.storage.types import UTCDateTime
from ivr.storage.write_keys import KEY_CHARS

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

OUTCOMES = ("resolved", "transferred", "callback", "abandoned")
SPEAKERS = ("caller", "assistant", "agent")
ROLES = ("admin", "agent")
CALLBACK_STATUSES = ("pending", "done")
TICKET_STATUSES = ("open", "in_progress", "closed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Call(Base):
    """One telephone call handled by the assistant."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    caller_number: Mapped[str | None] = mapped_column(String(32), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))
    transfer_queue: Mapped[str | None] = mapped_column(String(64))
    transfer_reason: Mapped[str | None] = mapped_column(Text)
    transfer_agent: Mapped[str | None] = mapped_column(String(32))
    """Extension of the agent whose phone answered the transferred call (PJSIP endpoint)."""
    summary: Mapped[str | None] = mapped_column(Text)
    satisfaction_scale: Mapped[str | None] = mapped_column(String(8))
    """"1-5" or "yes_no" when the caller answered the satisfaction question."""
    satisfaction_score: Mapped[int | None] = mapped_column(Integer)
    """1 to 5, or 1 (oui) / 0 (non)."""
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    """Words said with the answer (masked)."""

    turns: Mapped[list[Turn]] = relationship(
        back_populates="call", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Turn.seq",
    )


class Turn(Base):
    """One thing said in a call, by the caller, the assistant or (web chat) an agent (text
    already masked)."""

    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("call_id", "seq"),
        CheckConstraint(_in("speaker", SPEAKERS), name="speaker"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    speaker: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    """The recogniser's (ASR) confidence in the text, 0-1; None for typed text and keys."""
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    """The understander's (NLU) confidence in `intent`, 0-1; None when not measured."""
    audio: Mapped[bytes | None] = mapped_column(LargeBinary)
    write_key: Mapped[str | None] = mapped_column(String(KEY_CHARS), unique=True)
    """The writer's own id for this turn (the call recorder's UUID): a write tried again
    after its answer was lost finds the turn it stored instead of adding it twice. None for
    turns written without one (before revision 0010, web chats)."""

    call: Mapped[Call] = relationship(back_populates="turns")


class Appointment(Base):
    """A booked slot; (service, starts_at) is unique so a slot is booked at most once."""

    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("service", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_min: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Counter(Base):
    """Named counters for human-friendly references ("SIG-2026" -> last number given)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """An incident reported by a caller (street light out, pothole...)."""

    __tablename__ = "tickets"
    __table_args__ = (CheckConstraint(_in("status", TICKET_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(64))


class CallbackRequest(Base):
    """A caller asked to be called back by an agent."""

    __tablename__ = "callback_requests"
    __table_args__ = (CheckConstraint(_in("status", CALLBACK_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    queue: Mapped[str | None] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))
    write_key: Mapped[str | None] = mapped_column(String(KEY_CHARS), unique=True)
    """The writer's own id for this request (the call's UUID for it): a request tried again
    after its answer was lost finds the one it stored instead of asking twice. None for
    requests written without one (before revision 0011, agents' and the web's)."""


class FlowVersion(Base):
    """One saved version of a dialogue flow's YAML; at most one published per flow name."""

    __tablename__ = "flow_versions"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        Index(
            "uq_flow_versions_published", "name", unique=True,
            sqlite_where=text("published"), postgresql_where=text("published"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published: Mapped[bool] = mapped_column(Boolean, default=False)


class FlowVersionFile(Base):
    """A companion file of a flow version (intents, knowledge base, hours, tests...), stored
    under the file name the flow refers to; the version's own `yaml_text` is the main file."""

    __tablename__ = "flow_version_files"
    __table_args__ = (UniqueConstraint("flow_version_id", "filename"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_version_id: Mapped[int] = mapped_column(
        ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)


class RecordedPrompt(Base):
    """A human recording that replaces the synthetic voice for one prompt id (WAV bytes)."""

    __tablename__ = "recorded_prompts"

    prompt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wav: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    """A back-office account (argon2 password hash)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    """The agent's phone (PJSIP endpoint name, "101"): the console shows calls ringing it."""


class WebSession(Base):
    """A signed-in browser session; the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Option(Base):
    """An admin setting stored in the database (key -> JSON text)."""

    __tablename__ = "options"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LivePayload(Base):
    """A live call event too large for a PostgreSQL notification, relayed by reference
    (`ivr.live_relay`); kept an hour."""

    __tablename__ = "live_payloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    payload: Mapped[str] = mapped_column(Text)


class SignInFailure(Base):
    """One failed sign-in against one rate-limit key (`ivr.storage.sign_in_failures`)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    """Wall-clock seconds (epoch): the same on every worker."""


class ChatConversation(Base):
    """A web chat in progress (`ivr.storage.chats`), so that any worker answers any of its
    requests; deleted when the conversation ends or expires (with its call, at the latest)."""

    __tablename__ = "chat_conversations"

    id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"),
                                    primary_key=True)
    """The conversation's call record ("web-" and 16 hex digits)."""
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    """SHA-256 of the client address that started it (the per-client cap counts by it)."""
    flow: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int | None] = mapped_column(Integer)
    """The published version it plays; None for the flow's fallback file."""
    state: Mapped[str] = mapped_column(Text)
    """The dialogue state (`dialogs.state.CallState` as JSON, unmasked: the flow needs it)."""
    done: Mapped[str] = mapped_column(Text, default="[]")
    """What it obtained so far, a JSON list ("appointment", "ticket", "callback")."""
    queue: Mapped[str | None] = mapped_column(String(64))
    """Set once the flow handed it over to an agent of that service queue."""
    replies: Mapped[str] = mapped_column(Text, default="[]")
    """What agents wrote to the citizen, a JSON list in order (the turns hold them masked)."""
    ended_by: Mapped[str | None] = mapped_column(String(16))
    """"citizen" or "agent" once a handed-over conversation ended."""
    last_seen: Mapped[float] = mapped_column(Float, index=True)
    """Wall-clock seconds (epoch) of its last request: the same on every worker."""
    revision: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every change: a change made meanwhile by another worker is not overwritten."""
