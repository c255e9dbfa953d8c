"""Fixtures: every test runs with its own home directory and real databases in tmp_path."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
import typer.testing
from click.testing import Result
from typer.testing import CliRunner

from ccmtool import db
from ccmtool.cli import app

# Typer rebuilds the whole click command on every CliRunner.invoke (~25 ms for 22 commands);
# the application does not change during a run, so build it once per application object.
typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may read or write the real user's data directory."""
    home = tmp_path / "home"
    home.mkdir()
    for var in ("HOME", "XDG_DATA_HOME", "APPDATA", "USERPROFILE"):
        monkeypatch.setenv(var, str(home))
    monkeypatch.delenv("CCM_DB", raising=False)
    # A UTF-8 locale, whatever the machine's (names and sources are UTF-8 text).
    for var in ("LC_ALL", "LC_CTYPE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("CCM_DEBUG", raising=False)
    return home


Run = Callable[..., Result]


@pytest.fixture
def ccm() -> Run:
    """Invoke the real CLI in-process: ccm("attendance", "lima", "--db", path)."""
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture(scope="session")
def _builtin_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("builtin") / "builtin.db"
    db.create(path)
    return path


@pytest.fixture
def builtin_db(tmp_path: Path, _builtin_template: Path) -> Path:
    """A fresh copy of a database made from the built-in dataset."""
    path = tmp_path / "builtin.db"
    shutil.copy(_builtin_template, path)
    return path


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A new database with the schema and no data."""
    path = tmp_path / "empty.db"
    db.create(path, seed=False)
    return path
