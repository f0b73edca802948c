"""Writing a run's output folder so that it is always one run's, whole, or untouched.

Three guarantees for ``genai-aug run --out DIR``:

* **Checked first.** :func:`check_out` refuses, in one line and before any work, a
  ``DIR`` that is a file, sits in a missing or read-only folder, is read-only, or holds
  files genai_aug did not write (a folder it wrote carries a marker file).
* **All or nothing.** :func:`atomic_folder` yields a temporary folder beside ``DIR``;
  only when everything has been written is it renamed into place (the previous
  folder is moved aside first, then deleted). A failure or Ctrl-C part-way leaves the
  previous folder as it was; no mix of new and old files is ever visible.
* **One writer.** :func:`out_lock` holds an exclusive lock beside ``DIR`` for the
  whole run; a second run on the same folder is refused while the first holds it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from genai_aug.errors import ArgumentTypeError, OutputError

MARKER = ".genai_aug_output"
"""File that marks a folder as written by genai_aug (so it may be replaced)."""


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.genai_aug.lock"


def real_out(out: Path) -> Path:
    """The folder ``out`` names: a symbolic link is followed, so that the lock, the
    checks and the swap are all on the folder itself (and the link stays a link)."""
    return Path(os.path.realpath(out)) if out.is_symlink() else out


def check_out(out: Path) -> None:
    """Refuse an output folder that cannot be (re)written, saying why in one line."""
    out = real_out(out)
    parent = out.absolute().parent
    here = Path.cwd().resolve()
    if out.exists() and (out.resolve() == here or out.resolve() in here.parents):
        raise OutputError(
            f"--out '{out}' is the folder you are working in (or holds it), and a run "
            "replaces its output folder whole. Choose a folder of its own, e.g. --out results."
        )
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out '{out}' is a file; expected a folder. Choose another path.")
    if not parent.is_dir():
        raise OutputError(
            f"--out '{out}': the folder it goes in, '{parent}', does not exist. Create it "
            "first, or choose another path."
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"--out '{out}': the folder it goes in, '{parent}', is read-only, so the results "
            "cannot be written beside it and moved into place. Choose a folder you can write to."
        )
    if out.is_dir():
        if not os.access(out, os.W_OK | os.X_OK):
            raise OutputError(f"--out '{out}' is read-only. Choose a folder you can write to.")
        foreign = [p.name for p in out.iterdir()] if not (out / MARKER).exists() else []
        if foreign:
            raise OutputError(
                f"--out '{out}' already holds files genai_aug did not write (e.g. "
                f"'{sorted(foreign)[0]}'), and a run replaces the whole folder. Choose a new "
                "or empty folder."
            )


def _try_lock(fh: IO[bytes]) -> bool:
    """Take an exclusive, non-blocking lock on an open file; False if another holds it."""
    if sys.platform == "win32":  # pragma: no cover - tested on Linux
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def out_lock(out: Path | None) -> Iterator[None]:
    """Check ``out`` and hold the lock on it for the block (nothing when ``out`` is None).

    The lock is taken on a file beside the folder; the operating system releases it if
    the process dies, so a crashed run never leaves a stale lock behind.
    """
    if out is None:
        yield
        return
    out = real_out(out)
    check_out(out)
    path = _lock_path(out)
    for _ in range(5):
        try:
            fh = path.open("a+b")
        except OSError as exc:
            raise OutputError(
                f"--out '{out}': could not create the lock file '{path}' ({exc.strerror})."
            ) from None
        if not _try_lock(fh):
            fh.close()
            raise OutputError(
                f"--out '{out}' is being written by another genai-aug run; wait for it to "
                "finish, or choose another folder."
            )
        try:
            same = os.path.samestat(os.fstat(fh.fileno()), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:  # (not a lock file another run has just deleted)
            break
        fh.close()
    else:  # pragma: no cover - only under a storm of concurrent runs
        raise OutputError(f"--out '{out}': could not take the lock '{path}'. Try again.")
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        fh.close()


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out``; on success, make it ``out``.

    On any exception (or Ctrl-C) inside the block the temporary folder is deleted and
    ``out`` is left exactly as it was. A symbolic link ``out`` stays a link: the folder
    it points to is the one replaced.
    """
    out = real_out(out)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise OutputError(
            f"--out '{out}': could not create a folder beside it ({exc.strerror})."
        ) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # as a plain mkdir would (mkdtemp makes it private)
        (tmp / MARKER).write_text(
            "This folder was written by genai_aug; a new run replaces it whole.\n",
            encoding="utf-8",
        )
        yield tmp
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(new: Path, out: Path) -> None:
    """Put folder ``new`` at ``out``, moving any previous ``out`` aside and deleting it."""
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}" if out.exists() else None
    if old is not None:
        os.replace(out, old)
    try:
        os.replace(new, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)  # put the previous run back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _as_path(path: object, what: str) -> Path:
    if isinstance(path, bool) or not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(
            f"{what} must be a path (a str or os.PathLike), got {type(path).__name__} {path!r}."
        )
    return Path(path)


def output_file(path: object, what: str) -> Path:
    """``path`` as the file an API call writes, checked before any work.

    A wrong type is an :class:`~genai_aug.errors.ArgumentTypeError`; an existing folder
    at ``path``, or a missing folder that cannot be created for it, is an
    :class:`~genai_aug.errors.OutputError` (never ``IsADirectoryError``).
    """
    out = _as_path(path, what)
    if out.is_dir():
        raise OutputError(f"{what} '{out}' is a folder; expected the path of a file to write.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{what} '{out}': its folder could not be created ({exc.strerror or exc})."
        ) from None
    return out


def output_folder(path: object, what: str) -> Path:
    """``path`` as the folder an API call writes files into, created if missing."""
    out = _as_path(path, what)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{what} '{out}' is a file; expected a folder to write files into.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{what} '{out}' could not be created ({exc.strerror or exc}).") from None
    return out


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    An error or Ctrl-C inside the block deletes the temporary file and leaves any previous
    ``path`` as it was, so a half-written file never carries the real name.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"'{path}' could not be written ({exc.strerror or exc}).") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def replace_files(
    out: Path,
    writers: Mapping[str, Callable[[Path], object]],
    *,
    ours: Iterable[str] = (),
    last: str | None = None,
) -> dict[str, Path]:
    """Write a set of files into folder ``out`` so that it never holds a misleading mix.

    Each writer writes its file (named by its key) into a temporary folder inside
    ``out``; only when all have succeeded are they moved into place. Files named in
    ``ours`` (the names this kind of call can write) that this call did not write are
    removed, so an earlier run's extra tables are not left beside this run's. ``last``
    (the run's metadata) is removed first and moved in last: a folder interrupted while
    the files are moved has no metadata, so it cannot pass for a whole run. A failure or
    Ctrl-C while writing leaves ``out`` as it was.
    """
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".genai_aug.", suffix=".partial", dir=out))
    except OSError as exc:
        raise OutputError(f"'{out}': could not write into it ({exc.strerror or exc}).") from None
    written: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            write(tmp / name)
        tail = [last] if last is not None and last in writers else []
        order = [n for n in writers if n != last] + tail
        stale = [n for n in ours if n not in writers] + tail
        for name in stale:
            (out / name).unlink(missing_ok=True)
        for name in order:
            os.replace(tmp / name, out / name)
            written[name] = out / name
    except OSError as exc:
        raise OutputError(
            f"'{out}': the files could not be written ({exc.strerror or exc})."
        ) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {name: written[name] for name in writers}
