"""The command line: thin modules that parse, call the core, and render.

Each command lives in the module named after it (or its group): `attendance` in
attendance.py, `add-state` in add.py, `import` in imports.py, `export` in export.py.
"""

from __future__ import annotations

from ccmtool.cli import (  # noqa: F401  (each module registers its commands)
    actions,
    add,
    attendance,
    compare,
    conflicts,
    endorsements,
    export,
    imports,
    meetings,
    record,
    setup,
    sql,
    state,
    states,
    stats,
)
from ccmtool.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
