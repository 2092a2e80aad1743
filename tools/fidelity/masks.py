"""What the reference cluster cannot print, taken out of both outputs of the steps that ask for it.

The reference cluster's kubelets are hollow (see its README): they record no container events (Pulled,
Created, Started ...), report no node addresses and run a fake container runtime. A step that shows
those (``kubectl describe pod``) names the masks it needs in the corpus; everything else it prints is
still compared. These are not
run-to-run noise, so ``normalise`` never applies them by itself.

>>> kubelet_events("  Normal  Scheduled  AGE  default-scheduler  ok\\n  Normal  Pulled  AGE  kubelet  Pulled")
'  Normal  Scheduled  AGE  default-scheduler  ok'
>>> node_address("Node:  NODE/IP")
'Node:  NODE/'
>>> container_runtime('    Container ID:  containerd://0f3a')
'    Container ID: RUNTIME'
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Event reasons only a kubelet records (pkg/kubelet/events).
KUBELET_REASONS = ("Pulling", "Pulled", "Created", "Started", "Killing", "BackOff", "Failed", "ErrImagePull",
                   "ImagePullBackOff", "SandboxChanged", "FailedSync", "Unhealthy", "ProbeWarning",
                   "FailedMount", "ExceededGracePeriod", "Preempting")
_EVENT_ROW = re.compile(r"^\s*(Normal|Warning)\s+(\S+)\s+.*\s(kubelet)(\s|,|$).*$\n?", re.M)
_REASON_ROW = re.compile(rf"^\s*({'|'.join(KUBELET_REASONS)})\s*$\n?", re.M)
_NODE_LINE = re.compile(r"^(Node:\s+NODE)/\S*", re.M)
_RUNTIME = re.compile(r"^(\s*(Container ID|Image ID):).*$|^(\s*(?:- )?\"?(containerID|imageID)\"?:).*?(,?)$", re.M)


def kubelet_events(text: str) -> str:
    """Rows of event tables recorded by a kubelet (describe's ``From`` column, or a bare reason column)."""
    return _REASON_ROW.sub("", _EVENT_ROW.sub("", text)).rstrip("\n")


def node_address(text: str) -> str:
    """describe pod's ``Node: name/address``: the address part."""
    return _NODE_LINE.sub(r"\1/", text)


def container_runtime(text: str) -> str:
    """Container and image IDs, which name the node's container runtime (a fake one on the reference)."""
    return _RUNTIME.sub(lambda m: (m.group(1) or m.group(3)) + " RUNTIME" + (m.group(5) or ""), text)


MASKS: dict[str, Callable[[str], str]] = {"kubelet-events": kubelet_events, "node-address": node_address,
                                             "container-runtime": container_runtime}
