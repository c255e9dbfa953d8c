"""Files in and out, with the promises a user relies on when things go wrong.

Outputs (`open_output`): only a regular file or standard output is ever written. The file is
written beside its final name and renamed over it, so a crash, a full disk or Ctrl-C leaves
the old file (or none), never half of one; the temporary file is removed on SIGINT and
SIGTERM too. ccm refuses to write over the database it is reading, over directories,
devices, FIFOs and sockets, over read-only files, and to an empty path. A symbolic link is
followed: the file it points to is replaced and the link is kept (writing "through" the link
is what a user who made it expects; replacing the link by a file is not). A new file gets the
permissions the umask gives any new file (0644 under the usual umask 022); a file that
already exists keeps its permissions.

Inputs (`open_input`): only a regular file or `-` (standard input) is read. FIFOs, devices,
sockets and directories are refused before anything blocks on them (the file is opened
non-blocking and checked with fstat, so there is no window between check and open). Reads are
bounded: the whole input (`MAX_INPUT_BYTES`) and each physical line (`MAX_LINE_BYTES`), so
`/dev/zero`, a runaway pipe or a file with no line breaks ends with a clear error instead of
exhausting memory. `check_header` refuses headers with too many columns in linear time.

Every OS error becomes one line naming the file and what to do (`describe_os_error`).
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import IO, Any

from ccmtool.errors import CcmError, UsageError

MAX_INPUT_BYTES = 2 * 1024**3  # 2 GiB: ten times the largest import ccm has been timed on
MAX_LINE_BYTES = 64 * 1024**2  # 64 MiB in one physical line is not a CSV row
MAX_COLUMNS = 1000  # ccm's widest file has 9 columns
STDIN = "-"

_HINTS = {
    errno.EACCES: "permission denied; choose a location you can write to, or fix its permissions",
    errno.EPERM: "operation not permitted; choose another location",
    errno.ENOSPC: "no space left on the device; free some space or write elsewhere",
    errno.EDQUOT: "disk quota exceeded; free some space or write elsewhere",
    errno.EROFS: "read-only file system; write somewhere else",
    errno.ENOENT: "no such file or directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EEXIST: "exists and is not a directory (a part of the path is a file)",
    errno.EISDIR: "is a directory",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EFBIG: "the file is too large for this file system",
    errno.EIO: "input/output error; the disk may be failing",
    errno.EPIPE: "the reader closed the pipe",
    errno.EBADF: "the stream is closed",
    errno.ENXIO: "no such device (a FIFO with no reader, or a detached device)",
}
_READ_HINTS = {
    errno.EACCES: "permission denied; check the file's permissions",
    errno.EPERM: "operation not permitted",
}


def describe_os_error(
    exc: OSError, path: str | os.PathLike[str] | None = None, *, doing: str = ""
) -> str:
    """One line for an OS error: the file, what ccm was doing, and what the user can do."""
    where = str(path if path is not None else exc.filename or "")
    hints = {**_HINTS, **_READ_HINTS} if doing.startswith("read") else _HINTS
    reason = hints.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    verb = f"cannot {doing}: " if doing else ""
    return f"{where}: {verb}{reason}" if where else f"{verb}{reason}"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


# --- outputs ------------------------------------------------------------------------------


def output_path(text: str | os.PathLike[str] | None, *, option: str = "-o") -> Path:
    """The path a user gave to an output option, refusing an empty one.

    Typer turns `--datapackage ""` into Path(".") (the working directory), so the CLI should
    take the option as text and pass it here.
    """
    raw = os.fspath(text) if text is not None else ""
    if not raw.strip():
        raise UsageError(f"{option}: the file name is empty")
    if "\x00" in raw:
        raise UsageError(f"{option}: the file name contains a NUL byte")
    return Path(raw)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _database_files(database: Path | None) -> list[Path]:
    if database is None:
        return []
    return [database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")]


def check_output(path: Path, *, database: Path | None = None) -> Path:
    """The regular file to write for `path` (a symbolic link's target), or a CcmError.

    Refuses what writing would destroy or could block on; see the module docstring.
    """
    if not str(path).strip():
        raise UsageError("the output file name is empty")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise CcmError(describe_os_error(exc, path, doing="write")) from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            what = _kind(st.st_mode)
            hint = "; give a file name" if stat.S_ISDIR(st.st_mode) else ""
            raise CcmError(f"{path}: is {what}; ccm writes only regular files{hint}")
        for db_file in _database_files(database):
            if _same_file(target, db_file):
                raise CcmError(
                    f"{path}: is the database ccm is reading ({database}); choose another file"
                )
        if not os.access(target, os.W_OK):
            raise CcmError(f"{path}: is read-only; ccm will not replace it")
    return target


def _umask() -> int:
    """The process umask (reading it means setting it: ccm is single-threaded here)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Cleanup:
    """Removes a temporary file if SIGINT or SIGTERM arrives while it exists, then lets the
    signal do what it would have done (KeyboardInterrupt, or the process ends)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, tmp: str) -> None:
        self.tmp = tmp
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Cleanup:
        import threading

        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                with suppress(ValueError, OSError):
                    self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        with suppress(OSError):
            os.unlink(self.tmp)
        self._restore()
        previous = signal.getsignal(signum)
        if callable(previous):
            previous(signum, frame)  # Python's own SIGINT handler raises KeyboardInterrupt
        elif previous != signal.SIG_IGN:
            os.kill(os.getpid(), signum)  # the default action: end the process, as asked

    def _restore(self) -> None:
        for signum, handler in self.previous.items():
            with suppress(ValueError, OSError, TypeError):
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self.previous.clear()

    def __exit__(self, *exc: object) -> None:
        self._restore()


@contextmanager
def open_output(
    path: str | os.PathLike[str],
    *,
    database: Path | None = None,
    encoding: str | None = "utf-8",
    newline: str | None = "",
) -> Iterator[IO[Any]]:
    """A handle to write one output to; the file appears, complete, when the block ends.

    `-` is standard output. `database` is the database file being read, which is never
    overwritten. With `encoding=None` the handle is binary. If the block raises (or the disk
    fills, or SIGINT/SIGTERM arrives), the temporary file is removed and the old file, if
    any, is left exactly as it was.
    """
    if os.fspath(path) == STDIN:
        stream: IO[Any] = sys.stdout if encoding is not None else sys.stdout.buffer
        yield stream
        stream.flush()
        return
    target = check_output(Path(path), database=database)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise CcmError(describe_os_error(exc, path, doing="write")) from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise CcmError(describe_os_error(exc, path, doing="write")) from None
    with _Cleanup(tmp):
        try:
            os.fchmod(fd, mode)  # mkstemp makes 0600
            if encoding is None:
                handle: IO[Any] = os.fdopen(fd, "wb")
            else:
                handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(tmp)
            raise CcmError(describe_os_error(exc, path, doing="write")) from None
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise


def write_text(path: str | os.PathLike[str], text: str, *, database: Path | None = None) -> None:
    """Write `text` to `path` with every promise of `open_output` (for small files)."""
    with open_output(path, database=database) as handle:
        handle.write(text)


# --- inputs -------------------------------------------------------------------------------


class _Bounded(io.RawIOBase):
    """A raw reader that stops with a clear error past `limit` bytes in all, or past
    `line_limit` bytes without a line break. Counting is one pass over each chunk."""

    def __init__(self, raw: IO[bytes], label: str, limit: int, line_limit: int) -> None:
        self.raw = raw
        self.label = label
        self.limit = limit
        self.line_limit = line_limit
        self.total = 0
        self.lines = 1
        self.since_newline = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.total

    def fileno(self) -> int:
        return self.raw.fileno()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.raw.read(len(view))
        if not data:
            return 0
        n = len(data)
        view[:n] = data
        self.total += n
        if self.total > self.limit:
            raise CcmError(
                f"{self.label}: more than {_size(self.limit)}; ccm reads inputs up to that size"
            )
        first = data.find(b"\n")
        if first < 0:
            self.since_newline += n
            if self.since_newline > self.line_limit:
                self._too_long(self.lines)
            return n
        if self.since_newline + first > self.line_limit:
            self._too_long(self.lines)
        if n - first > self.line_limit:
            # A whole line could fit inside this chunk (only when the limit is smaller than
            # a chunk): measure each one. Otherwise counting is one C-speed pass.
            start, line = first + 1, self.lines + 1
            while (end := data.find(b"\n", start)) >= 0:
                if end - start > self.line_limit:
                    self._too_long(line)
                start, line = end + 1, line + 1
        last = data.rfind(b"\n")
        self.lines += data.count(b"\n")
        self.since_newline = n - last - 1
        if self.since_newline > self.line_limit:
            self._too_long(self.lines)
        return n

    def _too_long(self, line: int) -> None:
        raise CcmError(
            f"{self.label}:{line}: a line longer than {_size(self.line_limit)}; is this a CSV file?"
        )

    def close(self) -> None:
        try:
            if self.raw is not sys.stdin.buffer:
                self.raw.close()
        finally:
            super().close()


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale and n % (scale // 4) == 0:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"


def _open_regular(path: Path) -> IO[bytes]:
    """Open `path` for reading only if it is a regular file, without ever blocking on it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise CcmError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CcmError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise CcmError(describe_os_error(exc, path, doing="read")) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise CcmError(f"{path}: is a directory, not a CSV file")
        if not stat.S_ISREG(mode):
            raise CcmError(
                f"{path}: is {_kind(mode)}; ccm reads regular files, or - for standard input"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def text_encoding(encoding: str) -> str:
    """The codec to read `encoding` with: UTF-8 also drops the BOM that Excel writes."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
    return "utf-8-sig" if name == "utf-8" else encoding


def open_input(
    path: str | os.PathLike[str],
    encoding: str = "utf-8",
    *,
    limit: int = MAX_INPUT_BYTES,
    line_limit: int = MAX_LINE_BYTES,
) -> io.TextIOWrapper:
    """A text handle on a regular file, or on standard input for `-`, with bounded reads.

    Refuses FIFOs, devices, sockets and directories before reading a byte, and files over
    `limit` before reading at all. Errors name the file.
    """
    codec = text_encoding(encoding)
    label = os.fspath(path)
    if label == STDIN:
        raw: IO[bytes] = sys.stdin.buffer
        label = "<stdin>"
    else:
        raw = _open_regular(Path(label))
        size = os.fstat(raw.fileno()).st_size
        if size > limit:
            raw.close()
            raise CcmError(f"{label}: is {_size(size)}; ccm reads inputs up to {_size(limit)}")
    bounded = _Bounded(raw, label, limit, line_limit)
    return io.TextIOWrapper(io.BufferedReader(bounded), encoding=codec, newline="")


def check_header(header: list[str], where: str, *, limit: int = MAX_COLUMNS) -> None:
    """Refuse a header with more than `limit` columns, or a repeated column, in linear time
    (`list.count` per column took 68 s on a 60,000-column header)."""
    if len(header) > limit:
        raise CcmError(
            f"{where}:1: header has {len(header):,} columns; a ccm file has at most {limit}"
        )
    seen: set[str] = set()
    repeated: list[str] = []
    for name in (h.strip() for h in header):
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        shown = ", ".join(repr(n)[:40] for n in repeated[:5])
        raise CcmError(f"{where}:1: header: column {shown} appears more than once")


__all__ = [
    "MAX_COLUMNS",
    "MAX_INPUT_BYTES",
    "MAX_LINE_BYTES",
    "check_header",
    "check_output",
    "describe_os_error",
    "open_input",
    "open_output",
    "output_path",
    "text_encoding",
    "write_text",
]
