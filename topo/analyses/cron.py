"""CronJob schedules and time zones, validated the way the API server validates them.

Kubernetes parses `spec.schedule` with `cron.ParseStandard` of github.com/robfig/cron/v3 (vendored
at k8s.io/kubernetes vendor/github.com/robfig/cron/v3/parser.go, spec.go) and validates the CronJob
in k8s.io/kubernetes pkg/apis/batch/validation/validation.go (validateScheduleFormat,
validateTimeZone). This module follows both, field by field:

- five fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or `jan`..`dec`, day of week
  0-6 or `sun`..`sat` (`7` is *not* Sunday here: it is out of range); names are case-insensitive;
- each field is a comma-separated list (empty items are skipped) of `*`, `?`, `N`, `N-M`, each with
  an optional `/step`; `N/step` means `N-max/step`;
- descriptors `@yearly @annually @monthly @weekly @daily @midnight @hourly` (exact, lower case) and
  `@every <Go duration>`;
- since Kubernetes 1.27 (kubernetes/kubernetes#116252) a new CronJob whose schedule contains `TZ`
  (`TZ=...` or `CRON_TZ=...`) is rejected: the time zone belongs in `spec.timeZone`;
- `spec.timeZone`: not empty, IANA-style name components, not `Local`, and a zone the time zone
  database knows (Go's `time.LoadLocation`; here Python's `zoneinfo`).

It also tells when a schedule that parses can never fire (`0 0 30 2 *`): robfig's `Next` gives up
after five years and the CronJob controller never creates a Job.

>>> parse_schedule("*/15 9-17 * * mon-fri").minute == frozenset({0, 15, 30, 45})
True
>>> schedule_problems("0 0 * * 7", None)[0].message
'end of range (7) above maximum (6): 7'
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

__all__ = [
    "CronSchedule",
    "InvalidSchedule",
    "ScheduleProblem",
    "known_time_zones",
    "never_fires",
    "parse_go_duration",
    "parse_schedule",
    "schedule_problems",
    "time_zone_problem",
]

#: The Kubernetes minor version from which `TZ`/`CRON_TZ` in a new CronJob's schedule is rejected.
TZ_IN_SCHEDULE_REJECTED_SINCE = (1, 27)

DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_EVERY = "@every "

_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_DOW_NAMES = {name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}


@dataclass(frozen=True)
class _Bounds:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


_FIELDS = (
    _Bounds("minute", 0, 59),
    _Bounds("hour", 0, 23),
    _Bounds("day of month", 1, 31),
    _Bounds("month", 1, 12, _MONTH_NAMES),
    _Bounds("day of week", 0, 6, _DOW_NAMES),
)

# Go's strings.Fields splits on unicode.IsSpace: these characters, not Python's str.isspace set
# (which also counts \x1c-\x1f as spaces).
_GO_SPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_GO_ATOI = re.compile(r"^[+-]?[0-9]+$")  # strconv.Atoi: optional sign, ASCII digits only
_INT64_MAX = 2**63 - 1


class InvalidSchedule(ValueError):
    """The schedule does not parse; the message reads like the API server's."""


@dataclass(frozen=True)
class CronSchedule:
    """A parsed schedule: the values each field allows, or a fixed interval (`@every`)."""

    text: str
    minute: frozenset[int] = frozenset()
    hour: frozenset[int] = frozenset()
    day_of_month: frozenset[int] = frozenset()
    month: frozenset[int] = frozenset()
    day_of_week: frozenset[int] = frozenset()
    dom_star: bool = False  # written as `*` or `?` (without a step > 1): robfig's starBit
    dow_star: bool = False
    every_seconds: Fraction | None = None  # `@every`: the interval (robfig rounds up to 1 s)


@dataclass(frozen=True)
class ScheduleProblem:
    """One reason the API server rejects the CronJob (or the schedule never fires)."""

    field: str  # spec.schedule | spec.timeZone
    message: str
    rejected: bool = True  # False: accepted by the API server, but never runs a Job


# --- the schedule ---------------------------------------------------------------------------------


def parse_schedule(text: str) -> CronSchedule:
    """Parse like robfig/cron/v3 `ParseStandard`; raise InvalidSchedule with the reason."""
    if not text:
        raise InvalidSchedule("empty spec string")
    spec = text
    if spec.startswith(("TZ=", "CRON_TZ=")):
        # robfig strips a leading `TZ=zone ` itself; the API server rejects it anyway (see
        # schedule_problems), but the rest of the schedule is still worth checking.
        zone, space, rest = spec.partition(" ")
        if not space:
            raise InvalidSchedule(f"expected a schedule after {zone}")
        spec = rest.strip()
    if spec.startswith("@"):
        return _parse_descriptor(text, spec)
    fields = [f for f in _GO_SPACE.split(spec) if f]
    if len(fields) != 5:
        raise InvalidSchedule(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    values = []
    stars = []
    for field, bounds in zip(fields, _FIELDS):
        allowed, star = _parse_field(field, bounds)
        values.append(allowed)
        stars.append(star)
    return CronSchedule(
        text=text,
        minute=values[0],
        hour=values[1],
        day_of_month=values[2],
        month=values[3],
        day_of_week=values[4],
        dom_star=stars[2],
        dow_star=stars[4],
    )


def _parse_descriptor(text: str, spec: str) -> CronSchedule:
    everything = {b.name: frozenset(range(b.low, b.high + 1)) for b in _FIELDS}
    if spec in DESCRIPTORS:
        midnight = {"minute": frozenset({0}), "hour": frozenset({0})}
        shapes: dict[str, dict[str, Any]] = {
            "@yearly": {
                **midnight,
                "day_of_month": frozenset({1}),
                "month": frozenset({1}),
                "dow_star": True,
            },
            "@monthly": {**midnight, "day_of_month": frozenset({1}), "dow_star": True},
            "@weekly": {**midnight, "day_of_week": frozenset({0}), "dom_star": True},
            "@daily": {**midnight, "dom_star": True, "dow_star": True},
            "@hourly": {"minute": frozenset({0}), "dom_star": True, "dow_star": True},
        }
        shape = shapes[{"@annually": "@yearly", "@midnight": "@daily"}.get(spec, spec)]
        return CronSchedule(
            text=text,
            minute=shape.get("minute", everything["minute"]),
            hour=shape.get("hour", everything["hour"]),
            day_of_month=shape.get("day_of_month", everything["day of month"]),
            month=shape.get("month", everything["month"]),
            day_of_week=shape.get("day_of_week", everything["day of week"]),
            dom_star=shape.get("dom_star", False),
            dow_star=shape.get("dow_star", False),
        )
    if spec.startswith(_EVERY):
        try:
            seconds = parse_go_duration(spec[len(_EVERY) :])
        except ValueError as error:
            raise InvalidSchedule(f"failed to parse duration {spec}: {error}") from None
        # robfig Every(): intervals below one second are rounded up to one second.
        return CronSchedule(text=text, every_seconds=max(seconds, Fraction(1)))
    raise InvalidSchedule(f"unrecognized descriptor: {spec}")


def _parse_field(field: str, bounds: _Bounds) -> tuple[frozenset[int], bool]:
    """A comma-separated list of ranges (robfig getField); empty items are skipped."""
    allowed: set[int] = set()
    star = False
    for expr in (item for item in field.split(",") if item):
        values, expr_star = _parse_range(expr, bounds)
        allowed |= values
        star = star or expr_star
    return frozenset(allowed), star


def _parse_range(expr: str, bounds: _Bounds) -> tuple[set[int], bool]:
    """`*` | `?` | `N` | `N-M`, each with an optional `/step` (robfig getRange)."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    star = False
    if low_and_high[0] in ("*", "?"):
        start, end, star = bounds.low, bounds.high, True
    else:
        start = _int_or_name(low_and_high[0], bounds)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], bounds)
        else:
            raise InvalidSchedule(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if single:
            end = bounds.high  # "N/step" means "N-max/step"
        if step > 1:
            star = False
    else:
        raise InvalidSchedule(f"too many slashes: {expr}")
    if start < bounds.low:
        raise InvalidSchedule(f"beginning of range ({start}) below minimum ({bounds.low}): {expr}")
    if end > bounds.high:
        raise InvalidSchedule(f"end of range ({end}) above maximum ({bounds.high}): {expr}")
    if start > end:
        raise InvalidSchedule(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise InvalidSchedule(f"step of range should be a positive number: {expr}")
    return set(range(start, end + 1, step)), star


def _int_or_name(text: str, bounds: _Bounds) -> int:
    if bounds.names is not None and text.lower() in bounds.names:
        return bounds.names[text.lower()]
    return _atoi(text)


def _atoi(text: str) -> int:
    if not _GO_ATOI.match(text):
        raise InvalidSchedule(
            f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
        )
    number = int(text)
    if abs(number) > _INT64_MAX:
        raise InvalidSchedule(
            f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": value out of range'
        )
    if number < 0:
        raise InvalidSchedule(f"negative number ({number}) not allowed: {text}")
    return number


# --- Go durations (`@every 1h30m`) ----------------------------------------------------------------

_DURATION_UNITS = {
    "ns": Fraction(1, 10**9),
    "us": Fraction(1, 10**6),
    "\u00b5s": Fraction(1, 10**6),  # µ (micro sign)
    "\u03bcs": Fraction(1, 10**6),  # μ (Greek mu)
    "ms": Fraction(1, 10**3),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
}
_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")


def parse_go_duration(text: str) -> Fraction:
    """Seconds in a Go duration string (time.ParseDuration): `300ms`, `-1.5h`, `2h45m`, `0`."""
    original, rest = text, text
    negative = False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return Fraction(0)
    if not rest:
        raise ValueError(f'time: invalid duration "{original}"')
    total = Fraction(0)
    while rest:
        match = _DURATION_PART.match(rest)
        assert match is not None  # every group of the pattern may be empty: it matches any text
        whole, fraction, unit = match.group(1), match.group(2), match.group(3)
        if not whole and not fraction:
            raise ValueError(f'time: invalid duration "{original}"')
        if not unit:
            raise ValueError(f'time: missing unit in duration "{original}"')
        if unit not in _DURATION_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{original}"')
        value = Fraction(int(whole or "0"))
        if fraction:
            value += Fraction(int(fraction), 10 ** len(fraction))
        total += value * _DURATION_UNITS[unit]
        rest = rest[match.end() :]
    if total * 10**9 > _INT64_MAX + (1 if negative else 0):
        raise ValueError(f'time: invalid duration "{original}"')
    return -total if negative else total


# --- schedules that parse but never fire ----------------------------------------------------------

_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def never_fires(schedule: CronSchedule) -> str | None:
    """Why a parsed schedule matches no time at all, or None when it fires.

    robfig's day matching (spec.go dayMatches): when day of month or day of week is written as
    `*`/`?`, both must match; otherwise either may. Every month has each weekday, so only the day of
    month can make a schedule impossible: `0 0 31 4,6 *`, `0 0 30 2 *` (February 29 does exist).
    """
    if schedule.every_seconds is not None:
        return None
    for name, values in (("minute", schedule.minute), ("hour", schedule.hour), ("month", schedule.month)):
        if not values:
            return f"the {name} field allows no value"
    date_exists = any(
        day <= _DAYS_IN_MONTH[month] for month in schedule.month for day in schedule.day_of_month
    )
    if schedule.dom_star or schedule.dow_star:
        if schedule.dom_star and not schedule.day_of_week:
            return "the day-of-week field allows no value"
        if schedule.dom_star or date_exists:
            return None
    elif date_exists or schedule.day_of_week:
        return None
    if not schedule.day_of_month:
        return "the day-of-month field allows no value"
    months = ", ".join(_month_name(m) for m in sorted(schedule.month))
    days = ", ".join(str(d) for d in sorted(schedule.day_of_month))
    return f"no month among {months} has day {days}"


def _month_name(number: int) -> str:
    return next(name for name, value in _MONTH_NAMES.items() if value == number).capitalize()


# --- time zones -----------------------------------------------------------------------------------

# pkg/apis/batch/validation: each `/`-separated component, with 0-9 and + tolerated for legacy names.
_TIME_ZONE_COMPONENT = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA zone names this Python knows (system zoneinfo or the `tzdata` package); may be empty."""
    try:
        return frozenset(zoneinfo.available_timezones())
    except (OSError, ValueError):  # pragma: no cover - unreadable TZPATH
        return frozenset()


def time_zone_problem(time_zone: str | None) -> str | None:
    """Why the API server rejects `spec.timeZone` (validateTimeZone), or None.

    When this Python has no time zone database at all, only the shape of the name is checked (a
    missing database must not turn every CronJob into a finding).
    """
    if time_zone is None:
        return None
    if time_zone == "":
        return "timeZone must be nil or non-empty string"
    for part in time_zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TIME_ZONE_COMPONENT.match(part):
            return f"unknown time zone {time_zone}"
    if time_zone.lower() == "local":
        return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
    if time_zone == "UTC":  # Go's time.LoadLocation answers UTC without the database
        return None
    known = known_time_zones()
    if not known or time_zone in known:
        return None
    try:
        zoneinfo.ZoneInfo(time_zone)  # a zone file that available_timezones() did not list
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return f"unknown time zone {time_zone}"
    return None


# --- the CronJob as the API server sees it --------------------------------------------------------


@lru_cache(maxsize=4096)
def schedule_problems(schedule: str, time_zone: str | None) -> tuple[ScheduleProblem, ...]:
    """Everything wrong with a CronJob's `spec.schedule` and `spec.timeZone`, in field order.

    Mirrors validateCronJobSpec for a new object (allowTZInSchedule is false on create). Cached:
    large inputs repeat the same few schedules.
    """
    problems: list[ScheduleProblem] = []
    parsed: CronSchedule | None = None
    if not schedule:
        problems.append(ScheduleProblem("spec.schedule", "required: the schedule is empty"))
    else:
        try:
            parsed = parse_schedule(schedule)
        except InvalidSchedule as error:
            problems.append(ScheduleProblem("spec.schedule", str(error)))
        if "TZ" in schedule:
            problems.append(
                ScheduleProblem(
                    "spec.schedule", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
                )
            )
    zone = time_zone_problem(time_zone)
    if zone is not None:
        problems.append(ScheduleProblem("spec.timeZone", zone))
    if parsed is not None:
        reason = never_fires(parsed)
        if reason is not None:
            problems.append(ScheduleProblem("spec.schedule", f"never fires: {reason}", rejected=False))
    return tuple(problems)
