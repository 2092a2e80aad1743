"""The C library, for the few calls the standard library lacks (prctl, mount, umount2)."""

from __future__ import annotations

import ctypes
import functools


@functools.cache
def libc() -> ctypes.CDLL | None:
    """The process's C library with errno kept, or None where there is none to call."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to call
        return None
