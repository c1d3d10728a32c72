"""Files on disk, safely: the one atomic-write helper and reads bounded by the bytes actually read.

Every file the app reads (networks, MNIST's IDX files, images) comes through ``open_regular`` or
``read_bounded``: anything that is not a regular file (a folder, a device such as /dev/zero, a named pipe,
a socket, ``-`` for standard input) is refused with a sentence saying what it is, *before* any read,
and a read stops one byte past its limit whatever ``stat`` claims (devices and pipes report size 0).

Every file the app writes goes through ``atomic_write``: the data goes to a hidden temporary file in
the destination's folder, is fsynced, then renamed over the destination, so a crash or ``kill -9``
mid-save leaves the old file intact.  The new file gets the mode an ordinary ``open(path, "w")`` would
give it (an existing file's mode, else 0666 minus the umask); saving through a symlink writes the file
the link points to and keeps the link.  Temporary files carry the writer's process id
(``.NAME.PID.RANDOM.nndl-tmp``); one left behind by a killed process is removed on the next save.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

__all__ = ["UnsafeFileError", "atomic_write", "check_writable", "describe_kind", "open_regular",
           "read_bounded", "resolve_destination", "TEMP_SUFFIX"]

TEMP_SUFFIX = ".nndl-tmp"
_CHUNK = 1 << 20


class UnsafeFileError(ValueError):
    """A path that is not a readable regular file, or a file over its size limit (message says which)."""


def describe_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words ("a folder", "a character device", ...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_stdin(path) -> None:
    if str(path) == "-":
        raise UnsafeFileError("'-' (standard input) cannot be read here: give a file name")


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file (symlinks followed), else raise.

    Opened non-blocking (a named pipe with no writer must not hang us), then checked with ``fstat`` on
    the open descriptor, so the file checked is the file read.  OSError (missing, no permission) passes.
    """
    _not_stdin(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafeFileError(f"{path} is {describe_kind(mode)}, not a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike, limit: int, what: str = "file", *, cancel=None) -> bytes:
    """All bytes of the regular file ``path``, refusing (UnsafeFileError) one of more than ``limit`` bytes.

    The limit is on bytes actually read, not on ``stat``: a file that grows while read is stopped too.
    Read in pieces of 8 MiB, with ``cancel()`` checked between them (see ``engine.cancel``).
    """
    from .cancel import check

    with open_regular(path) as f:
        pieces, size = [], 0
        while size <= limit:
            check(cancel)
            piece = f.read(min(_CHUNK * 8, limit + 1 - size))
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        data = b"".join(pieces)
    if len(data) > limit:
        raise UnsafeFileError(f"{path}: more than {limit / 2**20:,.0f} MiB, too large for a {what} "
                              f"(limit {limit / 2**20:,.0f} MiB)")
    return data


# ---------------------------------------------------------------------------------------------- writing
def resolve_destination(path: str | os.PathLike) -> Path:
    """The file a save to ``path`` writes: the target of a symlink (followed to the end), else ``path``.

    Raises UnsafeFileError when the destination exists and is not a regular file (a folder, /dev/null...).
    """
    _not_stdin(path)
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(mode):
        raise UnsafeFileError(f"{path} is {describe_kind(mode)}, not a file: choose a file name")
    return target


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask would race with other threads)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _clean_stale_temps(folder: Path, name: str) -> None:
    """Remove ``.NAME.PID.*.nndl-tmp`` files in ``folder`` whose writer process no longer exists."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        pid_text = entry.name[len(prefix):].split(".", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            try:
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
            except OSError:
                pass


def _temp_in(folder: Path, name: str) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder)


def check_writable(path: str | os.PathLike) -> Path:
    """Check, before any long work, that a save to ``path`` can create its file; return the destination.

    Creates and removes a temporary file where the save would (the only check that is true for root,
    read-only file systems and network mounts alike).  Raises UnsafeFileError or OSError with a sentence.
    """
    target = resolve_destination(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder} does not exist", str(folder))
    try:
        fd, tmp = _temp_in(folder, target.name)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(tmp)
    if target.exists() and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, f"{target} is read-only")
    return target


def atomic_write(path: str | os.PathLike, write: bytes | Callable[[BinaryIO], None]) -> Path:
    """Write ``write`` (bytes, or a function given the open binary file) to ``path`` atomically.

    Temporary file + fsync + rename in the destination's folder; the mode follows the umask (or the
    existing file's mode); a symlink's target is written and the link kept; stale temporary files of
    killed earlier saves are removed.  Returns the file written.  On any failure the old file is intact
    and the temporary file is gone.
    """
    target = resolve_destination(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    _clean_stale_temps(folder, target.name)
    fd, tmp = _temp_in(folder, target.name)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(write, (bytes, bytearray, memoryview)):
                f.write(write)
            else:
                write(f)
            f.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
