"""The tests' one webhook receiver: a real HTTP server on loopback that records every POST.

Notification tests read every request (``requests``, whatever it was answered) and script
failures (``answers``: statuses given in turn, a 429 with ``Retry-After``); sandbox tests read
what was delivered (``received``: the POSTs answered 2xx, as a sender counts them) and wait
for one (``wait_for``). Header names are lower-cased (HTTP header names are case-insensitive).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import pytest


class Hook:
    """One POST as received, and the status it was answered with."""

    def __init__(self, path: str, headers: dict, body: bytes, status: int) -> None:
        self.path = path
        self.headers = headers
        self.body = body
        self.status = status

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """``answers`` (or ``statuses`` later): statuses to give in turn, then 200; ``retry_after`` goes with a 429.

    It listens from construction until ``close()`` (or the end of a ``with`` block);
    ``url`` is its root, any path under it is recorded.
    """

    def __init__(self, answers: tuple[int, ...] = (), retry_after: str = "0") -> None:
        self.requests: list[Hook] = []
        self.statuses: list[int] = list(answers)
        self._retry_after = retry_after
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    status = outer.statuses.pop(0) if outer.statuses else 200
                    outer.requests.append(Hook(self.path, {k.lower(): v for k, v in self.headers.items()},
                                               body, status))
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", outer._retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def received(self, where: Optional[Callable[[Hook], bool]] = None) -> list[Hook]:
        """The POSTs answered 2xx (delivered), oldest first, that ``where`` accepts."""
        with self._lock:
            return [h for h in self.requests if 200 <= h.status < 300 and (where is None or where(h))]

    def wait_for(self, where: Callable[[Hook], bool], timeout: float = 10.0, what: str = "a webhook") -> Hook:
        """The first delivered POST that ``where`` accepts; fails the test after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(where)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout:g}s waiting for {what}", pytrace=False)
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
