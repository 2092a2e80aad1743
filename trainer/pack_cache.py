"""A cache of the loaded packs, so that the REPL starts without parsing and validating every file.

The cache is keyed by every pack and topic file's path, size and modification time, by the
trainer's own loading code, and by the seeds rendered; any change loads afresh. A cache that cannot
be read or written is simply not used.

    library = load_cached(Path("exercises"), data_dir / "packs.cache", seeds=(0,))
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import trainer
from trainer.loader import Library, load_library

#: The modules whose code decides what loading produces: a change to any of them invalidates.
_CODE = ("loader.py", "schema.py", "checks.py", "params.py", "model.py")


def _fingerprint(top: Path, seeds: Sequence[int]) -> tuple[object, ...]:
    here = Path(trainer.__file__).parent
    files = sorted(top.rglob("*.yaml")) if top.is_dir() else [top]
    stats = []
    for path in [*files, *(here / name for name in _CODE)]:
        st = path.stat()
        stats.append((str(path), st.st_size, st.st_mtime_ns))
    return (trainer.__version__, tuple(seeds), str(top.resolve()), tuple(stats))


def load_cached(top: Path, cache_file: Path, seeds: Sequence[int]) -> Library:
    """The library under ``top``, from ``cache_file`` when nothing changed since it was written."""
    try:
        key = _fingerprint(top, seeds)
    except OSError:
        return load_library(top, seeds)
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError, AttributeError, ImportError,
                             pickle.UnpicklingError):
        with cache_file.open("rb") as f:
            stored_key, library = pickle.load(f)
        if stored_key == key and isinstance(library, Library):
            return library
    library = load_library(top, seeds)
    with contextlib.suppress(OSError, pickle.PicklingError):
        partial = cache_file.with_name(f"{cache_file.name}.{os.getpid()}")
        with partial.open("wb") as f:
            pickle.dump((key, library), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, cache_file)  # whole or not at all: a reader never sees half a cache
    return library
