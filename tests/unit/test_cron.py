"""CronJob schedules and time zones as the API server validates them.

Upstream: github.com/robfig/cron/v3 parser.go (ParseStandard, getRange, parseDescriptor) and
spec.go (bounds, dayMatches), vendored in k8s.io/kubernetes; validation in k8s.io/kubernetes
pkg/apis/batch/validation/validation.go (validateScheduleFormat, validateTimeZone).
"""

from fractions import Fraction

import pytest

from topo.analyses import cron
from topo.analyses.cron import (
    InvalidSchedule,
    never_fires,
    parse_go_duration,
    parse_schedule,
    schedule_problems,
    time_zone_problem,
)


def messages(schedule, time_zone=None):
    return [p.message for p in schedule_problems(schedule, time_zone)]


# --- fields, ranges, steps, names: robfig parser.go getRange / spec.go bounds ---


@pytest.mark.parametrize(
    "schedule",
    [
        "* * * * *",
        "*/15 * * * *",
        "0 9-17 * * 1-5",
        "0,30 * * * *",
        "0 0 1 jan-jun *",
        "0 0 * * MON-fri",  # names are case-insensitive (strings.ToLower in parseIntOrName)
        "0 0 ? * ?",  # `?` is a wildcard like `*`
        "5/10 * * * *",  # "N/step" means "N-max/step"
        "0 0 * * 1-5/2",
        "1,,2 * * * *",  # empty list items are skipped (strings.FieldsFunc on ',')
        "05 +3 * * *",  # strconv.Atoi accepts leading zeros and a + sign
        "0\t0  * *\u00a0*",  # strings.Fields splits on any unicode.IsSpace, including NBSP
    ],
)
def test_valid_schedules_parse(schedule):
    parse_schedule(schedule)
    assert messages(schedule) == []


@pytest.mark.parametrize(
    "schedule, message",
    [
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),  # no 7-for-Sunday in robfig
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("0 24 * * *", "end of range (24) above maximum (23): 24"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("0 0 * 13 *", "end of range (13) above maximum (12): 13"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("*/-1 * * * *", "negative number (-1) not allowed: -1"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/2/3 * * * *", "too many slashes: */2/3"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("0 0 0 * * *", "expected exactly 5 fields, found 6: [0 0 0 * * *]"),  # no seconds field
        ("@Daily", "unrecognized descriptor: @Daily"),  # descriptors are exact
        ("@reboot", "unrecognized descriptor: @reboot"),
    ],
)
def test_invalid_schedules_read_like_the_api_server(schedule, message):
    assert messages(schedule) == [message]


def test_names_are_not_allowed_as_steps_or_in_minutes():
    # parser.go: the step goes through mustParseInt; names exist only for month and day of week.
    assert messages("0 0 * */jan *")[0].startswith("failed to parse int from jan")
    assert messages("mon * * * *")[0].startswith("failed to parse int from mon")


def test_python_int_syntax_that_go_atoi_rejects():
    # int("1_0") and int(" 5") work in Python; strconv.Atoi rejects both.
    assert messages("1_0 * * * *")[0].startswith("failed to parse int from 1_0")


def test_star_with_step_one_keeps_star_semantics_for_day_matching():
    # getRange: `extra = starBit` is cleared only when step > 1.
    assert parse_schedule("0 0 */1 * 1").dom_star
    assert not parse_schedule("0 0 */2 * 1").dom_star


@pytest.mark.parametrize(
    "descriptor", ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
)
def test_descriptors(descriptor):
    assert messages(descriptor) == []


def test_weekly_is_sunday_midnight():
    weekly = parse_schedule("@weekly")
    assert (weekly.minute, weekly.hour, weekly.day_of_week) == (
        frozenset({0}),
        frozenset({0}),
        frozenset({0}),
    )


def test_leading_space_before_a_descriptor_is_a_field_count_error():
    # Parse checks HasPrefix(spec, "@") without trimming: " @daily" is one field.
    assert messages(" @daily") == ["expected exactly 5 fields, found 1: [@daily]"]


# --- @every and Go durations: time.ParseDuration ---


def test_every_takes_a_go_duration():
    assert parse_schedule("@every 1h30m").every_seconds == 5400
    assert parse_schedule("@every 100ms").every_seconds == 1  # robfig Every() rounds up to 1 s
    assert messages("@every 5")[0] == 'failed to parse duration @every 5: time: missing unit in duration "5"'
    assert messages("@every 1d")[0].endswith('time: unknown unit "d" in duration "1d"')


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("0", 0),
        ("1.5h", 5400),
        (".5s", Fraction(1, 2)),
        ("1h2m3s", 3723),
        ("-2m", -120),
        ("1µs", Fraction(1, 10**6)),
    ],
)
def test_go_durations(text, seconds):
    assert parse_go_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "-", ".", "1", "1x", "h", "1h-1m"])
def test_bad_go_durations(text):
    with pytest.raises(ValueError):
        parse_go_duration(text)


# --- TZ in the schedule: validateScheduleFormat, kubernetes/kubernetes#116252 (1.27) ---


def test_tz_prefix_is_rejected_even_when_the_rest_is_valid():
    assert messages("CRON_TZ=Europe/Berlin 0 2 * * *") == [
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    ]
    assert messages("TZ=UTC @daily") == ["cannot use TZ or CRON_TZ in schedule, use timeZone field instead"]


def test_tz_prefix_and_a_bad_rest_report_both():
    assert messages("TZ=UTC 0 0 * * 7") == [
        "end of range (7) above maximum (6): 7",
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
    ]


def test_empty_schedule_is_required():
    assert messages("") == ["required: the schedule is empty"]


# --- schedules that parse but never fire: spec.go dayMatches ---


@pytest.mark.parametrize("schedule", ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 , * *", "0 0 31 feb *"])
def test_impossible_dates_never_fire(schedule):
    reason = never_fires(parse_schedule(schedule))
    assert reason is not None
    problem = schedule_problems(schedule, None)[-1]
    assert problem.rejected is False and problem.message.startswith("never fires")


@pytest.mark.parametrize(
    "schedule",
    [
        "0 0 29 2 *",  # leap years exist within robfig's five-year search
        "0 0 31 * *",  # some months have 31 days
        "0 0 30 2 1",  # both restricted: day of month OR day of week — every Monday in February
        "@every 1h",
        "0 0 31 1-12/2 *",  # January has 31 days
    ],
)
def test_possible_dates_fire(schedule):
    assert never_fires(parse_schedule(schedule)) is None


# --- spec.timeZone: validateTimeZone ---


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "Etc/UTC", "UTC", "America/Argentina/ComodRivadavia", "Etc/GMT+5"]
)
def test_known_zones(zone):
    assert time_zone_problem(zone) is None


@pytest.mark.parametrize(
    "zone, message",
    [
        ("", "timeZone must be nil or non-empty string"),
        ("Local", "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"),
        (
            "local",
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ),  # EqualFold
        ("Europe/Berln", "unknown time zone Europe/Berln"),
        ("../etc/passwd", "unknown time zone ../etc/passwd"),  # "." and ".." components
        ("Europe/-Berlin", "unknown time zone Europe/-Berlin"),  # a component may not start with "-"
        ("Europe/ABCDEFGHIJKLMNO", "unknown time zone Europe/ABCDEFGHIJKLMNO"),  # 15 > 14 characters
        ("Europe Berlin", "unknown time zone Europe Berlin"),
    ],
)
def test_rejected_zones(zone, message):
    assert time_zone_problem(zone) == message


def test_without_a_time_zone_database_only_the_shape_is_checked(monkeypatch):
    # A Python without tzdata must not turn every CronJob with a timeZone into a finding.
    monkeypatch.setattr(cron, "known_time_zones", lambda: frozenset())  # time_zone_problem is not cached
    assert time_zone_problem("Europe/Berln") is None
    assert time_zone_problem("Local") is not None


def test_parse_schedule_raises_invalid_schedule():
    with pytest.raises(InvalidSchedule):
        parse_schedule("0 0 * * 8")
