"""README.md cannot drift: every `$ ccm ...` example in it is run on a scratch copy of the
built-in dataset and its output compared with what the README shows (tools/readme_examples.py
documents the conventions; `python tools/readme_examples.py --update` rewrites the outputs).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "readme_examples", ROOT / "tools" / "readme_examples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tool = _tool()
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="examples run in a pseudo-terminal")


@posix_only
def test_every_readme_example_prints_what_the_readme_shows() -> None:
    readme = ROOT / "README.md"
    examples = tool.parse(readme.read_text(encoding="utf-8"))
    assert any(e.command.startswith("ccm ") for e in examples)
    problems = tool.check(readme)
    assert not problems, (
        "\n\n".join(problems)
        + "\n\n`python tools/readme_examples.py --update` rewrites README.md from real output"
    )


# --- the conventions ----------------------------------------------------------------------

README = """\
# Title

```sh
ccm not-run   # no `$ `: an illustration, never run
```

```text
$ ccm meetings --limit 2 -f csv --columns slug
slug
...
$ ccm states --region Eurpoe
ccm: error: unknown region 'Eurpoe'; did you mean [...]?
```

$ ccm outside a block is prose, not an example
"""


def test_parse_finds_commands_in_fenced_blocks_only() -> None:
    examples = tool.parse(README)
    assert [e.command for e in examples] == [
        "ccm meetings --limit 2 -f csv --columns slug",
        "ccm states --region Eurpoe",
    ]
    assert examples[0].expected == ["slug", "..."]
    assert examples[0].line == 7  # 0-based; messages say line 8


@pytest.mark.parametrize(
    ("expected", "actual", "fits"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "b", "c"], False),
        (["a", "..."], ["a", "b", "c"], True),
        (["...", "c"], ["a", "b", "c"], True),
        (["a", "...", "c"], ["a", "c"], True),
        (["a", "...", "c"], ["a", "b"], False),
        (["status on [...]  party"], ["status on 2031-01-01  party"], True),
        (["status on [...]  party"], ["status on 2031-01-01  signatory"], False),
        (["a   ", "", ""], ["a"], True),  # trailing spaces and blank lines do not count
        ([], [], True),
        ([], ["something"], False),  # no lines shown means no output
    ],
)
def test_matching_with_cut_lines_and_elided_text(
    expected: list[str], actual: list[str], fits: bool
) -> None:
    assert tool.matches(expected, actual) is fits


def test_refresh_keeps_the_readmes_cut() -> None:
    actual = [f"line {i}" for i in range(10)]
    assert tool.refreshed(["line 0", "...", "old last"], actual) == ["line 0", "...", "line 9"]
    assert tool.refreshed(["old", "..."], actual) == ["line 0", "..."]
    assert tool.refreshed(["old"], actual) == actual
    assert tool.refreshed(["line 0", "..."], actual) == ["line 0", "..."]  # still fits: kept
    dated = ["as of [...]", "..."]
    assert tool.refreshed(dated, ["as of 2031", "x"]) == dated


@posix_only
def test_check_and_update_on_a_small_readme(builtin_db: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    assert tool.check(readme, database=builtin_db) == []
    drifted = README.replace(
        "$ ccm meetings --limit 2 -f csv --columns slug\nslug",
        "$ ccm meetings --limit 2 -f csv --columns slug\nname",
    )
    readme.write_text(drifted, encoding="utf-8")
    problems = tool.check(readme, database=builtin_db)
    assert len(problems) == 1 and "README.md:8: $ ccm meetings" in problems[0]
    assert "-name" in problems[0] and "+slug" in problems[0]
    assert tool.update(readme, database=builtin_db) == 1
    assert readme.read_text(encoding="utf-8") == README
