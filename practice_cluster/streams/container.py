"""The sandbox that stands for a container: its environment, volumes, names and tools, and the process in it.

The practice cluster runs no images. ``kubectl exec`` and ``attach`` get a process under bubblewrap
that shows what the container would: the pod's name as hostname, the environment the kubelet gives
(``env``, ``envFrom``, ConfigMap and Secret keys, the Service variables of its namespace), its ConfigMap,
Secret, projected and downward-API volumes as files at their mount paths (read-only, in the kubelet's
``..data`` layout), emptyDir volumes writable, ``/etc/hosts`` and ``/etc/resolv.conf`` as in a pod, and
``nslookup``, ``curl`` and ``wget`` that answer from the cluster (netsim.py). The programs are the
machine's own (a shell, ``cat``, ``env``, ``ls`` ...), read-only; it runs as root of its own user
namespace, with no network, a process limit and the sandbox's rlimits.

    box = ContainerBox.create(cluster, pod, container)
    proc = box.spawn(["sh"], tty=True)          # a ptyprocess.PtyProcess, or a subprocess.Popen
    ...
    box.close()
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ptyprocess

from practice_cluster.controllers.containers import SHELL_IMAGES, image_name
from practice_cluster.controllers.environment import container_env, volume_files
from practice_cluster.streams.netview import network_view
from sandbox.bwrap import SYSTEM_DIRS, bwrap_argv
from sandbox.errors import SandboxError
from sandbox.isolation import Isolation, SandboxRoot, SandboxUser
from sandbox.limits import Limits
from sandbox.safefs import Regular, read_regular

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts
    from practice_cluster.storage.store import Obj

NOT_RUN = "the practice cluster does not run real containers"
#: Where the container's tools (nslookup, curl, wget) and network data are, inside.
TOOLS = "/.trainer"
#: Where nslookup, curl and wget are found: /usr/local/bin, a directory of the container's own over the
#: machine's (an image's PATH stays the usual one, and `env` shows nothing of the trainer).
TOOL_BIN = "/usr/local/bin"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NETSIM = Path(__file__).with_name("netsim.py")
FOREGROUND = Path(__file__).with_name("foreground.py")
#: A container session's limits: a shell's worth of processes, no more.
LIMITS = Limits(processes=64, cpu_seconds=600, wall_seconds=3600.0)
#: Where netsim logs the calls made in the container (writable inside), and how much of it is read.
CALLS_DIR = "/.trainer-calls"
MAX_CALLS, MAX_CALLS_BYTES = 200, 256 * 1024
#: The atomic writer's timestamped directory of a ConfigMap or Secret volume.
DATA_DIR = "..2026_01_01_00_00_00.000000000"


def _python() -> str | None:
    for candidate in ("/usr/bin/python3", "/bin/python3"):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def default_command(image: str) -> list[str] | None:
    """What an image runs without a command, where that is a shell (busybox's sh, netshoot's bash)."""
    name = image_name(image)
    if name == "netshoot":
        return ["bash"]
    if name in SHELL_IMAGES:
        return ["sh"]
    return None


def service_env(cluster: Parts, namespace: str) -> dict[str, str]:
    """The ``WEB_SERVICE_HOST``-style variables of the Services in ``namespace`` (enableServiceLinks)."""
    env: dict[str, str] = {}
    for svc in cluster.store.list("services", namespace)[0]:
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP")
        if not ip or ip == "None" or spec.get("type") == "ExternalName":
            continue
        prefix = str(svc["metadata"]["name"]).upper().replace("-", "_")
        ports = spec.get("ports") or []
        if not ports:
            continue
        first = ports[0]
        env[f"{prefix}_SERVICE_HOST"] = ip
        env[f"{prefix}_SERVICE_PORT"] = str(first.get("port"))
        env[f"{prefix}_PORT"] = f"{str(first.get('protocol', 'TCP')).lower()}://{ip}:{first.get('port')}"
        for port in ports:
            proto = str(port.get("protocol", "TCP"))
            if port.get("name"):
                env[f"{prefix}_SERVICE_PORT_{str(port['name']).upper().replace('-', '_')}"] = str(port.get("port"))
            base = f"{prefix}_PORT_{port.get('port')}_{proto}"
            env[base] = f"{proto.lower()}://{ip}:{port.get('port')}"
            env[f"{base}_PROTO"] = proto.lower()
            env[f"{base}_PORT"] = str(port.get("port"))
            env[f"{base}_ADDR"] = ip
    return env


def _write_volume(target: Path, files: dict[str, str], mode: int) -> None:
    """The kubelet's layout: ``..data`` -> a timestamped directory, each key a link through ``..data``."""
    data = target / DATA_DIR
    data.mkdir(parents=True)
    for rel, text in files.items():
        rel = rel.strip("/")
        if not rel or ".." in rel.split("/"):
            continue
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(mode & 0o777)
        top = rel.split("/", 1)[0]
        link = target / top
        if not link.exists() and not link.is_symlink():
            link.symlink_to(f"..data/{top}")
    (target / "..data").symlink_to(DATA_DIR)


def _mountable(inside: str) -> bool:
    """Whether bubblewrap can mount at ``inside``: a new directory of the container's own tree, a direct
    entry of /etc (bound one by one), or a directory the machine's read-only system tree already has."""
    if inside.startswith("/etc/"):
        return inside.count("/") == 2
    top = "/" + inside.strip("/").split("/", 1)[0]
    if top in SYSTEM_DIRS or top in ("/proc", "/dev"):
        return top not in ("/proc", "/dev") and os.path.isdir(inside) and not os.path.islink(top)
    return True


@dataclass
class ContainerBox:
    """One container's sandbox: the directory tree and the bwrap command line around a program."""

    root: SandboxRoot
    env: dict[str, str]
    binds: list[tuple[str, str]]  # read-only (host, inside)
    writable: list[tuple[Path, str]]
    workdir: str
    pod: str
    container: str

    @classmethod
    def create(cls, cluster: Parts, pod: Obj, container: dict[str, Any]) -> ContainerBox:
        if shutil.which("bwrap") is None:
            raise SandboxError(f"{NOT_RUN}, and a shell that stands for one needs bubblewrap (bwrap), "
                               "which this machine lacks")
        name = str(pod["metadata"]["name"])
        namespace = str(pod["metadata"].get("namespace", "default"))
        spec = pod.get("spec") or {}
        root = SandboxRoot.create(SandboxUser(name="root", group="root", uid=0, gid=0,
                                              hostname=str(spec.get("hostname") or name)[:63], shell="/bin/sh"))
        if root.isolation is not Isolation.BWRAP:
            root.close()
            raise SandboxError(f"{NOT_RUN}, and a shell that stands for one needs bubblewrap, which does not work "
                               "here")
        try:
            return cls._fill(cluster, pod, container, root, name, namespace)
        except BaseException:
            root.close()
            raise

    @classmethod
    def _fill(cls, cluster: Parts, pod: Obj, container: dict[str, Any], root: SandboxRoot, name: str,
              namespace: str) -> ContainerBox:
        spec = pod.get("spec") or {}
        ip = str(pod.get("status", {}).get("podIP", ""))
        host = str(spec.get("hostname") or name)
        fqdn = f"{host}.{spec['subdomain']}.{namespace}.svc.cluster.local" if spec.get("subdomain") else ""
        root.write_etc("passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:"
                                 "/usr/sbin/nologin\n")
        root.write_etc("group", "root:x:0:\nnogroup:x:65534:\n")
        root.write_etc("hostname", f"{host}\n")
        root.write_etc("hosts", "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost "
                                "ip6-localhost ip6-loopback\n"
                                f"{ip}\t{fqdn + chr(9) if fqdn else ''}{host}\n")
        view = network_view(cluster, pod, str(container.get("image", "")))
        root.write_etc("resolv.conf", f"search {' '.join(view['search'])}\nnameserver {view['nameserver']}\n"
                                      "options ndots:5\n")
        for fake in ("profile", "environment"):
            (root.etc / fake).unlink(missing_ok=True)
        (root.tools / "network.json").write_text(json.dumps(view), encoding="utf-8")
        shutil.copyfile(NETSIM, root.tools / "netsim.py")
        shutil.copyfile(FOREGROUND, root.tools / "foreground.py")
        python = _python()
        for tool in ("nslookup", "curl", "wget"):
            wrapper = root.tools / "bin" / tool
            if python:
                wrapper.write_text(f"#!/bin/sh\nNETSIM_VIEW={TOOLS}/network.json NETSIM_CALLS={CALLS_DIR}/calls.jsonl "
                                   f'exec {python} -I {TOOLS}/netsim.py {tool} "$@"\n', encoding="utf-8")
            else:
                wrapper.write_text(f"#!/bin/sh\necho '{tool}: {NOT_RUN}, and {tool} needs python3, which this "
                                   "machine lacks' >&2\nexit 127\n", encoding="utf-8")
            wrapper.chmod(0o555)
        binds: list[tuple[str, str]] = [(str(root.tools), TOOLS)]
        on_path = os.path.isdir(TOOL_BIN)  # a bind needs the directory: a machine without one gets it on PATH
        if on_path:
            binds.append((str(root.tools / "bin"), TOOL_BIN))
        (root.state / "calls").mkdir()
        writable: list[tuple[Path, str]] = [(root.home, "/root"), (root.path / "tmp", "/tmp"),
                                            (root.state / "calls", CALLS_DIR)]
        volumes = {v.get("name"): v for v in spec.get("volumes") or []}
        for index, mount in enumerate(container.get("volumeMounts") or []):
            volume = volumes.get(mount.get("name"))
            inside = "/" + str(mount.get("mountPath", "")).strip("/")
            if volume is None or inside == "/" or ".." in inside.split("/"):
                continue
            files = volume_files(cluster, pod, volume)
            if not _mountable(inside):
                continue
            if files is None:  # emptyDir and the rest: an empty directory the container writes
                target = root.path / "volumes" / f"{index}"
                target.mkdir(parents=True)
                writable.append((target, inside))
                continue
            staged = root.path / "volumes" / f"{index}"
            staged.mkdir(parents=True)
            source = volume.get("configMap") or volume.get("secret") or volume.get("projected") or {}
            mode = int(source.get("defaultMode", 0o644)) if isinstance(source, dict) else 0o644
            if mount.get("subPath"):
                text = files.get(str(mount["subPath"]))
                if text is None:
                    continue
                file = staged / "file"
                file.write_text(text, encoding="utf-8")
                file.chmod(mode & 0o777)
                binds.append((str(file), inside))
                continue
            _write_volume(staged, files, mode)
            if inside.startswith("/etc/"):
                os.rename(staged, root.etc / inside.split("/")[2])  # /etc is bound entry by entry
            else:
                binds.append((str(staged), inside))
        env, _ = container_env(cluster, pod, container)
        if spec.get("enableServiceLinks", True) is not False:
            env = {**service_env(cluster, namespace), **env}
        env.update({"PATH": PATH if on_path else f"{TOOLS}/bin:{PATH}", "HOME": "/root", "HOSTNAME": host})
        root.hand_over()
        volumes_dir = root.path / "volumes"
        for dirpath, dirnames, filenames in os.walk(volumes_dir):  # root's in the container, as the kubelet's
            for entry in [*dirnames, *filenames]:
                root.give(Path(dirpath, entry))
        if volumes_dir.exists():
            root.give(volumes_dir)
        return cls(root, env, binds, writable, str(container.get("workingDir") or "/"), name,
                   str(container.get("name")))

    def argv(self, command: list[str]) -> list[str]:
        exe = shutil.which("bwrap") or "bwrap"
        return bwrap_argv(exe, user=self.root.user, network=False, etc_files=sorted(self.root.etc.iterdir()),
                          writable=self.writable, readonly=self.binds, cwd=self.workdir, argv=command)

    def spawn(self, command: list[str], *, tty: bool, stdin: bool, rows: int = 24,
              columns: int = 80) -> ptyprocess.PtyProcess | subprocess.Popen[bytes]:
        """Start ``command`` in the container: on a terminal of its own, or with pipes."""
        env = {**self.env, **({"TERM": "xterm"} if tty else {})}
        python = _python()
        # On a terminal the program goes to the foreground first (foreground.py says why).
        argv = self.argv([python, "-I", f"{TOOLS}/foreground.py", *command] if tty and python else command)
        if tty:
            proc = ptyprocess.PtyProcess.spawn(argv, env=env, cwd=self.root.host_cwd(),
                                               preexec_fn=self.root.preexec(LIMITS), dimensions=(rows, columns))
            self.root.track(proc.pid)
            return proc
        popen = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=self.root.host_cwd(),
                                 preexec_fn=self.root.preexec(LIMITS), start_new_session=True)
        self.root.track(popen.pid)
        return popen

    def calls(self) -> list[dict[str, Any]]:
        """The nslookup, curl and wget calls made in the container (netsim's log), oldest first.

        The file is the container's to write: it is read without following a link, capped, and a line
        that is not a call record is skipped."""
        got = read_regular(self.root.state / "calls" / "calls.jsonl", MAX_CALLS_BYTES)
        if not isinstance(got, Regular):
            return []
        calls: list[dict[str, Any]] = []
        for line in got.data.decode("utf-8", "replace").splitlines()[:MAX_CALLS]:
            try:
                call = json.loads(line)
            except ValueError:
                continue
            if isinstance(call, dict) and isinstance(call.get("argv"), list) and isinstance(call.get("code"), int):
                calls.append({"argv": [str(a) for a in call["argv"]][:64], "code": call["code"],
                              "resolved": str(call.get("resolved", ""))[:255],
                              "target": str(call.get("target", ""))[:255]})
        return calls

    def close(self) -> None:
        self.root.close()
