"""Evaluation of condition nodes' tests against the clock, the calendar, slots and counters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from dialogs.conditions_model import Condition
from dialogs.holidays import holiday_name
from dialogs.hours import HoursFile
from dialogs.speak import WEEKDAYS


def holds(
    condition: Condition,
    now: datetime,
    hours: HoursFile | None,
    slots: Mapping[str, str],
    counters: Mapping[str, int],
) -> bool:
    """True when every test given in `condition` holds."""
    tests: list[bool] = []
    if condition.open is not None:
        tests.append(hours is not None and hours.is_open(condition.open, now))
    if condition.holiday is not None:
        tests.append((holiday_name(now.date()) is not None) == condition.holiday)
    if condition.weekday is not None:
        tests.append(WEEKDAYS[now.weekday()] in condition.weekday)
    if condition.slot is not None:
        value = slots.get(condition.slot)
        if condition.equals is not None:
            tests.append(value == condition.equals)
        if condition.present is not None:
            tests.append((value is not None) == condition.present)
    if condition.counter is not None:
        count = counters.get(condition.counter, 0)
        if condition.at_least is not None:
            tests.append(count >= condition.at_least)
        if condition.below is not None:
            tests.append(count < condition.below)
    if condition.all is not None:
        tests.append(all(holds(c, now, hours, slots, counters) for c in condition.all))
    if condition.any is not None:
        tests.append(any(holds(c, now, hours, slots, counters) for c in condition.any))
    if condition.negate is not None:
        tests.append(not holds(condition.negate, now, hours, slots, counters))
    return all(tests)
