"""Output for people and for programs (issue 12): tables that fit the terminal, clean machine
formats, one convention for mistakes, global options, --columns/--limit, the pager, --help.

Through the real CLI on the built-in dataset, plus render.py's fitting on its own; a few tests
run `ccm` in a subprocess or on a pseudo-terminal, where only that shows the behaviour.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ccmtool import render
from ccmtool.cli import COMMANDS, load_all

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py

# The commands the issue names, and a few more listings.
WIDE_LISTINGS = [
    ["attendance", "lima"],
    ["conflicts"],
    ["state", "Hungary"],
    ["stats"],
    ["meetings"],
    ["actions"],
    ["endorsements", "wellington"],
]
ISO_DATE = re.compile(r"\d{4}(-\d\d){0,2}")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result


def refused(result: Result, code: int) -> str:
    """A clean refusal: this exit code, one line on stderr, nothing on stdout."""
    assert result.exit_code == code, f"exit {result.exit_code}: {result.stderr}{result.stdout}"
    assert result.stdout.strip() == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ccm: error:"), result.stderr
    return lines[0]


def widest(text: str) -> int:
    return max((render.width(line) for line in text.splitlines()), default=0)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- tables that fit the terminal ---------------------------------------------------------


@pytest.mark.parametrize("args", WIDE_LISTINGS, ids=" ".join)
def test_tables_fit_80_columns_and_use_200(
    ccm: Run, builtin_db: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    narrow = ok(ccm(*args, "--db", builtin_db)).stdout
    monkeypatch.setenv("COLUMNS", "200")
    wide = ok(ccm(*args, "--db", builtin_db)).stdout
    assert widest(narrow) <= 80
    cuts = re.compile(r"(?<![.#])\.\.\.")  # a cut's mark, not the dots of a bar chart
    assert 80 < widest(wide) <= 200 or not cuts.search(narrow)  # the room is used when needed
    if cuts.search(narrow):
        assert len(cuts.findall(narrow)) > len(cuts.findall(wide))


@pytest.mark.parametrize("lang", ["C.UTF-8", "C"])
def test_cut_cells_end_in_three_dots_in_any_locale(
    ccm: Run, builtin_db: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """A terminal (or tmux) that does not take '…' as UTF-8 draws its 3 bytes as 3 cells:
    ccm marks a cut with '...', so every line fits, counted in bytes as well."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LANG", lang)
    out = ok(ccm("attendance", "lima", "--db", builtin_db)).stdout
    assert "..." in out and "…" not in out
    assert max(len(line.encode()) for line in out.splitlines()) <= 80


def test_without_a_terminal_nothing_is_cut(
    ccm: Run, builtin_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipe or a file, with no COLUMNS: whole cells and every source, as with --wide."""
    monkeypatch.delenv("COLUMNS", raising=False)
    piped = ok(ccm("conflicts", "--db", builtin_db)).stdout
    monkeypatch.setenv("COLUMNS", "80")
    wide = ok(ccm("conflicts", "--wide", "--db", builtin_db)).stdout
    assert piped == wide
    assert "..." not in piped and widest(piped) > 200


def test_sources_are_compact_at_a_terminal_and_whole_with_wide(
    ccm: Run, builtin_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = csv_rows(ok(ccm("attendance", "lima", "-f", "csv", "--db", builtin_db)).stdout)
    several = next(r for r in full if " | " in r["sources"])
    count = len(several["sources"].split(" | "))
    monkeypatch.setenv("COLUMNS", "100")
    table = ok(ccm("attendance", "lima", "--db", builtin_db)).stdout
    line = next(x for x in table.splitlines() if x.startswith(several["state"] + " "))
    first = render.short_source(several["sources"].split(" | ")[0])
    assert f"{first} +{count - 1}" in line
    assert "http" not in table
    wide = ok(ccm("attendance", "lima", "--wide", "--db", builtin_db)).stdout
    assert several["sources"] in wide


def test_footer_wraps_to_the_terminal(
    ccm: Run, builtin_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    result = ok(ccm("attendance", "lima", "--db", builtin_db))
    assert widest(result.stdout) <= 40
    text = " ".join(result.stdout.split("\n\n")[-1].split())
    assert re.search(r"\d+ recorded of \d+ reported", text)


def test_fitting_keeps_short_columns_and_counts_wide_characters() -> None:
    headers = ["id", "date", "detail"]
    rows = [["1", "2007-05-23", "ハンガリー " * 20], ["22", "2007-11", "short"]]
    text = render.draw(headers, rows, 40, [True, False, False])
    lines = text.splitlines()
    assert all(render.width(line) <= 40 for line in lines)
    assert "2007-05-23" in lines[2] and lines[2].endswith("...")
    assert lines[3].startswith("22  2007-11")  # numbers right-aligned under their header


def test_compact_sources_keep_their_count_when_cut() -> None:
    cell = render.compact_sources("https://www.stopclustermunitions.org/x | b | c")
    assert cell == "stopclustermunitions.org +2"
    assert render.cut_sources(cell, 12) == "stopcl... +2"  # 12 columns wide
    assert render.short_source("GRIP (Groupe de recherche), report on Dublin") == "GRIP"
    assert render.short_source("Ministry (regjeringen.no), foreword") == "regjeringen.no"


def test_bars_are_scaled_not_cut(
    ccm: Run, builtin_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cut bar would misstate a number: the chart is redrawn smaller, in proportion."""
    monkeypatch.setenv("COLUMNS", "70")
    chart = ok(ccm("stats", "--db", builtin_db)).stdout
    numbers = csv_rows(ok(ccm("stats", "-f", "csv", "--db", builtin_db)).stdout)
    bars = [line.split()[-1] for line in chart.splitlines()[2:] if line.strip()]
    assert len(bars) == len(numbers)
    assert all(re.fullmatch(r"#+\.*", bar) for bar in bars)
    assert widest(chart) <= 70
    peak = max(int(r["recorded"]) for r in numbers)
    longest = max(len(b.rstrip(".")) for b in bars)
    top = next(b for b, r in zip(bars, numbers, strict=True) if int(r["recorded"]) == peak)
    assert len(top.rstrip(".")) == longest


# --- clean machine output -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["attendance", "lima"],
        ["state", "Hungary"],
        ["endorsements", "wellington"],
        ["actions"],
        ["conflicts"],
    ],
    ids=" ".join,
)
def test_sources_are_a_list_of_citations_in_json_and_jsonl(
    ccm: Run, builtin_db: Path, args: list[str]
) -> None:
    records = json.loads(ok(ccm(*args, "--format", "json", "--db", builtin_db)).stdout)
    assert records and all(isinstance(r["sources"], list) for r in records)
    assert all(isinstance(s, str) and s and " | " not in s for r in records for s in r["sources"])
    lines = ok(ccm(*args, "--format", "jsonl", "--db", builtin_db)).stdout.splitlines()
    assert [json.loads(line) for line in lines] == records
    flat = csv_rows(ok(ccm(*args, "--format", "csv", "--db", builtin_db)).stdout)
    assert [r["sources"] for r in flat] == [" | ".join(r["sources"]) for r in records]


def test_state_dates_are_iso_with_how_each_was_derived(ccm: Run, builtin_db: Path) -> None:
    rows = csv_rows(ok(ccm("state", "Hungary", "--format", "csv", "--db", builtin_db)).stdout)
    assert rows
    assert all(ISO_DATE.fullmatch(r["date"]) or r["date"] == "" for r in rows)
    assert {r["date_from"] for r in rows} <= {"source", "meeting", ""}
    assert any(r["date_from"] == "meeting" for r in rows)  # attendance dated by its meeting
    assert all((r["date_from"] == "") == (r["date"] == "") for r in rows)


def test_numbers_are_numbers_in_json(ccm: Run, builtin_db: Path) -> None:
    meetings = json.loads(ok(ccm("meetings", "-f", "json", "--db", builtin_db)).stdout)
    assert all(isinstance(m["recorded"], int) for m in meetings)
    assert all(m["reported"] is None or isinstance(m["reported"], int) for m in meetings)
    info = {
        r["field"]: r["value"]
        for r in json.loads(ok(ccm("info", "-f", "json", "--db", builtin_db)).stdout)
    }
    assert isinstance(info["facts"], int) and info["facts"] > 0
    profile = json.loads(ok(ccm("stats", "-f", "json", "--db", builtin_db)).stdout)
    assert all(isinstance(r["recorded"], int) for r in profile)


def test_tsv_is_real_tsv(ccm: Run, builtin_db: Path) -> None:
    query = "SELECT 'a' || char(9) || 'b' AS tab, 'x' || char(10) || 'y' AS newline, 'c\\d' AS bs"
    result = ok(ccm("sql", query, "--format", "tsv", "--db", builtin_db))
    assert result.stdout == "tab\tnewline\tbs\na\\tb\tx\\ny\tc\\\\d\n"
    rows = ok(ccm("meetings", "-f", "tsv", "--db", builtin_db)).stdout.splitlines()
    header = rows[0].split("\t")
    assert header[:2] == ["slug", "name"] and all(r.count("\t") == len(header) - 1 for r in rows)
    assert '"' not in "".join(rows)


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html", "tsv", "csv", "json", "jsonl"])
def test_footers_go_to_stderr_for_every_format_but_table(
    ccm: Run, builtin_db: Path, fmt: str
) -> None:
    table = ok(ccm("attendance", "lima", "--db", builtin_db))
    footer = table.stdout.rstrip("\n").splitlines()[-1]
    assert "recorded of" in footer and table.stderr == ""
    result = ok(ccm("attendance", "lima", "--format", fmt, "--db", builtin_db))
    assert result.stderr.strip() == footer
    assert footer not in result.stdout


def test_markdown_footer_stays_out_of_a_redirected_file(builtin_db: Path, tmp_path: Path) -> None:
    """`ccm attendance lima --format markdown > f`: the file holds the table alone."""
    out = tmp_path / "f"
    with out.open("w") as handle:
        proc = subprocess.run(
            [sys.executable, "-m", "ccmtool", "attendance", "lima", "--format", "markdown"],
            env={**os.environ, "CCM_DB": str(builtin_db)},
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
    assert "recorded of" in proc.stderr
    assert all(line.startswith("|") for line in out.read_text().splitlines())


def test_quiet_silences_messages_not_data(ccm: Run, builtin_db: Path) -> None:
    loud = ok(ccm("meetings", "-f", "csv", "--db", builtin_db))
    quiet = ok(ccm("meetings", "-f", "csv", "-q", "--db", builtin_db))
    assert loud.stderr.strip() and quiet.stderr == ""
    assert quiet.stdout == loud.stdout
    assert ok(ccm("-q", "meetings", "-f", "csv", "--db", builtin_db)).stderr == ""
    error = ccm("-q", "attendance", "nowhere", "--db", builtin_db)
    assert error.exit_code == 2 and "nowhere" in error.stderr  # errors are never silenced


# --- one convention for mistakes ----------------------------------------------------------

USAGE_MISTAKES = [
    # arguments, what the one-line message must say
    (["states", "--region", "Eurpoe"], "unknown region 'Eurpoe'; did you mean Europe?"),
    (["attendance", "lima", "--region", "Atlantis"], "unknown region 'Atlantis'"),
    (["attendance", "lmia"], "did you mean lima"),
    (["compare", "lima", "vienna-20077"], "did you mean vienna-2007?"),
    (["endorsements", "welington"], "did you mean wellington-declaration?"),
    (["states", "--endorsed", "olso-declaration"], "did you mean oslo-declaration?"),
    (["actions", "--kind", "moratorum"], "did you mean moratorium?"),
    (["states", "--announced", "moratorum"], "did you mean moratorium?"),
    (["actions", "--since", "2007-13"], "--since"),
    (["actions", "--until", "May 2007"], "--until"),
    (["actions", "--state", "Hungry"], "did you mean Hungary (HUN)?"),
    (["state", "Hungry"], "did you mean Hungary (HUN)?"),
    (["meetings", "--format", "jsno"], "did you mean json?"),
    (["stats", "--by", "regoin"], "did you mean region?"),
    (["export", "--format", "jsno"], "did you mean json?"),
    (["export", "--what", "claim"], "did you mean claims?"),
    (["export", "--what", "all"], "-o DIR"),
    (["meetings", "--columns", "slug,strat"], "unknown column 'strat'; did you mean start?"),
    (["record", "Peru", "atended", "lima", "-s", "x"], "did you mean attended?"),
    (["announce", "Peru", "moratorum", "--detail", "d", "-s", "x"], "did you mean moratorium?"),
    (["attend", "Peru", "lmia", "-s", "x"], "did you mean lima"),
    (["remove", "999999"], "999999"),
]


@pytest.mark.parametrize(("args", "says"), USAGE_MISTAKES, ids=lambda a: " ".join(a))
def test_a_bad_value_is_a_usage_error_with_a_suggestion(
    ccm: Run, builtin_db: Path, args: list[str], says: str
) -> None:
    line = refused(ccm(*args, "--db", builtin_db), 2)
    assert says.casefold() in line.casefold()


def test_bad_data_in_a_file_stays_exit_1(ccm: Run, builtin_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "facts.csv"
    bad.write_text(
        "state,record,subject,date,meeting,detail,source\nPeru,attended,lima-2007,2007-13,,,x\n",
        encoding="utf-8",
    )
    result = ccm("import", bad, "--db", builtin_db)
    assert result.exit_code == 1 and "2007-13" in result.stderr


def test_regions_match_in_any_case(ccm: Run, builtin_db: Path) -> None:
    upper = csv_rows(
        ok(ccm("states", "--region", "WESTERN EUROPE", "-f", "csv", "--db", builtin_db)).stdout
    )
    lower = csv_rows(
        ok(ccm("states", "--region", "western europe", "-f", "csv", "--db", builtin_db)).stdout
    )
    assert upper == lower and upper
    assert {r["subregion"] for r in upper} == {"Western Europe"}


# --- global options -----------------------------------------------------------------------


def test_db_and_format_before_the_command(ccm: Run, builtin_db: Path) -> None:
    after = ok(ccm("meetings", "--format", "csv", "--db", builtin_db))
    before = ok(ccm("--db", builtin_db, "--format", "csv", "meetings"))
    assert before.stdout == after.stdout and before.stdout.startswith("slug,")
    info = ok(ccm("--db", builtin_db, "info"))
    assert str(builtin_db.resolve()) in info.stdout


def test_an_option_after_the_command_wins(ccm: Run, builtin_db: Path, tmp_path: Path) -> None:
    result = ok(ccm("--format", "csv", "meetings", "--format", "json", "--db", builtin_db))
    assert isinstance(json.loads(result.stdout), list)
    missing = tmp_path / "missing.db"
    result = ok(ccm("--db", missing, "meetings", "--db", builtin_db, "-f", "csv"))
    assert result.stdout.startswith("slug,")


def test_global_options_a_command_lacks_are_refused(ccm: Run, builtin_db: Path) -> None:
    line = refused(ccm("--format", "csv", "remove", "1", "--db", builtin_db), 2)
    assert "--format" in line


def test_global_db_that_does_not_exist_is_an_error(ccm: Run, tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    line = refused(ccm("--db", missing, "meetings"), 1)
    assert str(missing) in line
    assert not missing.exists()


def test_global_options_through_the_installed_entry_point(builtin_db: Path) -> None:
    """`ccm --db X info` as a shell runs it: main() must find the command after the options."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ccmtool.cli import main; main()",
            "--db",
            str(builtin_db),
            "-f",
            "csv",
            "-q",
            "info",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("field,value\npath,")
    assert proc.stderr == ""


# --- --columns and --limit ----------------------------------------------------------------


def test_columns_pick_and_order(ccm: Run, builtin_db: Path) -> None:
    full = csv_rows(ok(ccm("attendance", "lima", "-f", "csv", "--db", builtin_db)).stdout)
    picked = ok(
        ccm("attendance", "lima", "-f", "csv", "--columns", "code, STATE", "--db", builtin_db)
    )
    assert picked.stdout.splitlines()[0] == "code,state"
    assert csv_rows(picked.stdout) == [{"code": r["code"], "state": r["state"]} for r in full]


def test_columns_on_a_command_with_several_tables(ccm: Run, builtin_db: Path) -> None:
    result = ok(ccm("state", "Hungary", "--columns", "date,date_from,record", "--db", builtin_db))
    header = result.stdout.strip().splitlines()[0].split()
    assert header == ["date", "date_from", "record"]  # the profile (field, value) is left out
    line = refused(ccm("state", "Hungary", "--columns", "nothing", "--db", builtin_db), 2)
    assert "nothing" in line


def test_limit_keeps_the_first_rows_and_says_so(ccm: Run, builtin_db: Path) -> None:
    full = ok(ccm("meetings", "-f", "csv", "--db", builtin_db)).stdout.splitlines()
    limited = ok(ccm("meetings", "-f", "csv", "--limit", "3", "--db", builtin_db))
    assert limited.stdout.splitlines() == full[:4]
    assert f"first 3 of {len(full) - 1}" in limited.stderr
    table = ok(ccm("--limit", "2", "meetings", "--db", builtin_db)).stdout.splitlines()
    assert len([x for x in table[2:] if x and not x[0].isspace()]) >= 2
    assert "first 2 of" in table[-1]
    assert ccm("meetings", "--limit", "-1", "--db", builtin_db).exit_code == 2


# --- the pager ----------------------------------------------------------------------------


def test_no_pager_when_stdout_is_not_a_terminal(builtin_db: Path, tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    proc = subprocess.run(
        [sys.executable, "-m", "ccmtool", "attendance", "lima"],
        env={**os.environ, "CCM_DB": str(builtin_db), "PAGER": f"cat > {marker}", "LINES": "5"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert not marker.exists()
    assert "recorded of" in proc.stdout


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ccm with stdout on a pseudo-terminal; what it wrote there."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccmtool", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    proc.wait(timeout=60)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_long_output_at_a_terminal_goes_through_pager(builtin_db: Path, tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    env = {
        **os.environ,
        "CCM_DB": str(builtin_db),
        "PAGER": f"cat > {shlex.quote(str(marker))}",
        "LINES": "10",
        "COLUMNS": "80",
    }
    shown = _on_a_terminal(["attendance", "lima"], env)
    paged = marker.read_text(encoding="utf-8")
    assert "recorded of" in paged and shown.strip() == ""
    assert widest(paged) <= 80
    marker.unlink()
    shown = _on_a_terminal(["attendance", "lima", "--no-pager"], env)
    assert not marker.exists() and "recorded of" in shown
    shown = _on_a_terminal(["attendance", "lima", "--limit", "2"], env)  # fits the screen
    assert not marker.exists() and "recorded of" in shown


def test_the_pager_gets_a_long_listing_as_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing is held only while it fits the screen: past that the pager is started and
    gets the rest as it is written, so a long listing is never held whole (500,000 rows at
    a terminal took 134 MB held, 61 MB streamed)."""
    from ccmtool.cli.terminal import Paged

    marker = tmp_path / "paged"
    monkeypatch.setenv("PAGER", f"cat > {shlex.quote(str(marker))}")
    screen = io.StringIO()
    paged = Paged(screen, height=5)
    paged.write("one\ntwo\n")
    assert paged.pager is None and not marker.exists()  # still fits: held
    for n in range(3, 1000):
        paged.write(f"{n}\n")
    assert paged.pager is not None and paged.held == []  # started; nothing held any more
    paged.finish()
    assert marker.read_text().splitlines() == ["one", "two", *map(str, range(3, 1000))]
    assert screen.getvalue() == ""
    short = Paged(screen, height=5)
    short.write("a\nb\n")
    short.finish()
    assert screen.getvalue() == "a\nb\n"  # fitted the screen: written, no pager


def test_a_pager_quit_early_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from ccmtool.cli.terminal import Paged

    monkeypatch.setenv("PAGER", "head -n 1 > /dev/null")
    paged = Paged(io.StringIO(), height=3)
    for n in range(200_000):  # more than a pipe holds: the pager is gone before the end
        paged.write(f"line {n}\n")
    paged.finish()
    assert paged.pager is not None and paged.pager.returncode == 0


# --- --help: examples and metavars --------------------------------------------------------

MY_MODULES = {
    "attendance", "meetings", "state", "states", "compare", "endorsements", "actions", "stats",
    "conflicts", "export", "imports", "record", "add", "setup",
}  # fmt: skip
MY_COMMANDS = [name for name, module in COMMANDS.items() if module in MY_MODULES]


@pytest.mark.parametrize("name", MY_COMMANDS)
def test_help_has_examples_and_upper_case_metavars(ccm: Run, name: str) -> None:
    text = ok(ccm(name, "--help")).stdout
    assert "Examples:" in text and f"ccm {name}" in text.split("Examples:")[1]
    assert not re.search(r"<\w+>|\{\w+\}", text), text  # no <str>, no {meeting}
    usage = text.splitlines()[0]
    assert usage.startswith(f"Usage: ccm {name} [OPTIONS]")
    assert not re.search(r"[a-z]", usage.split("[OPTIONS]")[1]), usage


def _examples() -> list[tuple[str, str]]:
    app = load_all()
    import typer.main

    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        epilog = command.epilog or ""
        for line in epilog.splitlines():
            line = line.strip()
            if line.startswith("ccm "):
                found.append((name, line))
    return found


def test_every_example_in_help_runs(
    ccm: Run, builtin_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example parses and runs on a copy of the built-in dataset: no usage error, no
    internal error (an example may meet the data, e.g. `ccm init` on an existing file)."""
    examples = _examples()
    assert len(examples) >= 30
    monkeypatch.chdir(tmp_path)
    for name, line in examples:
        words = shlex.split(line.split(" > ")[0].split("    #")[0], comments=True)[1:]
        words = [w.replace("URL", "https://example.org/x") for w in words]
        if "--db" not in words and words[0] not in ("--db", "diff"):  # diff names its files
            words += ["--db", str(builtin_db)]
        result = ccm(*words)
        assert result.exit_code in (0, 1), (name, line, result.stderr)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr, line


# --- shell completion ---------------------------------------------------------------------

AS_CCM = "import sys; sys.argv[0] = 'ccm'; from ccmtool.cli import main; main()"


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("ccm attendance li", {"lima-2007", "livingstone-2008"}),
        ("ccm compare lima-2007 vien", {"vienna-2007"}),
        ("ccm state Hun", {"Hungary"}),
        ("ccm endorsements well", {"wellington-declaration"}),
        ("ccm meetings --format js", {"json", "jsonl"}),
        ("ccm states --region Western", {"Western Africa", "Western Asia", "Western Europe"}),
        ("ccm actions --kind mor", {"moratorium"}),
    ],
)
def test_completion_offers_names_from_the_database_and_option_values(
    builtin_db: Path, words: str, offered: set[str]
) -> None:
    env = {
        **os.environ,
        "CCM_DB": str(builtin_db),
        "_CCM_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    proc = subprocess.run(
        [sys.executable, "-c", AS_CCM],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert set(proc.stdout.splitlines()) == offered, proc.stderr


def test_completion_never_creates_a_database(isolated_home: Path) -> None:
    env = {**os.environ, "_CCM_COMPLETE": "complete_bash", "COMP_WORDS": "ccm attendance l"}
    env["COMP_CWORD"] = "2"
    proc = subprocess.run(
        [sys.executable, "-c", AS_CCM],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.strip() == ""
    assert not list(isolated_home.rglob("*.db"))
