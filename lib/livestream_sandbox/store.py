"""The sandbox's state on disk: one sqlite3 file in the data dir (``sandbox.db``).

Streams are stored as JSON documents keyed by (provider, id), so a restart keeps
them, with their timers (deadlines are absolute epoch seconds). The event log and
the TP Streams webhooks live in their own tables. All access goes through one lock;
the sqlite connection is shared by the server's threads.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Optional

_SCHEMA = """
CREATE TABLE IF NOT EXISTS streams (
    provider TEXT NOT NULL, id TEXT NOT NULL, created REAL NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (provider, id));
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, provider TEXT,
    stream_id TEXT, kind TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tp_webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT NOT NULL, url TEXT NOT NULL,
    secret_token TEXT NOT NULL, created REAL NOT NULL);
"""


class Store:
    """Thread-safe access to ``sandbox.db``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._closed = False
        # The database holds stream keys: create it owner-only before sqlite does (with
        # the umask's mode); sqlite gives its -wal and -shm files the database's mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()

    # streams ---------------------------------------------------------------------------------
    def load_streams(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM streams ORDER BY created").fetchall()
        return [json.loads(row[0]) for row in rows]

    def save_stream(self, doc: dict) -> None:
        with self._lock:
            if self._closed:  # a late background job after stop(): nothing to keep
                return
            self._db.execute(
                "INSERT OR REPLACE INTO streams (provider, id, created, doc) VALUES (?, ?, ?, ?)",
                (doc["provider"], doc["id"], doc["created"], json.dumps(doc)),
            )

    def delete_stream(self, provider: str, stream_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM streams WHERE provider = ? AND id = ?", (provider, stream_id))

    # events ----------------------------------------------------------------------------------
    def add_event(self, ts: float, provider: Optional[str], stream_id: Optional[str], kind: str,
                  detail: dict) -> int:
        with self._lock:
            if self._closed:
                return 0
            cur = self._db.execute(
                "INSERT INTO events (ts, provider, stream_id, kind, detail) VALUES (?, ?, ?, ?, ?)",
                (ts, provider, stream_id, kind, json.dumps(detail)),
            )
            return int(cur.lastrowid)

    def events(self, *, since: int = 0, provider: Optional[str] = None, stream_id: Optional[str] = None,
               kind: Optional[str] = None, limit: int = 1000) -> list[dict]:
        sql = "SELECT seq, ts, provider, stream_id, kind, detail FROM events WHERE seq > ?"
        args: list[Any] = [since]
        for column, value in (("provider", provider), ("stream_id", stream_id), ("kind", kind)):
            if value:
                sql += f" AND {column} = ?"
                args.append(value)
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        out = []
        for seq, ts, prov, sid, knd, detail in rows:
            out.append({"seq": seq, "ts": ts,
                        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z",
                        "provider": prov, "stream_id": sid, "kind": knd, **json.loads(detail)})
        return out

    # TP Streams webhooks (developer.tpstreams.com/docs/server-api/webhooks) -----------------------
    def add_webhook(self, org: str, url: str, secret_token: str) -> dict:
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO tp_webhooks (org, url, secret_token, created) VALUES (?, ?, ?, ?)",
                (org, url, secret_token, time.time()),
            )
            return {"url": url, "secret_token": secret_token, "id": int(cur.lastrowid)}

    def webhooks(self, org: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, url, secret_token FROM tp_webhooks WHERE org = ? ORDER BY id", (org,)
            ).fetchall()
        return [{"url": url, "secret_token": token, "id": wid} for wid, url, token in rows]

    def update_webhook(self, org: str, webhook_id: int, url: str, secret_token: str) -> Optional[dict]:
        with self._lock:
            cur = self._db.execute(
                "UPDATE tp_webhooks SET url = ?, secret_token = ? WHERE org = ? AND id = ?",
                (url, secret_token, org, webhook_id),
            )
        if cur.rowcount == 0:
            return None
        return {"url": url, "secret_token": secret_token, "id": webhook_id}

    def delete_webhook(self, org: str, webhook_id: int) -> bool:
        with self._lock:
            cur = self._db.execute("DELETE FROM tp_webhooks WHERE org = ? AND id = ?", (org, webhook_id))
        return cur.rowcount > 0

    def reset(self) -> None:
        """Forget every stream, event and webhook."""
        with self._lock:
            self._db.executescript(
                "DELETE FROM streams; DELETE FROM events; DELETE FROM tp_webhooks;"
                "DELETE FROM sqlite_sequence WHERE name IN ('events', 'tp_webhooks');"
            )
