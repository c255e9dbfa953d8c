"""The command line: thin modules that parse, call the core, and render.

Each command lives in the module named after it (or its group): `attendance` in
attendance.py, `add-state` in add.py, `import` in imports.py, `export` in export.py.
"""

from __future__ import annotations

from ccmtool.cli import add, attendance, export, imports, meetings, record, setup, state  # noqa: F401
from ccmtool.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
