"""A persistent cache of checked case files under .caselog/cache/, so unchanged files are not parsed again.

Each month folder of the log (cases/YYYY/MM/) has two shards: `YYYY-MM.meta` holds, per
file, its size and modification time (the key), its digest, problems and references —
all that validation needs; `YYYY-MM.data` holds the typed case as plain values and its
derived facts, for the commands that read cases. A cache directory is named after
everything its entries depend on (caselog's engine code, the registry, the holidays
package, the message catalogue), so a change to any of them starts a fresh cache and the old
one is removed; problems are cached as messages, so each language has its own directory.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path

FORMAT = 1
# a file changed this close to the moment it was cached could change again within the same
# clock tick without its size or time changing; such entries are not trusted (git's "racy" rule)
RACY_NS = 2_000_000_000
# what reading back a cache file that is missing, cut short, damaged or written by another
# version raises (unpickling it, or looking into what came out): every cache then starts afresh
UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, KeyError, IndexError,
              AttributeError, ImportError)


def store(path: Path, data: bytes) -> None:
    """Write a cache file atomically: a temporary file beside it, then a rename (a reader never
    sees half a file, and two processes never write the same temporary file). The one write
    path of every cache under .caselog/; an OSError is the caller's (a cache may be read-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@functools.cache
def code_digest(package: Path = Path(__file__).parent) -> str:
    """A digest of every Python file of the package: the code part of every cache key, computed
    (a hand-kept list of the files an entry depends on misses the one that was forgotten)."""
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(root: Path) -> str:
    """A digest of what cached entries depend on: the engine's code, the registry, holidays."""
    import holidays
    import pydantic

    from . import __version__, i18n

    digest = hashlib.blake2b(f"{FORMAT}|{__version__}|{holidays.__version__}|{pydantic.VERSION}".encode(),
                             digest_size=10)
    digest.update(code_digest().encode())
    if i18n.CATALOGUE.is_file():  # problems are cached as messages, in the catalogue's words
        digest.update(i18n.CATALOGUE.read_bytes())
    registry = root / "cases" / "registry"
    for path in sorted(registry.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    # problems are cached as messages in the language of the run that checked them: one cache
    # per language, side by side (see CaseCache)
    return f"{digest.hexdigest()}-{i18n.language()}"


@contextlib.contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while many objects are created and none freed.

    Unpickling 100,000 cases otherwise triggers collections that walk every object loaded
    so far: five times the cost of the unpickling itself. What was made meanwhile is then
    frozen (moved out of the collector's sight: it is long-lived), or the first collections
    after the pause would walk it all anyway, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


class CaseCache:
    """The shards of one case log's cache directory."""

    def __init__(self, root: Path, key: str):
        base = root / ".caselog" / "cache"
        self.directory = base / key
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            engine = key.rsplit("-", 1)[0]  # the same code and registry in another language stays
            for other in base.iterdir():  # caches of older code or an older registry
                if other.name.rsplit("-", 1)[0] != engine and other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:  # a read-only checkout: cache for this run only
            self.directory = Path(tempfile.mkdtemp(prefix="caselog-cache-"))
            self.temporary = True
        else:
            self.temporary = False

    def _path(self, month: str, kind: str) -> Path:
        return self.directory / f"{month.replace('/', '-')}.{kind}"

    def read(self, month: str, kind: str) -> dict:
        """One shard: file name -> entry; {} if missing or unreadable."""
        try:
            with open(self._path(month, kind), "rb") as handle:
                shard = pickle.load(handle)
        except UNREADABLE:
            return {}
        return shard if isinstance(shard, dict) else {}

    def write(self, month: str, kind: str, shard: dict) -> None:
        """Replace one shard atomically (a reader never sees half a shard)."""
        with contextlib.suppress(OSError):
            store(self._path(month, kind), pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        """Remove a run-only cache."""
        if self.temporary:
            shutil.rmtree(self.directory, ignore_errors=True)


def is_fresh(entry, size: int, mtime_ns: int) -> bool:
    """Whether a meta entry (size, mtime_ns, cached_at_ns, ...) still describes the file."""
    return (entry is not None and entry[0] == size and entry[1] == mtime_ns
            and mtime_ns < entry[2] - RACY_NS)
