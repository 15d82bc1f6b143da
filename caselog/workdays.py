"""Working days in mainland China: statutory holidays, make-up working days and local extras."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays

from .errors import CaselogError
from .i18n import _

LAST_YEAR = 2100
# The eve is a statutory day of the Spring Festival holiday (2008-2013 and since 2025).
_HOLIDAY_ALIASES = {"农历除夕": "春节"}


class CalendarError(CaselogError):
    """A calendar setting cannot be used."""


@dataclass(frozen=True)
class DayNote:
    """Why a day counts differently from the plain week or the official schedule."""

    day: date
    kind: str  # holiday | workday | extra-holiday | extra-workday | assumed-holiday
    name: str


class WorkCalendar:
    """Answers working-day questions in O(log n) from lazily built per-year tables."""

    def __init__(
        self,
        *,
        confirmed_through: int,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        first_year: int = 2000,
    ) -> None:
        earliest = holidays.China.start_year
        if not _is_int(first_year) or not earliest <= first_year <= LAST_YEAR:
            msg = f"first_year must be a year from {earliest} to {LAST_YEAR}, got {first_year!r}"
            raise CalendarError(msg)
        if not _is_int(confirmed_through):
            msg = f"calendar_confirmed_through must be a year, got {confirmed_through!r}"
            raise CalendarError(msg)
        self.confirmed_through = confirmed_through
        self.first_year = first_year
        self._extra_holidays = self._check_extras("extra_holidays", extra_holidays)
        self._extra_workdays = self._check_extras("extra_workdays", extra_workdays)
        both = sorted(self._extra_holidays & self._extra_workdays)
        if both:
            days = ", ".join(d.isoformat() for d in both)
            msg = _("{days} listed in both extra_holidays and extra_workdays").format(days=days)
            raise CalendarError(msg)
        if confirmed_through >= first_year:
            _check_official_schedules(confirmed_through)
        # Working-day ordinals from first_year on; an index into this list is a prefix count.
        self._workday_ordinals: list[int] = []
        self._note_ordinals: list[int] = []
        self._notes: list[DayNote] = []
        self._built_through = first_year - 1

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day."""
        ordinal = self._ordinal(day)
        i = bisect_left(self._workday_ordinals, ordinal)
        return i < len(self._workday_ordinals) and self._workday_ordinals[i] == ordinal

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day`; `day` itself never counts."""
        if not _is_int(n) or n < 0:
            msg = f"the number of working days must be a whole number >= 0, got {n!r}"
            raise ValueError(msg)
        ordinal = self._ordinal(day)
        if n == 0:
            return day
        index = bisect_right(self._workday_ordinals, ordinal) + n - 1
        while index >= len(self._workday_ordinals):
            if self._built_through >= LAST_YEAR:
                msg = f"{n} working days after {day.isoformat()} is beyond {LAST_YEAR}"
                raise CalendarError(msg)
            self._build_year(self._built_through + 1)
        return date.fromordinal(self._workday_ordinals[index])

    def workdays_between(self, start: date, end: date) -> int:
        """The number of working days in (start, end]; 0 when end <= start."""
        if end <= start:
            return 0
        end_ordinal = self._ordinal(end)
        start_ordinal = self._ordinal(start)
        return bisect_right(self._workday_ordinals, end_ordinal) - bisect_right(
            self._workday_ordinals, start_ordinal
        )

    def notes_between(self, start: date, end: date) -> list[DayNote]:
        """The days in (start, end] off the plain Monday-to-Friday week or the official schedule."""
        if end <= start:
            return []
        end_ordinal = self._ordinal(end)
        start_ordinal = self._ordinal(start)
        lo = bisect_right(self._note_ordinals, start_ordinal)
        hi = bisect_right(self._note_ordinals, end_ordinal)
        return self._notes[lo:hi]

    def is_provisional(self, day: date) -> bool:
        """Whether `day` falls in a year whose official schedule is not confirmed (its
        statutory holidays are counted, its make-up days are not known)."""
        return day.year > self.confirmed_through

    def _ordinal(self, day: date) -> int:
        """The ordinal of `day`, building the tables through its year."""
        if isinstance(day, datetime) or not isinstance(day, date):
            msg = f"expected a date, got {day!r}"
            raise TypeError(msg)
        if not self.first_year <= day.year <= LAST_YEAR:
            msg = f"{day.isoformat()} is outside {self._span()}"
            raise CalendarError(msg)
        while self._built_through < day.year:
            self._build_year(self._built_through + 1)
        return day.toordinal()

    def _span(self) -> str:
        """The supported years, for messages."""
        return f"the working-day calendar ({self.first_year}-{LAST_YEAR})"

    def _build_year(self, year: int) -> None:
        """Append one year's working days and notes to the tables."""
        if year <= self.confirmed_through:
            statutory = self._statutory_notes(year)
        else:
            statutory = self._assumed_notes(year)
        day = date(year, 1, 1)
        while day.year == year:
            weekend = day.weekday() >= 5
            note = statutory.get(day)
            if day in self._extra_holidays:
                working = False
            elif day in self._extra_workdays:
                working = True
            elif note is not None:
                working = note.kind == "workday"
            else:
                working = not weekend
            if working:
                self._workday_ordinals.append(day.toordinal())
            if note is not None and (note.kind == "workday") != working:
                note = _local_note(day, working)  # a local extra overrode the official schedule
            elif note is None and working == weekend:
                note = _local_note(day, working)
            if note is not None:
                self._note_ordinals.append(day.toordinal())
                self._notes.append(note)
            day += timedelta(days=1)
        self._built_through = year

    def _check_extras(self, field: str, days: Iterable[date]) -> frozenset[date]:
        """Validate one list of extra days."""
        checked = set()
        for day in days:
            if isinstance(day, datetime) or not isinstance(day, date):
                msg = _("{field}: {day} is not a date").format(field=field, day=repr(day))
                raise CalendarError(msg)
            if not self.first_year <= day.year <= LAST_YEAR:
                msg = _("{field}: {day} is outside {span}").format(field=field, day=day.isoformat(),
                                                                  span=self._span())
                raise CalendarError(msg)
            checked.add(day)
        return frozenset(checked)

    def _statutory_notes(self, year: int) -> dict[date, DayNote]:
        """Weekday days off and weekend make-up working days from the official schedule."""
        # Late-December make-up days belong to the next year's notice, so read it when confirmed.
        years = [year, year + 1] if year + 1 <= self.confirmed_through else [year]
        china = holidays.China(years=years, language="zh_CN")
        notes = {
            day: DayNote(day, "holiday", _chinese_name(label))
            for day, label in china.items()
            if day.year == year and day.weekday() < 5
        }
        for day in china.weekend_workdays:
            if day.year == year:
                notes[day] = DayNote(day, "workday", "调休上班")
        return notes


    def _assumed_notes(self, year: int) -> dict[date, DayNote]:
        """The statutory holidays of an unconfirmed year: the days the law names (元旦, 春节,
        清明节, 劳动节, 端午节, 中秋节, 国庆节), known in advance; the substitute days off
        and make-up working days of the official schedule are not, so none are counted."""
        china = holidays.China(years=year, language="zh_CN")
        return {
            day: DayNote(day, "assumed-holiday", _chinese_name(label))
            for day, label in china.items()
            if day.weekday() < 5 and not any(part.endswith("（补假）") or part.startswith("休息日（由")
                                             for part in label.split("; "))
        }


def _local_note(day: date, working: bool) -> DayNote:
    """The note for a day whose status a local extra decides."""
    if working:
        return DayNote(day, "extra-workday", "本地调休上班")
    return DayNote(day, "extra-holiday", "本地假日")


def _chinese_name(label: str) -> str:
    """The short Chinese name of a holidays-package label, e.g. '国庆节（补假）' -> '国庆节'."""
    names: list[str] = []
    for part in label.split("; "):
        name = "调休" if part.startswith("休息日（由") else part.removesuffix("（补假）")
        name = _HOLIDAY_ALIASES.get(name, name)
        if name not in names:
            names.append(name)
    return "、".join(names)


def _check_official_schedules(confirmed_through: int) -> None:
    """Refuse a confirmed year the installed holidays package only guesses."""
    # The package extrapolates later years by rule; only years with published make-up days are real.
    known = max(holidays.China().special_public_holidays)
    if confirmed_through > known:
        msg = _("calendar_confirmed_through is {year}, but the installed holidays package ({version}) "
                "has official schedules only through {known}").format(
            year=confirmed_through, version=holidays.__version__, known=known)
        raise CalendarError(msg)


def _is_int(value: object) -> bool:
    """Whether `value` is an int and not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)
