"""``pods/NAME/exec``, ``attach`` and ``portforward``: the requests that become a stream into a container.

A request is checked as the API server and the kubelet check it (the pod, the container, that it
runs, the command), then upgraded to the channel protocol (channels.py) and connected to a process in
the container's sandbox (container.py): ``exec`` runs the command given, ``attach`` the container's
own command where the container waits for one (``stdin: true``, as ``kubectl run -it`` makes it) and
shows its log otherwise. The command's end goes back as the ``Status`` kubectl turns into its exit
code ("command terminated with exit code 3"). Port forwarding is not simulated, and says so.

    response = handle(cluster, request, sock, rfile)   # None: the connection was upgraded and served
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import selectors
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ptyprocess

from practice_cluster.errors import ApiError
from practice_cluster.streams.channels import CLOSE, RESIZE, STDERR, STDIN, STDOUT, ChannelSocket, is_upgrade
from practice_cluster.streams.container import NOT_RUN, PATH, TOOL_BIN, TOOLS, ContainerBox, default_command
from practice_cluster.wire import Response
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import socket

    from practice_cluster.storage.parts import Parts
    from practice_cluster.storage.store import Obj
    from practice_cluster.wire import Request

STREAMS = ("exec", "attach", "portforward")
#: How often the calls made in a container are read into the request log while it runs.
CALLS_EVERY_S = 0.5
#: A terminal connection with no traffic for this long waits for its learner.
QUIET_S = 0.5
#: How long a process may go on after its client left (stdin closed) before it is killed.
GRACE_S = 2.0


def stream_target(path: str) -> tuple[str, str, str] | None:
    """(namespace, pod, subresource) of a streaming request's path, else None."""
    parts = path.strip("/").split("/")
    if len(parts) == 7 and parts[:2] == ["api", "v1"] and parts[2] == "namespaces" and parts[4] == "pods" \
            and parts[6] in STREAMS:
        return parts[3], parts[5], parts[6]
    return None


def _status(code: int, message: str, reason: str) -> Response:
    return Response.json(ApiError(code, message, reason=reason).status(), code)


def _container(pod: Obj, name: str | None) -> dict[str, Any]:
    containers = pod.get("spec", {}).get("containers") or []
    if not name:
        if not containers:
            raise ApiError(400, "a container name must be specified", reason="BadRequest")
        return dict(containers[0])
    for container in containers:
        if container.get("name") == name:
            return dict(container)
    names = " ".join(str(c.get("name")) for c in containers)
    raise ApiError(400, f"container {name} is not valid for pod {pod['metadata']['name']}", reason="BadRequest") \
        if names else ApiError(400, "a container name must be specified", reason="BadRequest")


def _running(pod: Obj, name: str) -> dict[str, Any]:
    for status in pod.get("status", {}).get("containerStatuses") or []:
        if status.get("name") == name and "running" in (status.get("state") or {}):
            return dict(status)
    raise ApiError(400, f'container not found ("{name}")', reason="BadRequest")


def _found(command: list[str], env: dict[str, str]) -> bool:
    """Whether the container would find ``command[0]`` (the machine's programs, the container's tools)."""
    first = command[0]
    if "/" in first:
        return first.startswith(TOOLS) or os.path.isfile(first)
    for directory in env.get("PATH", PATH).split(":"):
        if directory in (TOOL_BIN, f"{TOOLS}/bin"):
            if first in ("nslookup", "curl", "wget"):
                return True
            continue
        if os.access(os.path.join(directory, first), os.X_OK):
            return True
    return False


def handle(cluster: Parts, req: Request, sock: socket.socket, rfile: io.BufferedIOBase,
           accepted: Callable[[], None] = lambda: None) -> Response | None:
    """Serve a streaming request; the error response to send, or None once the stream was served
    (``accepted`` is called when the connection is upgraded, before the command runs)."""
    target = stream_target(req.path)
    if target is None:
        return _status(404, "the server could not find the requested resource", "NotFound")
    namespace, name, sub = target
    if req.method not in ("GET", "POST"):
        return _status(405, f"the server does not allow this method on the requested resource ({req.method})",
                       "MethodNotAllowed")
    try:
        pod = cluster.store.get("pods", namespace, name)
        if sub == "portforward":
            raise ApiError(400, f"{NOT_RUN}: nothing listens on a port to forward to. From inside the cluster, "
                                f"try kubectl exec {name} -- wget -qO- SERVICE:PORT (or curl)", reason="BadRequest")
        container = _container(pod, req.query.get("container"))
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            raise ApiError(400, f"cannot {sub} into a container in a completed pod; current phase is "
                                f"{pod['status']['phase']}", reason="BadRequest")
        status = _running(pod, str(container["name"]))
        command = req.query_all("command") if sub == "exec" else []
        if sub == "exec" and not command:
            raise ApiError(400, "you must specify at least 1 command", reason="BadRequest")
        if not is_upgrade(req.headers):
            upgrade = req.headers.get("upgrade", "")
            if upgrade:
                raise ApiError(400, f"the practice cluster streams {sub} over WebSocket only, not {upgrade} "
                                    "(kubectl 1.30 and later use it)", reason="BadRequest")
            raise ApiError(400, "Upgrade request required", reason="BadRequest")
    except ApiError as exc:
        return Response.json(exc.status(), exc.code)
    ws = ChannelSocket.accept(sock, rfile, req.headers)
    if ws is None:
        return _status(400, "the practice cluster speaks the channel protocols v5.channel.k8s.io and "
                            "v4.channel.k8s.io; the client offered neither", "BadRequest")
    accepted()
    flag = {k: req.query.get(k) in ("true", "1") for k in ("stdin", "stdout", "stderr", "tty")}
    token = cluster.attached.opened(flag["tty"])
    try:
        Stream(cluster, ws, pod, container, status, flag, token).run(sub, command)
    except Exception as exc:  # an upgraded connection gets its Status on the error channel, never HTTP
        ws.finish(ApiError(500, f"Internal error occurred: {type(exc).__name__}: {exc}", reason="InternalError")
                  .status())
    finally:
        cluster.attached.closed(token)
    return None


def busy(cluster: Parts) -> bool:
    """Whether a client is in an exec or attach, or a pod waits for the attach of the ``kubectl run -it``
    that made it (its stdin container has not run yet): a replay of keys waits for those to end."""
    if cluster.attached.streams_busy(QUIET_S):
        return True
    for pod in cluster.store.list("pods")[0]:
        meta = pod.get("metadata") or {}
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed") or meta.get("deletionTimestamp"):
            continue
        for container in (pod.get("spec") or {}).get("containers") or []:
            if not container.get("stdin"):
                continue
            statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or []}
            restarts = int(statuses.get(container.get("name"), {}).get("restartCount", 0))
            key = (str(meta.get("namespace")), str(meta.get("uid")), str(container.get("name")), restarts)
            if cluster.attached.exit_of(key) is None and not cluster.attached.running(key):
                return True
    return False


def ended(cluster: Parts) -> int:
    """How many exec and attach connections have ended: one that ends with the keys just sent leaves its
    kubectl still giving the terminal back, and a key typed meanwhile would go to it, not to the shell."""
    return cluster.attached.ended


class Stream:
    """One exec or attach connection: the box, the process, and the pumps between them and the client."""

    def __init__(self, cluster: Parts, ws: ChannelSocket, pod: Obj, container: dict[str, Any],
                 status: dict[str, Any], flags: dict[str, bool], token: int = 0) -> None:
        self.cluster = cluster
        self.ws = ws
        self.pod = pod
        self.container = container
        self.flags = flags
        self.token = token
        self.key = (str(pod["metadata"].get("namespace")), str(pod["metadata"].get("uid")),
                    str(container["name"]), int(status.get("restartCount", 0)))
        self.rows, self.columns = 24, 80
        self._log = bytearray()
        self.main = False  # the container's own process (attach): its output is the container's log
        self.box: ContainerBox | None = None
        self._calls_kept = 0
        self._calls_read = 0.0

    # -- the two requests ------------------------------------------------------------------------

    def run(self, sub: str, command: list[str]) -> None:
        if sub == "attach":
            self._attach()
            return
        self._exec(command)

    def _exec(self, command: list[str]) -> None:
        try:
            box = ContainerBox.create(self.cluster, self.pod, self.container)
        except (SandboxError, OSError) as exc:
            self.ws.finish(ApiError(500, str(exc), reason="InternalError").status())
            return
        try:
            if not _found(command, box.env):
                self.ws.finish(ApiError(500, "Internal error occurred: error executing command in container: failed "
                                        "to exec in container: OCI runtime exec failed: exec failed: unable to "
                                        f'start container process: exec: "{command[0]}": executable file not found '
                                        "in $PATH: unknown", reason="InternalError").status())
                return
            code = self._serve(box, command)
            self._keep_calls(box)
            self.ws.finish(_exit_status(command, code))
        finally:
            box.close()

    def _attach(self) -> None:
        ns, pod_name = self.key[0], str(self.pod["metadata"]["name"])
        if not self.container.get("stdin"):
            lines = self.cluster.logs.lines(ns, pod_name, self.key[2], self.key[3])
            self.ws.send(STDERR if not self.flags["tty"] else STDOUT,
                         f"{NOT_RUN}: attach shows this container's log\n".encode())
            if lines:
                self.ws.send(STDOUT, ("\n".join(lines) + "\n").encode())
            self.ws.finish({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"})
            return
        command = [str(w) for w in (self.container.get("command") or []) + (self.container.get("args") or [])] \
            or default_command(str(self.container.get("image", "")))
        if not command:
            self.ws.finish(ApiError(400, f"{NOT_RUN}: {self.container.get('image')} has no command the practice "
                                         "cluster can run here", reason="BadRequest").status())
            return
        if not self.cluster.attached.claim(self.key):
            self.ws.finish(ApiError(400, f"{NOT_RUN}: another client is attached to this container, or its "
                                         "process has ended", reason="BadRequest").status())
            return
        code = 1
        self.main = True
        try:
            box = ContainerBox.create(self.cluster, self.pod, self.container)
            try:
                if _found(command, box.env):
                    code = self._serve(box, command, tty=bool(self.container.get("tty")) and self.flags["tty"])
                else:
                    code = 127
                    self._write_log(f"exec {command[0]}: executable file not found in $PATH\n".encode())
                self._keep_calls(box)
            finally:
                box.close()
        except (SandboxError, OSError) as exc:
            self.ws.send(STDERR, f"{exc}\n".encode())
        finally:
            self.cluster.attached.finish(self.key, code, self.cluster.clock.now())
            self._flush_log()
        self.ws.finish({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"})

    def _keep_calls(self, box: ContainerBox) -> None:
        """What ran in the container goes to the cluster's request log, where drills judge it (while the
        shell is open too: a learner's check runs before they leave it)."""
        calls = box.calls()
        for call in calls[self._calls_kept:]:
            self.cluster.requests.record_call(self.key[0], str(self.pod["metadata"]["name"]), self.key[2], call)
        self._calls_kept = max(self._calls_kept, len(calls))
        self._calls_read = time.monotonic()

    def _keep_calls_now_and_then(self) -> None:
        if self.box is not None and time.monotonic() - self._calls_read > CALLS_EVERY_S:
            self._keep_calls(self.box)

    # -- pumping ---------------------------------------------------------------------------------

    def _serve(self, box: ContainerBox, command: list[str], tty: bool | None = None) -> int:
        """Run ``command`` in ``box`` connected to the client; its exit code."""
        tty = self.flags["tty"] if tty is None else tty
        self.box = box
        proc = box.spawn(command, tty=tty, stdin=self.flags["stdin"], rows=self.rows, columns=self.columns)
        reader = threading.Thread(target=self._from_client, args=(proc, tty), name="practice-stream-in",
                                  daemon=True)
        reader.start()
        if isinstance(proc, ptyprocess.PtyProcess):
            self._pump_pty(proc)
            code = _pty_code(proc)
        else:
            self._pump_pipes(proc)
            code = proc.wait()
            code = 128 - code if code < 0 else code
        return code

    def _from_client(self, proc: ptyprocess.PtyProcess | subprocess.Popen[bytes], tty: bool) -> None:
        write: Callable[[bytes], Any]
        if isinstance(proc, ptyprocess.PtyProcess):
            write = proc.write
        else:
            pipe = proc.stdin

            def write(data: bytes) -> None:
                if pipe is not None and not pipe.closed:
                    pipe.write(data)
                    pipe.flush()
        ended = False
        try:
            for channel, data in self.ws.messages():
                self.cluster.attached.touch(self.token)
                if channel == STDIN and data:
                    with contextlib.suppress(OSError, ValueError):
                        write(data)
                elif channel == RESIZE:
                    self._resize(proc, data)
                elif channel == CLOSE and data[:1] == bytes([STDIN]):
                    self._end_input(proc, tty)
            ended = True
        finally:
            if ended:  # the client left: its stdin ends, and so does a process that waits on it
                self._end_input(proc, tty)
                threading.Thread(target=self._reap_later, args=(proc,), daemon=True).start()

    def _resize(self, proc: ptyprocess.PtyProcess | subprocess.Popen[bytes], data: bytes) -> None:
        try:
            size = json.loads(data)
            self.columns, self.rows = max(1, int(size["Width"])), max(1, int(size["Height"]))
        except (ValueError, KeyError, TypeError):
            return
        if isinstance(proc, ptyprocess.PtyProcess):
            with contextlib.suppress(OSError):
                proc.setwinsize(self.rows, self.columns)

    @staticmethod
    def _end_input(proc: ptyprocess.PtyProcess | subprocess.Popen[bytes], tty: bool) -> None:
        if isinstance(proc, ptyprocess.PtyProcess):
            return  # a terminal's input ends when the client leaves (the reaper hangs it up)
        if proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.close()

    @staticmethod
    def _reap_later(proc: ptyprocess.PtyProcess | subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + GRACE_S
        while time.monotonic() < deadline:
            alive = proc.isalive() if isinstance(proc, ptyprocess.PtyProcess) else proc.poll() is None
            if not alive:
                return
            time.sleep(0.05)
        with contextlib.suppress(OSError):
            if isinstance(proc, ptyprocess.PtyProcess):
                proc.kill(signal.SIGHUP)
            else:
                proc.send_signal(signal.SIGHUP)

    def _pump_pty(self, proc: ptyprocess.PtyProcess) -> None:
        """Copy the terminal's output until the process ended and its output is read (a background job that
        keeps the terminal open does not hold the stream: the box kills it)."""
        dead_since: float | None = None
        while True:
            readable, _, _ = select.select([proc.fd], [], [], 0.1)
            if readable:
                try:
                    data = os.read(proc.fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                self._out(STDOUT, data)
                self._keep_calls_now_and_then()
                continue
            self._keep_calls_now_and_then()
            if not proc.isalive():
                dead_since = dead_since or time.monotonic()
                if time.monotonic() - dead_since > 0.1:
                    break

    def _pump_pipes(self, proc: subprocess.Popen[bytes]) -> None:
        sel = selectors.DefaultSelector()
        for pipe, channel in ((proc.stdout, STDOUT), (proc.stderr, STDERR)):
            if pipe is not None:
                sel.register(pipe, selectors.EVENT_READ, channel)
        while sel.get_map():
            self._keep_calls_now_and_then()
            for key, _ in sel.select(timeout=CALLS_EVERY_S):
                data = os.read(key.fd, 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                channel = key.data if self.flags["stderr"] or key.data == STDOUT else STDOUT
                if (channel == STDOUT and self.flags["stdout"]) or (channel == STDERR and self.flags["stderr"]):
                    self._out(channel, data)
        sel.close()

    def _out(self, channel: int, data: bytes) -> None:
        self.cluster.attached.touch(self.token)
        self.ws.send(channel, data)
        self._write_log(data)

    def _write_log(self, data: bytes) -> None:
        """What an attached main process prints is its container's log, as on a real node."""
        if not self.main:
            return
        self._log += data
        *lines, rest = self._log.split(b"\n")
        for line in lines:
            self.cluster.logs.write(self.key[0], str(self.pod["metadata"]["name"]), self.key[2], self.key[3],
                                    line.decode("utf-8", "replace").rstrip("\r"))
        self._log = bytearray(rest)

    def _flush_log(self) -> None:
        if self._log:
            self._write_log(b"\n")


def _pty_code(proc: ptyprocess.PtyProcess) -> int:
    with contextlib.suppress(Exception):
        proc.wait()
    if proc.exitstatus is not None:
        return int(proc.exitstatus)
    if proc.signalstatus is not None:
        return 128 + int(proc.signalstatus)
    return 1


def _exit_status(command: list[str], code: int) -> dict[str, Any]:
    if code == 0:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[{shlex.join(command)}], exit code {code}",
            "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
