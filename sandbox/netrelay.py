"""A relay from a Unix socket to one TCP address: how a sandbox without a network reaches its cluster.

A kubectl drill under bubblewrap has a network namespace of its own (loopback only), so it cannot
reach anything on the host's 127.0.0.1. The trainer serves a Unix socket inside the sandbox's
read-only tools directory; this relay connects each client to the drill's cluster (the practice
cluster, or the guard before the learner's own), and nothing else. Inside the sandbox, ``socat``
(started by the kubectl wrapper) listens on the loopback port the kubeconfig names and forwards to
the socket.

    relay = UnixRelay(root.tools / "kube.sock", ("127.0.0.1", 43215)).start()
    ...
    relay.stop()
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import threading
from pathlib import Path

_CHUNK = 65536


class UnixRelay:
    """Accepts on a Unix socket and pipes every connection to ``target`` both ways (one thread each)."""

    def __init__(self, path: Path, target: tuple[str, int]) -> None:
        self.path = path
        self.target = target
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        os.chmod(path, 0o666)  # the sandbox's uid connects to it
        self._listener.listen(64)
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> UnixRelay:
        thread = threading.Thread(target=self._accept, name=f"relay {self.path.name}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns |= {client, upstream}
            worker = threading.Thread(target=self._pipe, args=(client, upstream), daemon=True,
                                      name=f"relay {self.path.name} conn")
            worker.start()
            self._threads.append(worker)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        peer = {a: b, b: a}
        open_ends = {a, b}
        with selectors.DefaultSelector() as sel:
            sel.register(a, selectors.EVENT_READ)
            sel.register(b, selectors.EVENT_READ)
            while open_ends and not self._stopped.is_set():
                for key, _ in sel.select(timeout=0.5):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data = sock.recv(_CHUNK)
                    except OSError:
                        data = b""
                    if data:
                        try:
                            peer[sock].sendall(data)
                            continue
                        except OSError:
                            open_ends.clear()
                            break
                    sel.unregister(sock)  # that side is done: pass the end of stream on
                    open_ends.discard(sock)
                    with contextlib.suppress(OSError):
                        peer[sock].shutdown(socket.SHUT_WR)
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self._conns.discard(sock)

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            conns = list(self._conns)
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=2)
        with contextlib.suppress(OSError):
            self.path.unlink()
