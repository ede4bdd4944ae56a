"""A real HTTP receiver on loopback: records every request, answers as told.

`answers` is a queue of status codes (then 200 for ever); `hold` makes the
next request wait until released (to kill a worker mid-delivery); `ids`
counts webhook-ids, as a de-duplicating receiver would.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    ids: Counter[str] = field(default_factory=Counter)
    hold: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    receiver.requests.append(Received(dict(self.headers.items()), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                if 200 <= status < 300:
                    with receiver.lock:
                        receiver.ids[self.headers["webhook-id"]] += 1
                payload = b"ok" if status < 300 else b"nope " * 2000  # a long body, to be cut
                self.send_response(status)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
