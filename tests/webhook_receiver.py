"""A real HTTP receiver on loopback that records every request (and can answer with set statuses)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """``answers``: statuses to give in turn (then 204); ``retry_after`` goes with a 429."""

    def __init__(self, answers: tuple[int, ...] = (), retry_after: str = "0") -> None:
        self.requests: list[dict[str, Any]] = []
        self._answers = list(answers)
        self._retry_after = retry_after
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": self.rfile.read(length)})
                status = outer._answers.pop(0) if outer._answers else 204
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", outer._retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
