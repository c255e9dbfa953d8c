"""Start-up guard: a command's path must not import what it does not use.

Runs the real CLI in a fresh interpreter and inspects sys.modules afterwards (the click
project's trick): cheaper than any timing, and it cannot flake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
sys.argv = ["ccm", *json.loads(sys.argv[1])]
from ccmtool.cli import main
try:
    main()
except SystemExit:
    pass
with open(PROBE_OUT, "w") as f:
    json.dump(sorted(sys.modules), f)
"""


def loaded_modules(args: list[str], tmp_path: Path) -> set[str]:
    out = tmp_path / "modules.json"
    code = PROBE.replace("PROBE_OUT", repr(str(out)))
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return {name.split(".")[0] for name in json.loads(out.read_text())}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ccm.db"
    subprocess.run(
        [sys.executable, "-m", "ccmtool", "init", "--db", str(path)],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["attendance", "lima"],
        ["attendance", "lima", "--format", "csv"],
        ["meetings"],
        ["export", "--csv"],
    ],
)
def test_read_only_commands_load_neither_names_nor_writer_libraries(
    args: list[str], db: Path, tmp_path: Path
) -> None:
    modules = loaded_modules([*args, "--db", str(db)], tmp_path)
    assert "ccmtool" in modules  # the probe really ran ccm
    for heavy in ("pandas", "countryguess", "sqlite_utils", "rich", "pydantic"):
        assert heavy not in modules, f"{args} loaded {heavy}"


def test_csv_output_does_not_load_tabulate(db: Path, tmp_path: Path) -> None:
    modules = loaded_modules(["attendance", "lima", "--format", "csv", "--db", str(db)], tmp_path)
    assert "tabulate" not in modules


def test_document_format_output_does_load_tabulate(db: Path, tmp_path: Path) -> None:
    # `table` is drawn by render.py itself; Markdown, LaTeX, HTML... by tabulate.
    modules = loaded_modules(
        ["attendance", "lima", "--format", "markdown", "--db", str(db)], tmp_path
    )
    assert "tabulate" in modules  # the table really was drawn


def test_help_loads_no_data_libraries(tmp_path: Path) -> None:
    modules = loaded_modules(["--help"], tmp_path)
    for heavy in ("pandas", "countryguess", "sqlite_utils", "tabulate"):
        assert heavy not in modules, f"--help loaded {heavy}"


def test_name_resolution_loads_the_name_library(db: Path, tmp_path: Path) -> None:
    modules = loaded_modules(["add-state", "Ivory Coast", "--db", str(db)], tmp_path)
    assert "countryguess" in modules
    assert "pandas" not in modules
