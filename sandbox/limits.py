"""Resource limits of one attempt, and setting them in the child between fork and exec.

    limits = Limits(processes=32)
    set_limits(limits, already=process_count(uid))     # in the child, before exec
"""

from __future__ import annotations

import resource
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for one attempt; the defaults suit a shell or an editor drill."""

    cpu_seconds: int = 120
    file_bytes: int = 64 * 1024 * 1024
    processes: int = 96
    open_files: int = 256
    address_space: int | None = 2 * 1024 * 1024 * 1024
    wall_seconds: float = 3600.0
    output_bytes: int = 8 * 1024 * 1024
    disk_bytes: int = 256 * 1024 * 1024  # everything an attempt writes, all files together


def set_limits(limits: Limits, already: int) -> None:
    pairs = [
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.processes + already),
    ]
    if limits.address_space is not None:
        pairs.append((resource.RLIMIT_AS, limits.address_space))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))
