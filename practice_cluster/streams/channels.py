"""Kubernetes' channel protocol over a WebSocket: what kubectl exec and attach speak to an API server.

kubectl 1.37 opens ``pods/NAME/exec`` or ``pods/NAME/attach`` as a WebSocket offering the sub-protocols
``v5.channel.k8s.io`` down to ``v4.channel.k8s.io``. Every binary message starts with a channel byte:
0 stdin, 1 stdout, 2 stderr, 3 the error channel (one ``Status`` when the command ends), 4 terminal
resize (``{"Width": 80, "Height": 24}``); v5 adds 255, "close": ``[255, 0]`` says the client's stdin
ended. The framing is wsproto's; this module owns the handshake and the channels.

    ws = ChannelSocket.accept(sock, rfile, headers)    # after the HTTP request was read; None: refused
    ws.send(STDOUT, b"hello\\n")
    for channel, data in ws.messages(): ...           # until the client closes
    ws.finish({"kind": "Status", ...})
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.utilities import generate_accept_token

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
#: The sub-protocols served, best first (v5 adds the close channel; v4 is what older clients offer).
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
#: A message larger than this (a paste into stdin is a few KiB) ends the connection.
MAX_MESSAGE = 1 << 20


def is_upgrade(headers: Mapping[str, str]) -> bool:
    """Whether a request (lower-cased header names) asks for a WebSocket."""
    return headers.get("upgrade", "").lower() == "websocket" and "upgrade" in headers.get("connection", "").lower()


def choose_protocol(headers: Mapping[str, str]) -> str | None:
    """The sub-protocol to answer with, or None when the client offers none of ours."""
    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    return next((p for p in PROTOCOLS if p in offered), None)


def handshake(headers: Mapping[str, str], protocol: str) -> bytes:
    """The ``101 Switching Protocols`` response to a WebSocket request."""
    accept = generate_accept_token(headers.get("sec-websocket-key", "").encode("ascii", "replace"))
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\nSec-WebSocket-Protocol: " + protocol.encode() + b"\r\n\r\n")


class ChannelSocket:
    """One accepted WebSocket: channel messages in and out (sends are safe from any thread)."""

    def __init__(self, sock: socket.socket, rfile: io.BufferedIOBase, protocol: str) -> None:
        self.sock = sock
        self.rfile = rfile  # what the HTTP parser read ahead is in its buffer: read through it
        self.protocol = protocol
        self._ws = Connection(ConnectionType.SERVER)
        self._lock = threading.RLock()  # a frame is made and written under it: frames keep their order
        self._closed = False

    @classmethod
    def accept(cls, sock: socket.socket, rfile: io.BufferedIOBase, headers: Mapping[str, str]) -> ChannelSocket | None:
        protocol = choose_protocol(headers)
        if protocol is None:
            return None
        sock.sendall(handshake(headers, protocol))
        return cls(sock, rfile, protocol)

    @property
    def closes_streams(self) -> bool:
        """Whether the client signals the end of stdin on channel 255 (v5)."""
        return self.protocol.startswith("v5.")

    def _write(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            if self._closed:
                return
            try:
                self.sock.sendall(data)
            except OSError:
                self._closed = True

    def send(self, channel: int, data: bytes) -> None:
        """Send ``data`` on ``channel`` (nothing once the connection is closed)."""
        if self._ws.state is not ConnectionState.OPEN:
            return
        with self._lock:
            if self._closed:
                return
            try:
                frame = self._ws.send(BytesMessage(data=bytes([channel]) + data))
            except Exception:  # wsproto refuses once a close started: nothing left to send to
                return
            self._write(frame)

    def messages(self) -> Iterator[tuple[int, bytes]]:
        """(channel, data) of each message from the client, until it closes or the socket ends."""
        pending = bytearray()
        while True:
            try:
                reader = getattr(self.rfile, "read1", None)
                chunk = reader(65536) if reader is not None else self.rfile.read(1)
            except (OSError, ValueError):
                chunk = b""
            self._ws.receive_data(chunk or None)
            for event in self._ws.events():
                if isinstance(event, Ping):
                    with self._lock:
                        self._write(self._ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    with self._lock:
                        if self._ws.state is ConnectionState.REMOTE_CLOSING:
                            self._write(self._ws.send(event.response()))
                    return
                elif isinstance(event, (BytesMessage, TextMessage)):
                    data = event.data if isinstance(event, BytesMessage) else event.data.encode()
                    pending += data
                    if len(pending) > MAX_MESSAGE:
                        return
                    if event.message_finished:
                        if pending:
                            yield pending[0], bytes(pending[1:])
                        pending = bytearray()
            if not chunk:
                return

    def finish(self, status: dict[str, Any]) -> None:
        """Send the command's ``Status`` on the error channel and close the connection."""
        self.send(ERROR, json.dumps(status).encode())
        self.close()

    def close(self) -> None:
        """Start the closing handshake and stop writing (the reader sees the client's answer or EOF)."""
        with self._lock:
            if self._ws.state is ConnectionState.OPEN:
                with contextlib.suppress(Exception):
                    self._write(self._ws.send(CloseConnection(code=1000)))
            self._closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)
