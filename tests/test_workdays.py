"""Working-day calendar: official 2026 schedule, local extras, unconfirmed years, laws."""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog.workdays import CalendarError, DayNote, WorkCalendar

# Expected dates below are worked out by hand from the State Council notice on the 2026
# schedule (国办发明电〔2025〕7号): 元旦 Jan 1-3 off, Sun Jan 4 worked; 春节 Feb 15-23 off,
# Sat Feb 14 and Sat Feb 28 worked; 清明 Apr 4-6; 劳动节 May 1-5 off, Sat May 9 worked;
# 端午 Jun 19-21; 中秋 Sep 25-27; 国庆 Oct 1-7 off, Sun Sep 20 and Sat Oct 10 worked.
CN_2026 = WorkCalendar(confirmed_through=2026)

LOCAL_HOLIDAYS = (date(2026, 3, 5), date(2026, 2, 28), date(2026, 2, 17), date(2027, 2, 8))
LOCAL_WORKDAYS = (date(2026, 2, 20), date(2027, 2, 6), date(2035, 10, 7), date(2035, 10, 8))
LOCAL = WorkCalendar(confirmed_through=2026, extra_holidays=LOCAL_HOLIDAYS, extra_workdays=LOCAL_WORKDAYS)
# Build every year up front so Hypothesis' deadline times the lookups, not the first build.
LOCAL.is_workday(date(2100, 12, 31))
CN_2026.is_workday(date(2100, 12, 31))


@pytest.mark.parametrize("year", range(2020, 2027))
def test_is_workday_agrees_with_chinese_calendar(year):
    day, disagreements = date(year, 1, 1), []
    while day.year == year:
        if CN_2026.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Spring Festival
        (date(2026, 2, 12), 1, date(2026, 2, 13)),
        (date(2026, 2, 12), 2, date(2026, 2, 14)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 10), 5, date(2026, 2, 24)),
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        (date(2026, 2, 13), 15, date(2026, 3, 12)),
        (date(2026, 2, 17), 1, date(2026, 2, 24)),
        (date(2026, 2, 17), 5, date(2026, 2, 28)),
        (date(2026, 2, 15), 5, date(2026, 2, 28)),
        # Labour Day
        (date(2026, 4, 30), 1, date(2026, 5, 6)),
        (date(2026, 4, 30), 5, date(2026, 5, 11)),
        (date(2026, 4, 30), 15, date(2026, 5, 25)),
        (date(2026, 5, 2), 1, date(2026, 5, 6)),
        (date(2026, 5, 8), 1, date(2026, 5, 9)),
        # Mid-Autumn and National Day
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
        (date(2026, 9, 19), 1, date(2026, 9, 20)),
        (date(2026, 9, 18), 5, date(2026, 9, 24)),
        (date(2026, 9, 18), 15, date(2026, 10, 15)),
        (date(2026, 9, 24), 1, date(2026, 9, 28)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        (date(2026, 9, 30), 15, date(2026, 10, 27)),
        (date(2026, 10, 3), 5, date(2026, 10, 13)),
        # New Year: Sun Jan 4 is worked
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        (date(2026, 2, 13), 0, date(2026, 2, 13)),
    ],
)
def test_add_workdays_2026(start, n, expected):
    assert CN_2026.add_workdays(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 28), 6),
        (date(2026, 2, 14), date(2026, 2, 23), 0),
        (date(2026, 4, 30), date(2026, 5, 11), 5),
        (date(2026, 9, 30), date(2026, 10, 27), 15),
        (date(2026, 2, 28), date(2026, 2, 13), 0),
        (date(2026, 2, 13), date(2026, 2, 13), 0),
    ],
)
def test_workdays_between_2026(start, end, expected):
    assert CN_2026.workdays_between(start, end) == expected


def test_notes_name_spring_festival():
    assert CN_2026.notes_between(date(2026, 2, 13), date(2026, 2, 28)) == [
        DayNote(date(2026, 2, 14), "workday", "调休上班"),
        DayNote(date(2026, 2, 16), "holiday", "春节"),
        DayNote(date(2026, 2, 17), "holiday", "春节"),
        DayNote(date(2026, 2, 18), "holiday", "春节"),
        DayNote(date(2026, 2, 19), "holiday", "春节"),
        DayNote(date(2026, 2, 20), "holiday", "调休"),
        DayNote(date(2026, 2, 23), "holiday", "调休"),
        DayNote(date(2026, 2, 28), "workday", "调休上班"),
    ]


def test_notes_name_labour_day():
    assert CN_2026.notes_between(date(2026, 4, 30), date(2026, 5, 11)) == [
        DayNote(date(2026, 5, 1), "holiday", "劳动节"),
        DayNote(date(2026, 5, 4), "holiday", "劳动节"),
        DayNote(date(2026, 5, 5), "holiday", "调休"),
        DayNote(date(2026, 5, 9), "workday", "调休上班"),
    ]


def test_notes_name_national_day_and_mid_autumn():
    assert CN_2026.notes_between(date(2026, 9, 19), date(2026, 10, 10)) == [
        DayNote(date(2026, 9, 20), "workday", "调休上班"),
        DayNote(date(2026, 9, 25), "holiday", "中秋节"),
        DayNote(date(2026, 10, 1), "holiday", "国庆节"),
        DayNote(date(2026, 10, 2), "holiday", "国庆节"),
        DayNote(date(2026, 10, 5), "holiday", "国庆节"),
        DayNote(date(2026, 10, 6), "holiday", "调休"),
        DayNote(date(2026, 10, 7), "holiday", "调休"),
        DayNote(date(2026, 10, 10), "workday", "调休上班"),
    ]


def test_notes_exclude_the_start_day_and_empty_ranges():
    assert CN_2026.notes_between(date(2026, 2, 14), date(2026, 2, 15)) == []
    assert CN_2026.notes_between(date(2026, 3, 2), date(2026, 3, 31)) == []
    assert CN_2026.notes_between(date(2026, 10, 10), date(2026, 9, 1)) == []


def test_local_extras_override_the_official_schedule():
    assert not LOCAL.is_workday(date(2026, 3, 5))
    assert LOCAL.add_workdays(date(2026, 3, 4), 1) == date(2026, 3, 6)
    # Locally the make-up Saturday Feb 28 is off and the Spring Festival Friday Feb 20 worked.
    assert LOCAL.add_workdays(date(2026, 2, 27), 1) == date(2026, 3, 2)
    assert LOCAL.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 20)
    assert LOCAL.notes_between(date(2026, 2, 13), date(2026, 3, 6)) == [
        DayNote(date(2026, 2, 14), "workday", "调休上班"),
        DayNote(date(2026, 2, 16), "holiday", "春节"),
        DayNote(date(2026, 2, 17), "holiday", "春节"),
        DayNote(date(2026, 2, 18), "holiday", "春节"),
        DayNote(date(2026, 2, 19), "holiday", "春节"),
        DayNote(date(2026, 2, 20), "extra-workday", "本地调休上班"),
        DayNote(date(2026, 2, 23), "holiday", "调休"),
        DayNote(date(2026, 2, 28), "extra-holiday", "本地假日"),
        DayNote(date(2026, 3, 5), "extra-holiday", "本地假日"),
    ]


def test_notes_skip_extras_that_change_nothing():
    # 2035-10-08 is a Monday: a local make-up day there changes nothing and gets no note
    assert LOCAL.notes_between(date(2035, 10, 1), date(2035, 10, 31)) == [
        DayNote(date(2035, 10, 2), "assumed-holiday", "国庆节"),
        DayNote(date(2035, 10, 3), "assumed-holiday", "国庆节"),
        DayNote(date(2035, 10, 7), "extra-workday", "本地调休上班"),
    ]


def test_unconfirmed_years_count_the_statutory_holidays_known_in_advance():
    # 2027-01-01 (元旦) is a Friday: the law names it, so it is a day off even unconfirmed
    assert not CN_2026.is_workday(date(2027, 1, 1))
    assert CN_2026.is_provisional(date(2027, 1, 1))
    assert not CN_2026.is_provisional(date(2026, 12, 31))
    # received 2026-12-28: the fifth working day after it skips 元旦
    assert CN_2026.add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 5)
    assert CN_2026.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CN_2026.workdays_between(date(2026, 12, 31), date(2027, 1, 31)) == 20
    # the statutory days only: not the package's guessed substitute days (补假) nor make-up days
    assert CN_2026.notes_between(date(2026, 12, 31), date(2027, 12, 31)) == [
        DayNote(date(2027, 1, 1), "assumed-holiday", "元旦"),
        DayNote(date(2027, 2, 5), "assumed-holiday", "春节"),
        DayNote(date(2027, 2, 8), "assumed-holiday", "春节"),
        DayNote(date(2027, 4, 5), "assumed-holiday", "清明节"),
        DayNote(date(2027, 6, 9), "assumed-holiday", "端午节"),
        DayNote(date(2027, 9, 15), "assumed-holiday", "中秋节"),
        DayNote(date(2027, 10, 1), "assumed-holiday", "国庆节"),
    ]
    assert CN_2026.is_workday(date(2027, 2, 9))  # the package guesses 春节（补假）: not counted


def test_unconfirmed_years_apply_extras():
    assert LOCAL.add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 6)  # 02-05 除夕 is off
    assert LOCAL.add_workdays(date(2027, 2, 6), 1) == date(2027, 2, 9)
    assert LOCAL.notes_between(date(2027, 2, 1), date(2027, 2, 28)) == [
        DayNote(date(2027, 2, 5), "assumed-holiday", "春节"),
        DayNote(date(2027, 2, 6), "extra-workday", "本地调休上班"),
        DayNote(date(2027, 2, 8), "assumed-holiday", "春节"),
    ]


def test_conflicting_extras_name_the_date():
    with pytest.raises(CalendarError, match="2026-03-05 listed in both"):
        WorkCalendar(
            confirmed_through=2026,
            extra_holidays=[date(2026, 3, 5)],
            extra_workdays=[date(2026, 3, 5)],
        )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"extra_holidays": ["2026-03-05"]}, "extra_holidays: '2026-03-05' is not a date"),
        ({"extra_workdays": [datetime(2026, 3, 7, 9)]}, "extra_workdays: .* is not a date"),
        ({"extra_holidays": [date(1999, 5, 3)]}, r"extra_holidays: 1999-05-03 is outside"),
        ({"first_year": 1900}, "first_year must be a year from 1950 to 2100"),
        ({"confirmed_through": "2026"}, "calendar_confirmed_through must be a year"),
        ({"confirmed_through": 2100}, "has official schedules only through"),
    ],
)
def test_unusable_settings(settings, message):
    with pytest.raises(CalendarError, match=message):
        WorkCalendar(**{"confirmed_through": 2026, **settings})


def test_dates_outside_the_calendar():
    with pytest.raises(CalendarError, match=r"1999-12-31 is outside .*\(2000-2100\)"):
        CN_2026.is_workday(date(1999, 12, 31))
    with pytest.raises(CalendarError, match="2101-01-01 is outside"):
        CN_2026.workdays_between(date(2100, 12, 1), date(2101, 1, 1))
    with pytest.raises(CalendarError, match="beyond 2100"):
        CN_2026.add_workdays(date(2100, 12, 29), 5)
    with pytest.raises(ValueError, match="got -1"):
        CN_2026.add_workdays(date(2026, 1, 5), -1)


def test_everything_provisional_when_nothing_is_confirmed():
    calendar = WorkCalendar(confirmed_through=2019, first_year=2020)
    assert calendar.is_provisional(date(2020, 1, 1))
    assert not calendar.is_workday(date(2026, 10, 1))  # 国庆节, known in advance
    assert calendar.is_workday(date(2026, 10, 8))  # off in the official schedule, not known in advance


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2098, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@given(days, st.integers(min_value=1, max_value=400))
def test_add_workdays_lands_on_a_later_working_day(day, n):
    result = LOCAL.add_workdays(day, n)
    assert result > day
    assert LOCAL.is_workday(result)
    assert LOCAL.workdays_between(day, result) == n


@given(days, counts)
def test_add_workdays_steps_one_working_day_at_a_time(day, n):
    assert LOCAL.add_workdays(day, n + 1) == LOCAL.add_workdays(LOCAL.add_workdays(day, n), 1)
    assert LOCAL.add_workdays(day, n + 1) > LOCAL.add_workdays(day, n)


@given(days, days, counts)
def test_add_workdays_is_monotone_in_the_start_day(a, b, n):
    a, b = min(a, b), max(a, b)
    assert LOCAL.add_workdays(a, n) <= LOCAL.add_workdays(b, n)


@given(days, days, days)
def test_workdays_between_adds_up_over_adjacent_intervals(a, b, c):
    a, b, c = sorted((a, b, c))
    assert LOCAL.workdays_between(a, c) == LOCAL.workdays_between(a, b) + LOCAL.workdays_between(b, c)


@given(days, st.integers(min_value=0, max_value=40))
def test_counts_and_notes_match_a_day_by_day_walk(start, length):
    walk = [start + timedelta(days=i) for i in range(1, length + 1)]
    assert LOCAL.workdays_between(start, start + timedelta(days=length)) == sum(
        LOCAL.is_workday(day) for day in walk
    )
    special = [
        day
        for day in walk
        if LOCAL.is_workday(day) == (day.weekday() >= 5) or LOCAL.is_workday(day) != CN_2026.is_workday(day)
    ]
    notes = LOCAL.notes_between(start, start + timedelta(days=length))
    assert [note.day for note in notes] == special
