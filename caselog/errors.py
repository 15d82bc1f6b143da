"""The project's exceptions and the Problem record every check reports."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import _


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at one line, in one field."""

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = _("warning: ") if self.severity == "warning" else ""
        if not self.path:  # a value the clerk typed: the field is the option's name
            return f"{self.field}: {prefix}{self.message}" if self.field else f"{prefix}{self.message}"
        where = f"{self.path}:{self.line}" if self.line else self.path
        what = f" {self.field}:" if self.field else ""
        return f"{where}:{what} {prefix}{self.message}"


class CaselogError(Exception):
    """Base class of every error the library raises."""


class LoadError(CaselogError):
    """A file could not be read as a case log YAML document."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class InvalidCase(CaselogError):
    """A case (or a change to it) breaks the format; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class WriteRefused(InvalidCase):
    """A change was refused because its result would not be valid; nothing was written."""


class WriteError(CaselogError):
    """A file could not be written (locked, a full disk, a symbolic link); it is as it was."""


class RepositoryError(CaselogError):
    """The case log repository is missing or unusable."""


class CaseNotFound(CaselogError):
    """No case with that id exists."""
