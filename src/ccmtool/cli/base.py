"""The Typer application and the one place where errors become a line on stderr."""

from __future__ import annotations

import errno
import io
import os
import sqlite3
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from ccmtool import __version__
from ccmtool.cli.common import close_all, current_path
from ccmtool.errors import CcmError, ExitCode

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

# SQLite's messages for a damaged or unusable file, and what the user can do about each.
_DATABASE_HINTS = (
    (
        ("file is not a database", "malformed", "database corrupt"),
        "the database file is damaged ({exc}); `ccm check` shows what is wrong;"
        " restore a backup (ccm keeps NAME.vN.bak before upgrades) or re-import your data",
    ),
    (
        ("readonly database", "read-only", "attempt to write"),
        "the database is read-only ({exc}); reading commands still work, writing needs"
        " write permission on the file and its directory",
    ),
    (
        ("unable to open database",),
        "cannot open the database ({exc}); check that the file and its directory exist"
        " and that you may read (and, to write, change) them",
    ),
    (
        ("database or disk is full",),
        "the disk is full ({exc}); nothing was written; free some space and try again",
    ),
    (
        ("disk i/o error",),
        "disk I/O error ({exc}); the disk may be full, failing or disconnected",
    ),
    (
        ("database is locked", "database table is locked"),
        "another program is using the database ({exc}); try again when it has finished",
    ),
)


def database_error(exc: sqlite3.Error) -> str:
    """One line for a database error: the file, what happened, and what to do."""
    where = f"{current_path[0]}: " if current_path else ""
    text = str(exc)
    lowered = text.lower()
    for needles, hint in _DATABASE_HINTS:
        if any(n in lowered for n in needles):
            return where + hint.format(exc=text)
    return f"{where}database: {text}"


def os_error(exc: OSError) -> str:
    """One line for an OS error, naming the file involved (or the database)."""
    from ccmtool.safeio import describe_os_error

    if exc.errno in (errno.EBADF, errno.EPIPE) and exc.filename is None:
        return "cannot write to standard output (it is closed); redirect it or use -o FILE"
    path = exc.filename if exc.filename is not None else (current_path[0] if current_path else None)
    return describe_os_error(exc, path)


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so Python's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except OSError:
        pass
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends


class _ClosedStream(io.TextIOBase):
    """Stands in for a closed standard output: writing says so, as an OSError."""

    def writable(self) -> bool:
        return True

    def write(self, _text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


class CcmGroup(TyperGroup):
    """Turns core errors into one line and an exit code, with no traceback.

    Catching here (not in `main`) means tests through CliRunner see exactly what users see.
    Set CCM_DEBUG=1 to get the traceback of an unexpected error.
    """

    def invoke(self, ctx: Any) -> Any:
        if sys.stdout is None:  # started with standard output closed (`ccm ... >&-`)
            sys.stdout = _ClosedStream()
        try:
            return self._invoke(ctx)
        finally:
            close_all()

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CcmError as exc:
            typer.echo(f"ccm: error: {exc.message}", err=True)
            for line in exc.details:
                typer.echo(f"  {line}", err=True)
            ctx.exit(int(exc.exit_code))
        except sqlite3.Error as exc:
            if os.environ.get("CCM_DEBUG"):
                raise
            typer.echo(f"ccm: error: {database_error(exc)}", err=True)
            ctx.exit(int(ExitCode.BAD_DATA))
        except BrokenPipeError:
            # `ccm export | head`: the reader has gone, which is not an error.
            _silence_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            typer.echo("ccm: interrupted; nothing was changed by the unfinished command", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if os.environ.get("CCM_DEBUG"):
                raise
            typer.echo(f"ccm: error: {os_error(exc)}", err=True)
            if exc.errno == errno.EBADF:
                _silence_stdout()
            ctx.exit(int(ExitCode.BAD_DATA))
        except Exception as exc:  # last line of defence: no traceback reaches a user
            # Usage errors, --help and exits are Typer's (or Click's) to report.
            if os.environ.get("CCM_DEBUG") or type(exc).__module__.startswith(("typer", "click")):
                raise
            typer.echo(
                f"ccm: internal error: {type(exc).__name__}: {exc} (CCM_DEBUG=1 shows details)",
                err=True,
            )
            ctx.exit(int(ExitCode.BAD_DATA))


app = typer.Typer(
    cls=CcmGroup,
    name="ccm",
    help="What states promised and did about cluster munitions, with a source on every fact.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ccm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """What states promised and did about cluster munitions, with a source on every fact."""
