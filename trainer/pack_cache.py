"""A cache of the loaded packs, so that the REPL starts without parsing and validating every file.

The cache is keyed by every pack and topic file's path, size and modification time, by every module
of the installed ``trainer`` and ``sandbox`` packages (any of them may change what loading or grading
produces: the check table, key notation, the model), and by the seeds rendered; any change loads
afresh. A cache that cannot be read or written is simply not used.

    library = load_cached(Path("exercises"), data_dir / "packs.cache", seeds=(0,))
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import sandbox
import trainer
from trainer.loader import Library, load_library

#: The code whose every file keys the cache: the two packages as installed.
CODE_ROOTS = (Path(trainer.__file__).parent, Path(sandbox.__file__).parent)


def code_files(roots: Sequence[Path] = CODE_ROOTS) -> list[Path]:
    """Every source and data file of the packages under ``roots`` (caches of Python's own aside)."""
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _fingerprint(top: Path, seeds: Sequence[int], roots: Sequence[Path]) -> tuple[object, ...]:
    files = sorted([*top.rglob("*.yaml"), *top.glob("*.tsv")]) if top.is_dir() else [top]
    stats = []
    for path in [*files, *code_files(roots)]:
        st = path.stat()
        stats.append((str(path), st.st_size, st.st_mtime_ns))
    return (trainer.__version__, tuple(seeds), str(top.resolve()), tuple(stats))


def load_cached(top: Path, cache_file: Path, seeds: Sequence[int], roots: Sequence[Path] = CODE_ROOTS) -> Library:
    """The library under ``top``, from ``cache_file`` when nothing changed since it was written."""
    try:
        key = _fingerprint(top, seeds, roots)
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
