"""The dataset version (issue 15): one answer for `ccm info`, the Data Package, the site and
CITATION.cff; the release while the data is unchanged, release+fingerprint after any change.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result

from ccmtool import db
from ccmtool.builtin import data_dir
from ccmtool.dataset import SHORT, builtin_release, dataset_version, fingerprint, mark_seeded

Run = Callable[..., Result]

FACTS = [
    "Hungary,attended,lima-2007,,,,https://ex.org/icbl",
    "Peru,hosted,lima-2007,,,Host,https://ex.org/di",
    "Norway,attended,lima-2007,2007-05-23,,,https://ex.org/no | https://ex.org/di",
]
MEETINGS = (
    "slug,name,city,country,start_date,end_date,kind,reported,source\n"
    "lima-2007,Lima Conference,Lima,Peru,2007-05-23,2007-05-25,conference,68,https://ex.org/di\n"
)


def _info(ccm: Run, path: Path) -> dict[str, str]:
    result = ccm("info", "--db", path, "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["field"]: row["value"] for row in json.loads(result.stdout)}


def _connect(path: Path) -> sqlite3.Connection:
    conn = db.connect(path)
    return conn


def test_the_release_is_the_text_of_data_version() -> None:
    text = (data_dir() / "VERSION").read_text(encoding="utf-8").strip()
    assert builtin_release() == text


def test_a_new_database_cites_the_built_in_release(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert ccm("init", "--db", path).exit_code == 0
    info = _info(ccm, path)
    assert info["dataset version"].split(" ")[0] == builtin_release()
    assert "unchanged" in info["dataset version"]
    assert len(info["dataset fingerprint"]) == 64


def test_any_change_marks_the_version_and_undoing_it_restores_it(
    ccm: Run, builtin_db: Path
) -> None:
    conn = _connect(builtin_db)
    with db.transaction(conn):
        mark_seeded(conn, "2030.1.0")
    assert dataset_version(conn).version == "2030.1.0"
    conn.close()
    added = ccm("record", "Peru", "attended", "wellington-2008", "-s", "https://ex.org/x", "--db",
                builtin_db)  # fmt: skip
    assert added.exit_code == 0, added.output
    conn = _connect(builtin_db)
    changed = dataset_version(conn)
    assert changed.modified and changed.release == "2030.1.0"
    assert changed.version == f"2030.1.0+{fingerprint(conn)[:SHORT]}"
    fact = conn.execute(
        "SELECT id FROM facts WHERE state = 'PER' AND subject = 'wellington-2008'"
    ).fetchone()[0]
    conn.close()
    assert ccm("remove", str(fact), "--db", builtin_db).exit_code == 0
    conn = _connect(builtin_db)
    assert dataset_version(conn).version == "2030.1.0"  # the content is what it was
    conn.close()


def test_spellings_are_not_content(ccm: Run, builtin_db: Path) -> None:
    before = fingerprint(_connect(builtin_db))
    result = ccm("add-state", "Peru", "--alias", "Republica del Peru", "--db", builtin_db)
    assert result.exit_code == 0, result.output
    conn = _connect(builtin_db)
    assert conn.execute("SELECT count(*) FROM aliases WHERE state = 'PER'").fetchone()[0] >= 1
    assert fingerprint(conn) == before


def _imported(ccm: Run, folder: Path, facts: list[str]) -> Path:
    folder.mkdir()
    (folder / "meetings.csv").write_text(MEETINGS, encoding="utf-8")
    header = "state,record,subject,date,meeting,detail,source\n"
    (folder / "facts.csv").write_text(header + "\n".join(facts) + "\n", encoding="utf-8")
    path = folder / "ccm.db"
    db.create(path, seed=False)
    result = ccm("import", folder / "meetings.csv", folder / "facts.csv", "--db", path)
    assert result.exit_code == 0, result.output
    return path


def test_fingerprint_is_content_not_recording_order(ccm: Run, tmp_path: Path) -> None:
    a = _imported(ccm, tmp_path / "a", FACTS)
    b = _imported(ccm, tmp_path / "b", list(reversed(FACTS)))
    c = _imported(ccm, tmp_path / "c", [*FACTS[:2], FACTS[2].replace("2007-05-23", "2007-05-24")])
    ids = [r[0] for r in _connect(b).execute("SELECT state FROM facts ORDER BY id")]
    assert ids[0] == "NOR"  # really recorded in another order
    assert fingerprint(_connect(a)) == fingerprint(_connect(b))
    assert fingerprint(_connect(a)) != fingerprint(_connect(c))
    version = dataset_version(_connect(a))
    assert version.release is None and version.version == f"unreleased+{version.short}"
    assert "not filled from a released dataset" in version.describe()


def test_info_datapackage_site_and_citation_agree(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    ccm("record", "Peru", "attended", "wellington-2008", "-s", "https://ex.org/x", "--db",
        builtin_db)  # fmt: skip
    info = _info(ccm, builtin_db)
    version = info["dataset version"].split(" ")[0]
    assert "+" in version
    package = tmp_path / "package"
    assert ccm("export", "--datapackage", package, "--db", builtin_db).exit_code == 0
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == version
    assert descriptor["ccm_fingerprint"] == info["dataset fingerprint"]
    site = tmp_path / "site"
    assert ccm("site", site, "--db", builtin_db).exit_code == 0
    cff = yaml.safe_load((site / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == version
    assert f"Dataset version <strong>{version}</strong>" in (site / "index.html").read_text(
        encoding="utf-8"
    )
    site_package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert site_package["version"] == version


def test_a_database_from_before_schema_3_has_no_release(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    shutil.copy(Path(__file__).parent / "data" / "v1.db", old)
    conn = sqlite3.connect(f"{old.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert dataset_version.__module__ == "ccmtool.dataset"
        from ccmtool.dataset import _meta

        assert _meta(conn) == {}  # no meta table yet: no release, no crash
    finally:
        conn.close()
