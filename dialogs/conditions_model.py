"""The condition format used by condition nodes (YAML mapping; every key given must hold).

`open: SERVICE` (the service is open now), `holiday: true|false` (today is a public holiday),
`weekday: [lundi, ...]`, `slot: NAME` with `equals: VALUE` or `present: true|false`,
`counter: NAME` with `at_least: N` and/or `below: N`, and the combinators `all`, `any`, `not`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dialogs.hours import Weekday


class Condition(BaseModel):
    """A test on the clock, the calendar, slots or counters."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    open: str | None = Field(default=None, description="This service is open now.")
    holiday: bool | None = Field(default=None, description="Today is (not) a public holiday.")
    weekday: list[Weekday] | None = Field(default=None, description="Today is one of these.")
    slot: str | None = Field(default=None, description="Slot tested by equals/present.")
    equals: str | None = None
    present: bool | None = None
    counter: str | None = Field(default=None, description="Counter tested by at_least/below.")
    at_least: int | None = None
    below: int | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    negate: Condition | None = Field(default=None, alias="not")
