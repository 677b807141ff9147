"""A partner's push endpoint for tests: a local HTTP server that can be down, throttle or refuse.

It deduplicates by ``Idempotency-Key`` like a well-behaved partner: the first
request with a key is applied, later ones are acknowledged without effect.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as the partner saw it."""

    method: str
    path: str
    key: str | None
    body: Any
    headers: dict[str, str]


@dataclass
class PartnerBoard:
    """State and behaviour of the fake partner (thread-safe).

    Attributes:
        mode: ``up`` (apply and answer 201, 200 for a known key), ``down`` (503),
            ``drop`` (close the connection without answering).
        script: responses served first, one per request: ``(status, headers)``.
    """

    mode: str = "up"
    lost_acks: int = 0  # apply this many requests, then answer 500 (lost acknowledgement)
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    #: Hold the first requests until this many are in flight at once (proves overlap), then let all through.
    rendezvous: threading.Barrier | None = None
    delay: float = 0.0  # seconds each answer takes
    requests: list[Received] = field(default_factory=list)
    applied: dict[str, Received] = field(default_factory=dict)  # by idempotency key
    items: dict[str, Any] = field(default_factory=dict)  # what the partner now shows, by id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, req: Received) -> tuple[int, dict[str, str], bytes] | None:
        """The response to ``req`` (``None``: drop the connection)."""
        gate = self.rendezvous
        if gate is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait()
            self.rendezvous = None
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.requests.append(req)
            if self.script:
                status, headers = self.script.pop(0)
                return status, headers, b'{"error":"scripted"}'
            if self.mode == "down":
                return 503, {}, b"maintenance"
            if self.mode == "drop":
                return None
            duplicate = req.key is not None and req.key in self.applied
            if not duplicate:
                if req.key is not None:
                    self.applied[req.key] = req
                item_id = req.path.rstrip("/").rsplit("/", 1)[-1]
                if req.method == "DELETE":
                    self.items.pop(item_id, None)
                else:
                    body = req.body if isinstance(req.body, dict) else {}
                    self.items[str(body.get("id", item_id))] = body
            if self.lost_acks > 0:
                self.lost_acks -= 1
                return 500, {}, b"oops"
            return (200 if duplicate else 201), {}, b'{"ok":true}'


class _Handler(BaseHTTPRequestHandler):
    board: PartnerBoard

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        req = Received(self.command, self.path, self.headers.get("Idempotency-Key"), body,
                       {k.lower(): v for k, v in self.headers.items()})
        answer = self.board.handle(req)
        if answer is None:
            self.close_connection = True
            self.connection.close()
            return
        status, headers, payload = answer
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_DELETE = _serve


@contextmanager
def partner_server(board: PartnerBoard | None = None) -> Iterator[tuple[str, PartnerBoard]]:
    """Run a partner board on 127.0.0.1 (random port); yields its base URL and state."""
    board = board or PartnerBoard()
    handler = type("Handler", (_Handler,), {"board": board})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", board
    finally:
        server.shutdown()
        server.server_close()
