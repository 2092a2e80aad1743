"""Standard cron schedules as CronJobs accept them: five fields or an ``@`` descriptor.

``parse`` returns the allowed values of each field, or raises ``ValueError`` with the wording of
the cron library the apiserver uses, which it prints after ``spec.schedule: Invalid value: ...``.
``schedule`` adds when it fires: as in cron (and the controller's library), when both the day of
month and the day of week are restricted a day matches if *either* does; when one of them starts
with ``*`` or ``?`` (without a step above 1) both must match.

>>> sorted(parse("*/15 9-10 * * mon")["minute"])
[0, 15, 30, 45]
>>> from datetime import datetime
>>> every_first_and_monday = schedule("0 0 1 * 1")
>>> [every_first_and_monday.fires(datetime(2026, 6, d)) for d in (1, 8, 9)]  # Mon 1st, Mon 8th, Tue 9th
[True, True, False]
>>> schedule("0 0 1 * *").fires(datetime(2026, 6, 8))
False
>>> parse("* * * *")
Traceback (most recent call last):
...
ValueError: expected exactly 5 fields, found 4: [* * * *]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_BOUNDS = {
    "minute": (0, 59, {}),
    "hour": (0, 23, {}),
    "dom": (1, 31, {}),
    "month": (1, 12, {n: i + 1 for i, n in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}),
    "dow": (0, 6, {n: i for i, n in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
}
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
_DURATION = re.compile(r"([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+")


def _int(expr: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", expr):
        raise ValueError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    number = int(expr)
    if number < 0:
        raise ValueError(f"negative number ({number}) not allowed: {expr}")
    return number


def _name_or_int(expr: str, names: dict[str, int]) -> int:
    if expr.lower() in names:
        return names[expr.lower()]
    return _int(expr)


def _range(expr: str, low: int, high: int, names: dict[str, int]) -> tuple[set[int], bool]:
    """The values of one comma-separated part, and whether it counts as a ``*`` (no step above 1)."""
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    star = low_high[0] in ("*", "?")
    if star:
        start, end = low, high
    else:
        start = _name_or_int(low_high[0], names)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _name_or_int(low_high[1], names)
        else:
            raise ValueError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _int(range_and_step[1])
        if len(low_high) == 1:
            end = high
        if step > 1:
            star = False
    else:
        raise ValueError(f"too many slashes: {expr}")
    if start < low:
        raise ValueError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise ValueError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")
    return set(range(start, end + 1, step)), star


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: the allowed values of each field and whether the day fields are ``*``."""

    fields: dict[str, set[int]]
    dom_star: bool
    dow_star: bool

    def day_matches(self, moment: datetime) -> bool:
        in_month = moment.day in self.fields["dom"]
        in_week = (moment.weekday() + 1) % 7 in self.fields["dow"]
        if self.dom_star or self.dow_star:
            return in_month and in_week
        return in_month or in_week

    def fires(self, moment: datetime) -> bool:
        """Whether the schedule fires in the minute of ``moment``."""
        f = self.fields
        return (moment.minute in f["minute"] and moment.hour in f["hour"] and moment.month in f["month"]
                and self.day_matches(moment))


def parse(spec: str) -> dict[str, set[int]]:
    """The minutes, hours, days of month, months and weekdays a schedule fires on."""
    return schedule(spec).fields


def schedule(spec: str) -> Schedule:
    """The schedule of ``spec``; ``ValueError`` in the library's words when it is not one."""
    if not spec:
        raise ValueError("empty spec string")
    if spec.startswith(("TZ=", "CRON_TZ=")):
        spec = spec.partition(" ")[2].strip()
    if spec.startswith("@"):
        if spec.startswith("@every "):
            duration = spec[len("@every "):]
            if not _DURATION.fullmatch(duration) or duration in ("", "."):
                raise ValueError(f'failed to parse duration {spec}: time: invalid duration "{duration}"')
            every = {n: set(range(lo, hi + 1)) for n, (lo, hi, _) in _BOUNDS.items()}
            return Schedule(every, True, True)
        if spec not in _DESCRIPTORS:
            raise ValueError(f"unrecognized descriptor: {spec}")
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    result: dict[str, set[int]] = {}
    stars: dict[str, bool] = {}
    for (name, (low, high, names)), text in zip(_BOUNDS.items(), fields, strict=True):
        values: set[int] = set()
        stars[name] = False
        for expr in (part for part in text.split(",") if part):
            part, star = _range(expr, low, high, names)
            values |= part
            stars[name] = stars[name] or star
        result[name] = values
    return Schedule(result, stars["dom"], stars["dow"])
