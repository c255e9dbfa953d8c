"""Run every `$ ccm ...` example in README.md and compare its output with what the README shows,
so the README cannot drift from what ccm prints.

Conventions, inside fenced code blocks (```):

- A line starting with `$ ` is a command. It runs in bash, as a new user's would: in a scratch
  home directory whose ccm database is made on first use from the built-in dataset. The
  README's commands run in order and share that database (`ccm add-state` changes it for the
  commands after it). `ccm` is the ccm of the Python running this tool.
- The lines after a command, up to the next `$ ` line or the end of the block, are its output
  as an 80-column terminal shows it: stdout and stderr interleaved, tables fitted to 80
  columns with compact sources (but not when piped, as in `ccm ... | tail -1`). No lines
  means no output.
- A line that is exactly `...` stands for any number of lines the README leaves out.
- `[...]` inside a line stands for any text (a date that changes every day, say).
- The scratch home directory is shown as /home/you. Trailing spaces and blank lines at the
  end of an output are ignored.

Usage:
    python tools/readme_examples.py [README.md]            check; exit 1 and a diff if any differ
    python tools/readme_examples.py --update [README.md]   rewrite the outputs from real output

`--update` keeps an output that still matches as it is; a changed one is replaced by the real
output, keeping the README's cut (as many lines before and after its `...` as before).
"""

from __future__ import annotations

import argparse
import difflib
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = "/home/you"
COLUMNS = 80
CUT = "..."
ANY = "[...]"
TIMEOUT = 300


@dataclass
class Example:
    command: str
    line: int  # 0-based index of the `$ ` line in the README
    expected: list[str] = field(default_factory=list)
    actual: list[str] = field(default_factory=list)


def parse(text: str) -> list[Example]:
    """Every `$ ` command in a fenced block, with the output lines that follow it."""
    examples: list[Example] = []
    fenced = False
    current: Example | None = None
    for i, line in enumerate(text.splitlines()):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            current = None
            continue
        if not fenced:
            continue
        if line.startswith("$ "):
            current = Example(line[2:].strip(), i)
            examples.append(current)
        elif current is not None:
            current.expected.append(line)
    return examples


def tidy(lines: Sequence[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def line_matches(expected: str, actual: str) -> bool:
    if ANY not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split(ANY))
    return re.fullmatch(pattern, actual) is not None


def matches(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """Whether the output fits what the README shows, `...` lines standing for any lines."""
    exp, act = tidy(expected), tidy(actual)

    @functools.cache
    def fits(i: int, j: int) -> bool:
        if i == len(exp):
            return j == len(act)
        if exp[i] == CUT:
            return any(fits(i + 1, k) for k in range(j, len(act) + 1))
        return j < len(act) and line_matches(exp[i], act[j]) and fits(i + 1, j + 1)

    return fits(0, 0)


def refreshed(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """New README lines for an output: unchanged if it still matches, else the real output
    cut where the README cut it (its first and last lines kept in the same numbers)."""
    exp, act = tidy(expected), tidy(actual)
    if matches(exp, act):
        return list(expected)
    if CUT not in exp:
        return act
    head = exp.index(CUT)
    tail = len(exp) - 1 - max(i for i, line in enumerate(exp) if line == CUT)
    if head + tail >= len(act):
        return act

    def keep(old: str, new: str) -> str:  # a line with [...] that still fits stays as written
        return old if ANY in old and line_matches(old, new) else new

    top = [keep(o, n) for o, n in zip(exp[:head], act[:head], strict=True)]
    bottom = act[len(act) - tail :] if tail else []
    bottom = [keep(o, n) for o, n in zip(exp[len(exp) - tail :], bottom, strict=True)]
    return [*top, CUT, *bottom]


def environment(home: Path, bin_dir: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": f"{bin_dir}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
        "LINES": "40",
        "TERM": "dumb",
        "PAGER": "cat",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
    }


def in_terminal(command: str, cwd: Path, env: dict[str, str]) -> str:
    """What `command` shows in an 80-column terminal: run by bash with stdout and stderr on a
    pseudo-terminal of that size (so ccm fits its tables, but not when piped), stdin empty."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
    try:
        proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        proc.wait(timeout=TIMEOUT)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run(examples: Sequence[Example], database: Path | None = None) -> None:
    """Run every example in order in one scratch home; fills in `actual`.

    `database`, when given, is copied to the home's default database first (for quick tests
    of this tool); otherwise the first command makes it, as for a new user.
    """
    with tempfile.TemporaryDirectory(prefix="ccm-readme-") as scratch:
        home = Path(scratch) / "you"
        bin_dir = Path(scratch) / "bin"
        home.mkdir()
        bin_dir.mkdir()
        shim = bin_dir / "ccm"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ccmtool "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        if database is not None:
            target = home / ".local" / "share" / "ccm" / "ccm.db"
            target.parent.mkdir(parents=True)
            shutil.copy(database, target)
        env = environment(home, bin_dir)
        for example in examples:
            text = in_terminal(example.command, home, env).replace(str(home), HOME)
            example.actual = tidy(text.splitlines())


def check(path: Path, database: Path | None = None) -> list[str]:
    """Problems with the README's examples, each with a diff; empty when all match."""
    examples = parse(path.read_text(encoding="utf-8"))
    run(examples, database)
    problems = []
    for example in examples:
        if not matches(example.expected, example.actual):
            diff = difflib.unified_diff(
                tidy(example.expected), example.actual, "README", "ccm", lineterm="", n=2
            )
            problems.append(
                f"{path.name}:{example.line + 1}: $ {example.command}\n" + "\n".join(diff)
            )
    return problems


def update(path: Path, database: Path | None = None) -> int:
    """Rewrite the README's outputs from real output; returns how many changed."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    examples = parse(text)
    run(examples, database)
    changed = 0
    for example in reversed(examples):  # from the end, so earlier line numbers hold
        new = refreshed(example.expected, example.actual)
        start = example.line + 1
        if new != example.expected:
            changed += 1
            lines[start : start + len(example.expected)] = new
    path.write_text("\n".join(lines) + ("\n" if text.endswith("\n") else ""), encoding="utf-8")
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readme", nargs="?", type=Path, default=ROOT / "README.md")
    parser.add_argument("--update", action="store_true", help="rewrite outputs in place")
    args = parser.parse_args(argv)
    if args.update:
        n = update(args.readme)
        print(f"{args.readme}: {n} example output(s) rewritten", file=sys.stderr)
        return 0
    problems = check(args.readme)
    for problem in problems:
        print(problem + "\n", file=sys.stderr)
    if problems:
        print(
            f"{len(problems)} example(s) differ; `python tools/readme_examples.py --update`"
            " rewrites them from real output",
            file=sys.stderr,
        )
        return 1
    print(f"{args.readme}: every example matches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
