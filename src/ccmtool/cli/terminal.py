"""What ccm does for a person at an interactive terminal: page long tables through $PAGER,
and complete words (meeting slugs, state names, option values) for the shell.

Both are applied to every command by `CcmCommand` in cli/common.py.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from typer import _click as click

from ccmtool import db, render
from ccmtool.model import ACTIONS, INSTRUMENT_KINDS, MEETING_KINDS, OBLIGATIONS, RECORDS

if TYPE_CHECKING:
    import subprocess

# The UN regions and sub-regions states carry (names.py: the library's continent and UN
# geoscheme region), the only values --region can match (checked by common.region).
REGIONS = ("Africa", "Americas", "Antarctica", "Asia", "Europe", "Oceania")
SUBREGIONS = (
    "Australia and New Zealand",
    "Caribbean",
    "Central America",
    "Central Asia",
    "Eastern Africa",
    "Eastern Asia",
    "Eastern Europe",
    "Melanesia",
    "Micronesia",
    "Middle Africa",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South America",
    "South-eastern Asia",
    "Southern Africa",
    "Southern Asia",
    "Southern Europe",
    "Western Africa",
    "Western Asia",
    "Western Europe",
)


def terminal_height() -> int:
    """LINES if set, else the terminal's height (24 when unknown)."""
    env = os.environ.get("LINES", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).lines or 24  # type: ignore[union-attr]
    except (OSError, ValueError, AttributeError):
        return 24


# --- the pager ----------------------------------------------------------------------------


class Paged(io.TextIOBase):
    """Standard output of a listing at a terminal: held while it fits the screen, then
    handed to $PAGER as it is written (default `less`, with LESS=FRX unless LESS is set, as
    git does), so a listing of any length is paged without being held whole. Written
    directly when the pager cannot be started; writes after the reader quits are dropped."""

    def __init__(self, real: TextIO, height: int) -> None:
        self.real = real
        self.height = height
        self.held: list[str] = []
        self.lines = 0
        self.pager: subprocess.Popen[bytes] | None = None
        self.started = False  # past the first screen: paged (or written, without a pager)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.started:
            self._send(text)
            return len(text)
        self.held.append(text)
        self.lines += text.count("\n")
        if self.lines >= self.height - 1:
            self.started = True
            self.real.flush()
            self.pager = _start_pager()
            held, self.held = "".join(self.held), []
            self._send(held)
        return len(text)

    def _send(self, text: str) -> None:
        if self.pager is None:
            self.real.write(text)
            return
        try:
            assert self.pager.stdin is not None
            self.pager.stdin.write(text.encode("utf-8", "replace"))
        except (BrokenPipeError, OSError, ValueError):
            pass  # the reader quit early: not an error

    def finish(self) -> None:
        """Write what was held (it fitted the screen), or wait for the reader to quit."""
        if not self.started:
            self.real.write("".join(self.held))
            return
        if self.pager is None:
            return
        try:
            assert self.pager.stdin is not None
            self.pager.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        while True:
            try:
                self.pager.wait()
                break
            except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs
                continue


def _start_pager() -> subprocess.Popen[bytes] | None:
    """$PAGER reading from a pipe; None for `cat` or when it cannot be started."""
    import shlex
    import subprocess  # only for a listing longer than the screen

    command = os.environ.get("PAGER", "less").strip() or "cat"
    if command == "cat":
        return None
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    shell = any(c in command for c in "|;&<>$`")
    try:
        return subprocess.Popen(
            command if shell else shlex.split(command), shell=shell, stdin=subprocess.PIPE, env=env
        )
    except (OSError, ValueError):
        return None


# --- shell completion ---------------------------------------------------------------------


def _database_names(kind: str, ctx: click.Context) -> list[str]:
    """Meeting slugs, instrument slugs or state names from the database the command line
    names (or the default one); nothing if it does not exist: completing never creates it."""
    try:
        given = ctx.params.get("db_path") or ctx.find_root().params.get("before_db")
        path = Path(given) if given else db.default_path()
        if not path.is_file():
            return []
        conn = db.open_db(path, readonly=True, notify=lambda _message: None)
        try:
            if kind == "meeting":
                from ccmtool.queries import meetings

                columns, rows = meetings(conn)
                return [r[columns.index("slug")] for r in rows]
            if kind == "instrument":
                from ccmtool.events import slugs

                return sorted(slugs(conn, "instruments"))
            from ccmtool.queries import states

            columns, rows = states(conn)
            return [r[columns.index("state")] for r in rows]
        finally:
            conn.close()
    except Exception:  # completion must never fail loudly
        return []


def _choices(command: str, name: str) -> list[str] | str | None:
    """What a parameter's values are: a list, 'meeting'/'instrument'/'state' (from the
    database), or None (nothing to offer)."""
    if name in ("meeting", "a", "b", "attended", "not_attended", "absent"):
        return "meeting"
    if name in ("instrument", "endorsed", "not_endorsed", "signed"):
        return "instrument"
    if name in ("state", "country") or (name == "name" and command == "state"):
        return "state"
    if name == "fmt":
        if command == "export":
            return ["csv", "json", "jsonl", "markdown"]
        return ["chart", *render.FORMATS] if command == "stats" else list(render.FORMATS)
    kinds = {"add-meeting": MEETING_KINDS, "add-instrument": INSTRUMENT_KINDS}
    fixed: dict[str, Sequence[str]] = {
        "region": [*REGIONS, *SUBREGIONS],
        "kind": kinds.get(command, ACTIONS),
        "announced": ACTIONS,
        "action": ACTIONS,
        "record": RECORDS,
        "by": ("meeting", "region", "record", "year"),
        "subject": (*ACTIONS, *OBLIGATIONS),
    }
    return list(fixed[name]) if name in fixed else None


def completer(command: str, name: str) -> Any:
    values = _choices(command, name)
    if values is None:
        return None

    def complete(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
        known = _database_names(values, ctx) if isinstance(values, str) else values
        return [v for v in known if v.casefold().startswith(incomplete.casefold())]

    return complete
