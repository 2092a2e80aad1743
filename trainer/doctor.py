"""``trainer doctor``: which real programs and which isolation this machine gives the drills.

    for line in report(Engines.detect()):
        print(line)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

from sandbox.editors import EDITORS
from sandbox.errors import SandboxError
from sandbox.idle import IdleProbe
from sandbox.isolation import bwrap_usable
from sandbox.kubectl import find_kubectl
from sandbox.limits import Limits
from sandbox.shell import SHELLS
from trainer.runner import Engines

#: Other programs the drills use, with what they are for.
TOOLS = {"cal": "cal drills (ncal)", "banner": "banner drills (sysvbanner)", "man": "man drills"}


def _version(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=5, check=False, text=True, errors="replace")
    except (OSError, subprocess.SubprocessError):
        return ""
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0][:70] if text else ""


def _engine_line(role: str, names: dict[str, tuple[str, ...]], chosen: tuple[str, str] | None) -> list[str]:
    lines = []
    for engine, exes in names.items():
        path = next((p for p in map(shutil.which, exes) if p), None)
        mark = "*" if chosen and chosen[0] == engine else " "
        if path is None:
            lines.append(f" {mark} {role:7} {engine:6} missing")
            continue
        version = {"ksh93": [path, "-c", "echo ${.sh.version}"], "bash": [path, "--version"],
                   "vim": [path, "--version"]}.get(engine)
        lines.append(f" {mark} {role:7} {engine:6} {path}  {_version(version) if version else ''}".rstrip())
    return lines


def report(engines: Engines) -> list[str]:
    """Lines describing engines (``*`` marks the one in use), isolation and idle detection."""
    lines = ["engines (* in use):"]
    lines += _engine_line("shell", SHELLS, engines.shell)
    lines += _engine_line("editor", EDITORS, engines.editor)
    lines.append("tools:")
    for tool, purpose in TOOLS.items():
        path = shutil.which(tool)
        lines.append(f"   {tool:14} {path or 'missing'}  ({purpose})")
    try:
        kubectl = find_kubectl(engines.kube.kubectl)
        lines.append(f"   {'kubectl':14} {kubectl}  ({_version([kubectl, 'version', '--client'])})")
    except SandboxError as exc:
        lines.append(f"   {'kubectl':14} missing  ({exc})")
    where = (f"your cluster in {engines.kube.kubeconfig} (a fresh namespace per drill, writes kept inside it)"
             if engines.kube.kubeconfig else "the practice cluster (in the trainer, one per drill)")
    lines.append(f"   {'kubectl drills':14} {where}")
    usable = bwrap_usable()
    root = os.geteuid() == 0
    lines.append("isolation:")
    lines.append("   bubblewrap     " + ("usable: no network, read-only system, own pid space, fake /etc"
                                         if usable else "not usable: plain temporary directories and rlimits only"))
    if usable:
        lines.append("   kubectl net    " + ("a network of its own; only the drill's cluster is reachable (socat)"
                                             if shutil.which("socat") else "the host's network (install socat to "
                                             "give kubectl drills one of their own)"))
    lines.append("   processes      " + ("a uid of the attempt's own (61000 and up): everything it starts is found"
                                         if root else "the attempt's tree" + (", its pid space" if usable else
                                                                                 ", held by a subreaper")))
    lines.append("   disk           " + (f"a tmpfs of {Limits().disk_bytes >> 20} MiB per attempt" if root else
                                         f"{Limits().disk_bytes >> 20} MiB per attempt, measured every second"))
    probe = IdleProbe()
    lines.append("   idle detection " + ("/proc syscall state" if probe.supported
                                         else "quiet-window fallback (/proc syscall state unreadable)"))
    return lines
