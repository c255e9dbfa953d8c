"""Errors the core raises for bad input; the CLI turns them into one line and an exit code.

Keeping exit codes in one enum means every command agrees on them and a test can pin each.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BAD_DATA = 1
    USAGE = 2


class CcmError(Exception):
    """Bad data: an unknown name, a malformed value, a file ccm cannot read."""

    exit_code: ExitCode = ExitCode.BAD_DATA

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Extra lines (one per problem) for errors that collect several, such as imports.
        self.details = details or []


class UsageError(CcmError):
    """The command was called wrongly (an unknown format, contradictory options)."""

    exit_code = ExitCode.USAGE


class UnknownStateError(CcmError):
    """A state name with no exact match; carries suggestions so the CLI can ask to confirm."""

    def __init__(self, name: str, suggestions: list[tuple[str, str]], where: str = "") -> None:
        self.name = name
        self.suggestions = suggestions
        hint = ""
        if suggestions:
            names = ", ".join(f"{n} ({c})" for n, c in suggestions)
            hint = f"; did you mean {names}?"
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}unknown state {name!r}{hint}")
