"""A guard in front of a learner's own cluster: drills may write only inside their namespace.

kubectl in the sandbox talks to the guard (plain HTTP on 127.0.0.1); the guard forwards to an
upstream that holds the learner's credentials (``kubectl proxy``) and answers any write outside
the drill's namespace (cluster-scoped objects, other namespaces) with a 403 Status that says why.
Reads pass through, watches and logs stream.

    guard = NamespaceGuard("http://127.0.0.1:8001", "trainer-ab12cd").start()
    guard.url   # the server for the sandbox's kubeconfig
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from practice_cluster.storage.requests import RequestLog

WRITES = ("POST", "PUT", "PATCH", "DELETE")
_NAMESPACED = re.compile(r"^/(?:api/v1|apis/[^/]+/[^/]+)/namespaces/([^/]+)/[^/]+")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
              "content-length", "host"}


def refusal(method: str, path: str, namespace: str) -> str | None:
    """Why a request may not go to the learner's cluster, or None when it may."""
    if method not in WRITES:
        return None
    match = _NAMESPACED.match(path)
    if match and match.group(1) == namespace:
        return None
    where = f"namespace {match.group(1)} is" if match else "cluster-scoped objects are"
    return (f"trainer: on your own cluster drills write only in namespace {namespace}; refusing {method} "
            f"{path} ({where} left alone)")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    upstream: str
    namespace: str
    requests: RequestLog


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged."""

    def _forward(self) -> None:
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        reason = refusal(self.command, path, self.server.namespace)
        if reason is not None:
            status = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                 "message": reason, "reason": "Forbidden", "code": 403}).encode()
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(status)))
            self.end_headers()
            self.wfile.write(status)
            return
        upstream = urlsplit(self.server.upstream)
        connection = http.client.HTTPConnection(upstream.hostname or "127.0.0.1", upstream.port or 80, timeout=3600)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            self.server.requests.record(self.command, path, dict(parse_qsl(split.query, keep_blank_values=True)),
                                        {k.lower(): v for k, v in self.headers.items()}, body, response.status)
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while True:
                piece = response.read1(65536)
                if not piece:
                    break
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (OSError, http.client.HTTPException):
            self.close_connection = True
        finally:
            connection.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward


class NamespaceGuard:
    """The guard's socket and thread."""

    def __init__(self, upstream: str, namespace: str) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.upstream = upstream
        self._server.namespace = namespace
        self._server.requests = self.requests = RequestLog()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="namespace-guard", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> NamespaceGuard:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
