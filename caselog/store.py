"""The one way files are written: lock, write beside, check, rename (git's index.lock).

A writer creates `<file>.lock` exclusively (O_CREAT|O_EXCL): that is the lock, and the
new text goes into it. Under the lock the current file is read, the change applied and
the result checked exactly as `caselog validate` reads it; only then is the lock file
renamed over the file. Two writers of one file therefore run one after the other and
neither loses the other's change; a failure at any point (a refused change, a full disk,
Ctrl-C) removes the lock file and leaves the file as it was. The new file's mode follows
the umask, like any file the user creates, and symbolic links are refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import stat
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from .checks import MASK_ADVICE, future_problems
from .errors import InvalidCase, LoadError, WriteError, WriteRefused
from .registry import Registry
from .repository import LoadedCase, check_document
from .yamlsafe import MAX_CASE_BYTES, check_size, parse, read_text

LOCK_SUFFIX = ".lock"
LOCK_WAIT_SECONDS = 30.0  # other writers of the same file hold the lock for milliseconds


def _refuse_symlink(path: Path, display: str) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # writing it will say why
        if stat.S_ISLNK(os.lstat(path).st_mode):
            msg = (f"{display} is a symbolic link; case log files must be regular files "
                   "(replace the link with the file itself)")
            raise WriteError(msg)


def _take_lock(path: Path, display: str) -> int:
    """Create `<path>.lock` exclusively and return its descriptor, waiting while another
    writer holds it."""
    lock = path.with_name(path.name + LOCK_SUFFIX)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                           0o666)  # the umask decides the final mode
        except FileExistsError:
            if time.monotonic() > deadline:
                msg = (f"{display} is being changed by another command (it holds {display}{LOCK_SUFFIX}); "
                       f"try again, or if no caselog command is running, delete {display}{LOCK_SUFFIX}")
                raise WriteError(msg) from None
            time.sleep(random.uniform(0.01, 0.05))
        except OSError as exc:
            raise _write_error(display, exc) from None


def _write_error(display: str, exc: OSError) -> WriteError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += " (free some space, then run the command again)"
    elif exc.errno == errno.EFBIG:
        reason += " (over the file size limit of this process or file system, see 'ulimit -f')"
    return WriteError(f"cannot write {display}: {reason}; nothing was written")


@contextlib.contextmanager
def locked(path: Path, display: str) -> Iterator[Callable[[str], None]]:
    """Hold the lock of `path` and yield `commit(text)`, which writes `text` into the lock
    file and renames it over `path`; if the block fails, `path` is left as it was."""
    _refuse_symlink(path, display)
    made = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(display, exc) from None
    try:
        fd = _take_lock(path, display)
    except BaseException:
        _remove_empty(made)
        raise
    lock = path.with_name(path.name + LOCK_SUFFIX)
    done = False

    def commit(text: str) -> None:
        nonlocal done
        data = text.encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            _refuse_symlink(path, display)
            os.replace(lock, path)
        except OSError as exc:
            raise _write_error(display, exc) from None
        done = True
        _sync_folder(path.parent)

    try:
        yield commit
    finally:
        os.close(fd)
        if not done:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock)
            _remove_empty(made)


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a refused write made (deepest first), if nothing else came in."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can sync a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file(path: Path, text: str) -> None:
    """Write a file the CLI keeps (an index manifest, a cache entry) whole or not at all."""
    with locked(path, str(path)) as commit:
        commit(text)


def write_new_cases(root: Path, files: list[tuple[str, str]]) -> None:
    """Write checked new case files (path relative to the root, text): all of them or none.

    Each goes to a temporary file beside it (mode from the umask), all are flushed to disk
    at once (an fsync per file cost 34 s for an import of 10,000), then each is linked into
    place, never over an existing file; on any failure the ones placed are removed."""
    temps: list[Path] = []
    placed: list[Path] = []
    current = "cases"
    try:
        for rel, text in files:
            current = rel
            path = root / rel
            _refuse_symlink(path, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
            temps.append(tmp)
            try:
                data = memoryview(text.encode("utf-8"))
                while data:
                    data = data[os.write(fd, data):]
            finally:
                os.close(fd)
        os.sync()
        for (rel, _text), tmp in zip(files, temps, strict=True):
            current = rel
            os.link(tmp, root / rel)  # fails if the file exists, unlike rename
            placed.append(root / rel)
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        if exc.filename:  # the folder or file that failed, not only the case being written
            with contextlib.suppress(ValueError):
                current = Path(exc.filename).relative_to(root).as_posix()
        reason = str(_write_error(current, exc)).removesuffix("; nothing was written")
        msg = f"{reason}; none of the {len(files)} new case(s) were written"
        raise WriteError(msg) from None
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def write_case(root: Path, rel: str, change: Callable[[str | None], str], registry: Registry, *,
               today: date, create: bool = False, advice: str = MASK_ADVICE) -> LoadedCase:
    """Change the case file `rel` through the one write path, and return it as loaded.

    `change` gets the file's current text (None when `create`) and returns the new text;
    it runs under the file's lock, so it sees every earlier writer's change. The result is
    written only if `caselog validate` would accept it (`advice` replaces the privacy
    problems' "run caselog mask" for text that is being entered); else WriteRefused."""
    path = root / rel
    with locked(path, rel) as commit:
        if create:
            if os.path.lexists(path):
                msg = f"{rel} already exists; nothing was written"
                raise WriteError(msg)
            old = None
        else:
            try:
                old = read_text(path, rel, MAX_CASE_BYTES)
            except LoadError as exc:
                raise WriteRefused([exc.problem]) from None
        new_text = change(old)
        try:
            loaded = check_text(new_text, rel, registry, today=today, advice=advice)
        except InvalidCase as exc:
            raise WriteRefused(exc.problems) from None
        if new_text != old:  # an unchanged file keeps its time (caches and builds skip it)
            commit(new_text)
    return loaded


def check_text(text: str, rel: str, registry: Registry, *, today: date,
               advice: str = MASK_ADVICE) -> LoadedCase:
    """Check a case's would-be text exactly as `caselog validate` reads the file (its size
    included); raise InvalidCase unless it is valid."""
    try:
        check_size(len(text.encode("utf-8")), rel, MAX_CASE_BYTES)
        loaded = check_document(parse(text, rel), rel, registry, advice)
    except LoadError as exc:
        raise InvalidCase([exc.problem]) from None
    problems = [p for p in loaded.problems if p.severity == "error"]
    if loaded.refs is not None:
        problems += future_problems([(rel, loaded.refs)], today)
    if loaded.case is None or problems:
        raise InvalidCase(problems or loaded.problems)
    return loaded
