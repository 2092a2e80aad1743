"""The pack cache serves an unchanged library and never a stale or broken one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import PACKS
from trainer import loader, pack_cache
from trainer.pack_cache import load_cached


def copy_starter(tmp_path: Path) -> Path:
    top = tmp_path / "packs"
    shutil.copytree(PACKS / "starter", top / "starter")
    return top


def test_an_unchanged_library_comes_from_the_cache(tmp_path: Path, monkeypatch: object) -> None:
    top = copy_starter(tmp_path)
    cache = tmp_path / "packs.cache"
    first = load_cached(top, cache, seeds=(0,))
    assert cache.exists() and first.errors == []
    calls = []
    real = loader.load_library

    def counting(*args: object, **kwargs: object) -> loader.Library:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_cache, "load_library", counting)  # type: ignore[attr-defined]
    second = load_cached(top, cache, seeds=(0,))
    assert calls == [] and [t.id for t in second.templates] == [t.id for t in first.templates]
    load_cached(top, cache, seeds=(0, 1))  # other seeds: loaded afresh
    assert len(calls) == 1


def test_a_changed_file_is_loaded_afresh(tmp_path: Path) -> None:
    top = copy_starter(tmp_path)
    cache = tmp_path / "packs.cache"
    load_cached(top, cache, seeds=(0,))
    topic = top / "starter" / "chmod.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Let the owner run a script", "Owner may run it"),
                     encoding="utf-8")
    stat = topic.stat()
    os.utime(topic, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    library = load_cached(top, cache, seeds=(0,))
    assert loader.instantiate(library.template("chmod-owner-exec"), 0).title.en == "Owner may run it"


def test_a_broken_or_unwritable_cache_is_not_used(tmp_path: Path) -> None:
    top = copy_starter(tmp_path)
    cache = tmp_path / "packs.cache"
    cache.write_bytes(b"not a pickle")
    assert len(load_cached(top, cache, seeds=(0,)).templates) == 8
    assert len(load_cached(top, tmp_path / "no" / "such" / "dir" / "packs.cache", seeds=(0,)).templates) == 8
