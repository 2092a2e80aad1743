"""The pack cache serves an unchanged library and never a stale or broken one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import PACKS
from trainer import loader, pack_cache
from trainer.pack_cache import load_cached


def copy_starter(tmp_path: Path) -> Path:
    top = tmp_path / "packs"
    shutil.copytree(PACKS / "starter", top / "starter")
    return top


def test_an_unchanged_library_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = copy_starter(tmp_path)
    cache = tmp_path / "packs.cache"
    first = load_cached(top, cache, seeds=(0,))
    assert cache.exists() and first.errors == []
    calls = []
    real = loader.load_library

    def counting(*args: object, **kwargs: object) -> loader.Library:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_cache, "load_library", counting)
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
    starter = len(loader.load_library(top).templates)  # loaded without any cache
    assert starter >= 8
    assert len(load_cached(top, cache, seeds=(0,)).templates) == starter
    assert len(load_cached(top, tmp_path / "no" / "such" / "dir" / "packs.cache", seeds=(0,)).templates) == starter


def test_the_key_covers_every_module_that_grades() -> None:
    files = {str(p.relative_to(p.parents[1])) for p in pack_cache.code_files()}
    assert {"trainer/kube_checks.py", "trainer/check_base.py", "trainer/checks.py", "sandbox/keys.py",
            "trainer/loader.py", "trainer/model.py"} <= files


def test_an_edited_grading_module_rebuilds_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is keyed on the code as it is on disk: a copy of the packages stands in for an install."""
    top = copy_starter(tmp_path)
    cache = tmp_path / "packs.cache"
    roots = [shutil.copytree(root, tmp_path / "code" / root.name) for root in pack_cache.CODE_ROOTS]
    calls = []
    real = loader.load_library

    def counting(*args: object, **kwargs: object) -> loader.Library:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_cache, "load_library", counting)
    load_cached(top, cache, seeds=(0,), roots=roots)
    load_cached(top, cache, seeds=(0,), roots=roots)
    assert len(calls) == 1  # the second start came from the cache
    grading = tmp_path / "code" / "trainer" / "kube_checks.py"
    grading.write_text(grading.read_text(encoding="utf-8") + "\n# a change to grading\n", encoding="utf-8")
    load_cached(top, cache, seeds=(0,), roots=roots)
    assert len(calls) == 2, "an edited grading module must rebuild the cache"
