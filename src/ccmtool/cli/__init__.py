"""The command line: thin modules that parse, call the core, and render.

Each command lives in the module named in COMMANDS. `main` imports only the module of the
command being run, because building every command costs Typer ~25 ms on each call; `--help`,
completion and anything unrecognised load them all.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

COMMANDS = {
    "init": "setup",
    "info": "setup",
    "add-state": "add",
    "add-meeting": "add",
    "add-instrument": "add",
    "record": "record",
    "attend": "record",
    "endorse": "record",
    "announce": "record",
    "remove": "record",
    "attendance": "attendance",
    "meetings": "meetings",
    "state": "state",
    "states": "states",
    "compare": "compare",
    "endorsements": "endorsements",
    "actions": "actions",
    "stats": "stats",
    "conflicts": "conflicts",
    "sql": "sql",
    "import": "imports",
    "export": "export",
    "check": "check",
    "status": "status",
    "obligations": "obligations",
    "site": "site",
    "diff": "diff",
}


def load_all() -> Any:
    """The application with every command registered."""
    for module in dict.fromkeys(COMMANDS.values()):  # help lists commands in this order
        importlib.import_module(f"ccmtool.cli.{module}")
    from ccmtool.cli.base import app

    return prepare(app)


def prepare(app: Any) -> Any:
    """Give every registered command the shared options and the root group the global ones
    (see cli/common.py); idempotent, and cheap: nothing is built until the app runs."""
    from typer.core import TyperCommand

    from ccmtool.cli.common import CcmCommand, GlobalOptions

    group = app.info.cls
    if not issubclass(group, GlobalOptions):
        app.info.cls = type(group.__name__, (GlobalOptions, group), {"__module__": __name__})
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = CcmCommand
    return app


# Options that may come before the command name, and whether each takes a value.
GLOBAL_OPTIONS = {
    "--db": True,
    "-f": True,
    "--format": True,
    "--columns": True,
    "--limit": True,
    "--wide": False,
    "--no-pager": False,
    "-q": False,
    "--quiet": False,
    "--version": False,
}


def _command(argv: list[str]) -> str | None:
    """The command's name: the first word that is neither an option nor an option's value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("-h", "--help", "--"):
            return None
        if not arg.startswith("-"):
            return arg
        skip = GLOBAL_OPTIONS.get(arg, False)
    return None


def main() -> None:
    argv = sys.argv[1:]
    name = _command(argv)
    completing = any(key.endswith("_COMPLETE") for key in os.environ)
    if name in COMMANDS and not completing and "--help" not in argv and "-h" not in argv:
        importlib.import_module(f"ccmtool.cli.{COMMANDS[name]}")
        from ccmtool.cli.base import app

        prepare(app)
    else:
        app = load_all()
    app()


def __getattr__(name: str) -> Any:
    # `from ccmtool.cli import app` (tests, embedding) gets the full application.
    if name == "app":
        return load_all()
    raise AttributeError(name)


__all__ = ["COMMANDS", "GLOBAL_OPTIONS", "load_all", "main", "prepare"]
