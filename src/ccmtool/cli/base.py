"""The Typer application and the one place where errors become a line on stderr."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import typer
from typer.core import TyperGroup

from ccmtool import __version__
from ccmtool.cli.common import close_all, current_path
from ccmtool.errors import CcmError, ExitCode


class CcmGroup(TyperGroup):
    """Turns core errors into one line and an exit code, with no traceback.

    Catching here (not in `main`) means tests through CliRunner see exactly what users see.
    Set CCM_DEBUG=1 to get the traceback of an unexpected error.
    """

    def invoke(self, ctx: Any) -> Any:
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
            where = f"{current_path[0]}: " if current_path else ""
            typer.echo(f"ccm: error: {where}database: {exc}", err=True)
            ctx.exit(int(ExitCode.BAD_DATA))
        except BrokenPipeError:
            # `ccm export | head`: the reader has gone, which is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            ctx.exit(0)
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
