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
}


def load_all() -> Any:
    """The application with every command registered."""
    for module in dict.fromkeys(COMMANDS.values()):  # help lists commands in this order
        importlib.import_module(f"ccmtool.cli.{module}")
    from ccmtool.cli.base import app

    return app


def _command(argv: list[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg
        if arg in ("-h", "--help"):
            return None
    return None


def main() -> None:
    name = _command(sys.argv[1:])
    completing = any(key.endswith("_COMPLETE") for key in os.environ)
    if name in COMMANDS and not completing and "--help" not in sys.argv[2:]:
        importlib.import_module(f"ccmtool.cli.{COMMANDS[name]}")
        from ccmtool.cli.base import app
    else:
        app = load_all()
    app()


def __getattr__(name: str) -> Any:
    # `from ccmtool.cli import app` (tests, embedding) gets the full application.
    if name == "app":
        return load_all()
    raise AttributeError(name)


__all__ = ["COMMANDS", "load_all", "main"]
