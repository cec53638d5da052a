"""One atomic write for every file frictionkit writes.

A writer gets a temporary path in the target's own folder, writes there, and only when it
has finished is the file flushed to disk and moved over the target in one step
(``os.replace``). A failed or interrupted write (a full disk, an exception, Ctrl-C) leaves
the previous file as it was and no temporary file behind. The target keeps its permission
bits (a new file gets the usual ones, from the umask), and a symbolic link is followed: the
file it points at is replaced, the link stays a link.

Examples
--------
>>> from frictionkit._atomic import atomic_path
>>> with atomic_path("notes.txt") as tmp:
...     _ = tmp.write_text("hello", encoding="utf-8")
>>> from pathlib import Path
>>> Path("notes.txt").read_text(encoding="utf-8")
'hello'
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from frictionkit.exceptions import FileAccessError

__all__ = ["atomic_path", "write_bytes", "write_text"]


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that refuse it
        pass
    finally:
        os.close(fd)


def _target(path: str | os.PathLike[str], field: str) -> Path:
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    if target.is_dir():
        raise FileAccessError(
            f"{field} {str(given)!r} is a folder, not a file",
            field=field,
            value=str(given),
            hint="give the name of a file inside that folder",
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileAccessError(
            f"cannot write {str(given)!r}: the folder {str(folder)!r} does not exist",
            field=field,
            value=str(given),
            hint="create the folder first, e.g. Path(folder).mkdir(parents=True)",
        )
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, field: str = "path") -> Iterator[Path]:
    """A temporary path to write to; it replaces ``path`` when the block ends cleanly.

    Parameters
    ----------
    path : str or path-like
        The file to write (created or replaced). A symbolic link is followed.
    field : str, default "path"
        The argument's name in error messages.

    Yields
    ------
    pathlib.Path
        An empty file in the target's folder. Write the whole content there.

    Raises
    ------
    FileAccessError
        The folder is missing, ``path`` is a folder, or the system refused the write
        (permissions, a full disk). The previous file is left untouched.
    """
    target = _target(path, field)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _umask_mode()
    except OSError as err:
        raise _refused(path, field, err) from None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise _refused(path, field, err) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise _refused(path, field, err) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _refused(path: str | os.PathLike[str], field: str, err: OSError) -> FileAccessError:
    reason = err.strerror or str(err) or type(err).__name__
    return FileAccessError(
        f"could not write {str(path)!r}: {reason}; the previous file, if any, is unchanged",
        field=field,
        value=str(path),
        hint="check the folder's permissions and the free disk space",
    )


def write_text(path: str | os.PathLike[str], text: str, *, field: str = "path") -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    with atomic_path(path, field=field) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, field: str = "path") -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path, field=field) as tmp:
        tmp.write_bytes(data)
