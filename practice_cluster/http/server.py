"""HTTP for the practice cluster: plain HTTP/1.1 on 127.0.0.1, keep-alive, chunked streams.

Each connection gets a thread (kubectl opens few); a watch or a followed log holds its thread until
the client goes away, the watch times out or the server stops, and an exec or attach (practice_cluster.streams)
until its command ends.
"""

from __future__ import annotations

import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from practice_cluster.errors import ApiError
from practice_cluster.storage.requests import RequestLog
from practice_cluster.streams.connect import handle, stream_target
from practice_cluster.wire import MAX_BODY, Request, Response

if TYPE_CHECKING:
    from practice_cluster.rest.api import Api


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    api: Api
    requests: RequestLog


def _client_gone(sock: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "practice-apiserver"
    sys_version = ""
    # TCP_NODELAY: the headers and the body go out in separate writes, and Nagle would hold the body back until
    # the client's delayed ACK (~40 ms) on every request of a keep-alive connection after its first few.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the learner's terminal is not the place."""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        pairs = tuple(parse_qsl(split.query, keep_blank_values=True))
        query = dict(pairs)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(Response.json(ApiError(413 if length > 0 else 400, "invalid Content-Length").status(),
                                     413 if length > 0 else 400))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client hung up before sending the body it announced
            self._send(Response.json(ApiError(400, "unexpected EOF reading the request body").status(), 400))
            self.close_connection = True
            return
        request = Request(self.command, split.path, query, headers, body, pairs)
        if stream_target(split.path) is not None:
            self._stream(request)
            return
        try:
            response = self.server.api.handle(request)
        except Exception as exc:  # the server must outlive any request; the client gets a Status
            response = Response.json(ApiError(500, f"internal error: {type(exc).__name__}: {exc}").status(), 500)
        self.server.requests.record(self.command, split.path, query, headers, body, response.status)
        self._send(response)

    def _stream(self, request: Request) -> None:
        """exec, attach and portforward: upgraded to a stream into a container, or refused with a Status."""
        def record(status: int) -> None:
            self.server.requests.record(self.command, request.path, request.query, request.headers, request.body,
                                        status, request.pairs)

        try:
            response = handle(self.server.api.cluster, request, self.connection, self.rfile, lambda: record(101))
        except Exception as exc:  # the server outlives any stream
            response = Response.json(ApiError(500, f"internal error: {type(exc).__name__}: {exc}").status(), 500)
        if response is None:
            self.close_connection = True
            return
        record(response.status)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for name, value in response.headers:
            self.send_header(name, value)
        if response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if response.body:
                self._chunk(response.body)
            for piece in response.stream:
                if piece:
                    self._chunk(piece)
                elif _client_gone(self.connection):
                    break
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            close = getattr(response.stream, "close", None)
            if close is not None:
                close()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class HttpServer:
    """The listening socket and its thread; ``port`` 0 picks a free one."""

    def __init__(self, api: Api, port: int = 0, host: str = "127.0.0.1", requests: RequestLog | None = None) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.api = api
        self._server.requests = requests if requests is not None else RequestLog()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="practice-apiserver", daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
