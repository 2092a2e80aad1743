"""Shared fixtures: which real programs this machine has, and observations built by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "exercises"


def have(*names: str) -> bool:
    return all(shutil.which(n) for n in names)


needs_ksh = pytest.mark.skipif(not have("ksh93"), reason="ksh93 is not installed")
needs_bash = pytest.mark.skipif(not have("bash"), reason="bash is not installed")
needs_nvi = pytest.mark.skipif(not have("nvi"), reason="nvi is not installed")
needs_vim = pytest.mark.skipif(not (have("vim.basic") or have("vim")), reason="vim is not installed")
