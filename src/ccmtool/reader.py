"""Reading contract files: which kind a file is, and its rows with line numbers.

Errors in a file's shape (encoding, quoting, NUL bytes, ragged rows) are one line naming the
file and line, raised while the rows are read; rows are streamed, never held in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TextIO

from ccmtool.contract import EXPORT_FACT_COLUMNS, FACT_COLUMNS, HEADERS
from ccmtool.errors import CcmError


def _shown(text: str, limit: int = 40) -> str:
    text = repr(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def detect_kind(header: list[str], where: str) -> str:
    """Which contract file this is, from its header alone."""
    names = [h.strip() for h in header]
    columns = set(names)
    if any("\x00" in n for n in names):
        raise CcmError(f"{where}:1: contains NUL bytes; is this a binary or UTF-16 file?")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        shown = ", ".join(_shown(n) for n in repeated)
        raise CcmError(f"{where}:1: header: column {shown} appears more than once")
    if columns in ({*FACT_COLUMNS}, {*EXPORT_FACT_COLUMNS}):
        return "facts"
    for kind, expected in HEADERS.items():
        if columns == set(expected):
            return kind
    best = min(HEADERS.items(), key=lambda kv: len(columns ^ set(kv[1])))
    missing = [c for c in best[1] if c not in columns and not (best[0] == "facts" and c == "code")]
    # Shown with repr() and cut short: a binary file's "header" must not reach the terminal.
    extra = [_shown(c) for c in names if c not in best[1]][:5]
    hint = []
    if missing:
        hint.append(f"missing {', '.join(missing)}")
    if extra:
        hint.append(f"unexpected {', '.join(extra)}")
    detail = f" (closest: {best[0]}, {'; '.join(hint)})" if hint else ""
    raise CcmError(
        f"{where}:1: header: not a ccm file{detail}; expected one of: "
        + "; ".join(",".join(h) for h in HEADERS.values())
    )


def _open_text(path: Path, encoding: str) -> TextIO:
    """Regular files only, read with bounds (see safeio.open_input): a FIFO, a device or a
    file with no line breaks ends with a clear error instead of hanging or filling memory."""
    from ccmtool.safeio import open_input

    if str(path) == "-":
        raise CcmError("reading from standard input is not supported; name a file")
    return open_input(path, encoding)


Progress = Callable[[str, int, int, int], None]  # (path, bytes read, total bytes, rows)
PROGRESS_EVERY = 20_000  # rows


def read_rows(
    path: Path, encoding: str = "utf-8", progress: Progress | None = None
) -> tuple[str, list[str], Generator[tuple[int, list[str]], None, None]]:
    """The file's kind, its columns, and an iterator of (line number, values); the header is
    line 1.

    Errors in the file's shape (encoding, quoting, NUL bytes, ragged rows) raise CcmError
    naming the line, while the iterator runs.
    """
    handle = _open_text(path, encoding)
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise CcmError(f"{path}: empty file; expected a header line") from None
    except (UnicodeError, csv.Error) as exc:
        handle.close()
        raise _shape_error(path, 1, exc, encoding) from None
    from ccmtool.safeio import check_header

    try:
        check_header(header, str(path))  # linear, before anything compares column names
    except CcmError:
        handle.close()
        raise
    kind = detect_kind(header, str(path))
    names = [h.strip() for h in header]

    total = path.stat().st_size
    if _is_excel_export(path, encoding):
        return (
            kind,
            names,
            _excel_undone(rows_of(reader, handle, path, names, total, encoding, progress)),
        )
    return kind, names, rows_of(reader, handle, path, names, total, encoding, progress)


def _is_excel_export(path: Path, encoding: str) -> bool:
    """`ccm export --excel` writes a byte-order mark; with one, cells it defused are undone."""
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        return False
    with path.open("rb") as f:
        return f.read(3) == b"\xef\xbb\xbf"


def _excel_undone(
    rows: Generator[tuple[int, list[str]], None, None],
) -> Generator[tuple[int, list[str]], None, None]:
    """Undo `exporter.excel_safe`: `'=x` was `=x` before the export defused it for a
    spreadsheet, so an --excel export reads back as what it was exported from."""
    for line, values in rows:
        yield line, [excel_restored(v) for v in values]


def excel_restored(value: str) -> str:
    if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") and len(value) > 1:
        return value[1:]
    return value


def rows_of(
    reader: Any,
    handle: TextIO,
    path: Path,
    names: list[str],
    total: int,
    encoding: str,
    progress: Progress | None,
) -> Generator[tuple[int, list[str]], None, None]:
    """The rows after the header, each checked for shape as it is read."""
    line = reader.line_num + 1
    count = 0
    try:
        width = len(names)
        for values in reader:
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(str(path), handle.buffer.tell(), total, count)
            if len(values) == width and "\x00" not in "".join(values):
                yield line, values  # the usual case
                line = reader.line_num + 1
                continue
            if "\x00" in "".join(values):
                raise CcmError(f"{path}:{line}: contains a NUL byte; is this a binary file?")
            if values and not (len(values) == 1 and values[0] == "" and len(names) > 1):
                if len(values) != len(names):
                    raise CcmError(
                        f"{path}:{line}: expected {len(names)} fields, found {len(values)}"
                    )
                yield line, values
            line = reader.line_num + 1
    except (UnicodeError, csv.Error) as exc:
        raise _shape_error(path, line, exc, encoding) from None
    finally:
        if progress is not None:
            progress(str(path), total, total, count)
        handle.close()


def _undecodable_line(path: Path, encoding: str) -> int:
    """The first physical line that does not decode (text is decoded in chunks, so the
    csv reader's position is not where the bad byte is)."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return number
    return 1


def _shape_error(path: Path, line: int, exc: Exception, encoding: str) -> CcmError:
    if isinstance(exc, UnicodeError) and not isinstance(exc, UnicodeDecodeError):
        return CcmError(f"{path}:{line}: cannot be read as {encoding}: {exc}")
    if isinstance(exc, UnicodeDecodeError):
        line = _undecodable_line(path, encoding)
        with path.open("rb") as f:
            start = f.read(2)
        hint = "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "latin-1"
        return CcmError(
            f"{path}:{line}: not valid {encoding} (byte 0x{exc.object[exc.start]:02x});"
            f" if the file is in another encoding, say so: --encoding {hint}"
        )
    message = str(exc)
    if "NUL" in message:
        return CcmError(f"{path}:{line}: contains a NUL byte; is this a binary file?")
    if "EOF" in message or "unexpected end" in message:
        return CcmError(f"{path}:{line}: unterminated quoted field")
    return CcmError(f"{path}:{line}: malformed CSV: {message}")
