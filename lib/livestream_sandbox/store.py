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
from typing import Any, Optional, Sequence

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

    def _write(self, sql: str, args: Sequence[Any] = ()) -> Optional[sqlite3.Cursor]:
        """One change under the lock; none once closed (a late background job after stop(): nothing to keep)."""
        with self._lock:
            return None if self._closed else self._db.execute(sql, args)

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # streams ---------------------------------------------------------------------------------
    def load_streams(self) -> list[dict]:
        return [json.loads(row[0]) for row in self._read("SELECT doc FROM streams ORDER BY created")]

    def save_stream(self, doc: dict) -> None:
        self._write("INSERT OR REPLACE INTO streams (provider, id, created, doc) VALUES (?, ?, ?, ?)",
                    (doc["provider"], doc["id"], doc["created"], json.dumps(doc)))

    def delete_stream(self, provider: str, stream_id: str) -> None:
        self._write("DELETE FROM streams WHERE provider = ? AND id = ?", (provider, stream_id))

    # events ----------------------------------------------------------------------------------
    def add_event(self, ts: float, provider: Optional[str], stream_id: Optional[str], kind: str,
                  detail: dict) -> int:
        cur = self._write("INSERT INTO events (ts, provider, stream_id, kind, detail) VALUES (?, ?, ?, ?, ?)",
                          (ts, provider, stream_id, kind, json.dumps(detail)))
        return int(cur.lastrowid) if cur else 0

    def events(self, *, since: int = 0, provider: Optional[str] = None, stream_id: Optional[str] = None,
               kind: Optional[str] = None, limit: int = 1000) -> list[dict]:
        sql = "SELECT seq, ts, provider, stream_id, kind, detail FROM events WHERE seq > ?"
        args: list[Any] = [since]
        for column, value in (("provider", provider), ("stream_id", stream_id), ("kind", kind)):
            if value:
                sql += f" AND {column} = ?"
                args.append(value)
        out = []
        for seq, ts, prov, sid, knd, detail in self._read(sql + " ORDER BY seq LIMIT ?", [*args, limit]):
            out.append({"seq": seq, "ts": ts,
                        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z",
                        "provider": prov, "stream_id": sid, "kind": knd, **json.loads(detail)})
        return out

    # TP Streams webhooks (developer.tpstreams.com/docs/server-api/webhooks) -----------------------
    def add_webhook(self, org: str, url: str, secret_token: str) -> dict:
        cur = self._write("INSERT INTO tp_webhooks (org, url, secret_token, created) VALUES (?, ?, ?, ?)",
                          (org, url, secret_token, time.time()))
        return {"url": url, "secret_token": secret_token, "id": int(cur.lastrowid) if cur else 0}

    def webhooks(self, org: str) -> list[dict]:
        rows = self._read("SELECT id, url, secret_token FROM tp_webhooks WHERE org = ? ORDER BY id", (org,))
        return [{"url": url, "secret_token": token, "id": wid} for wid, url, token in rows]

    def update_webhook(self, org: str, webhook_id: int, url: str, secret_token: str) -> Optional[dict]:
        cur = self._write("UPDATE tp_webhooks SET url = ?, secret_token = ? WHERE org = ? AND id = ?",
                          (url, secret_token, org, webhook_id))
        return {"url": url, "secret_token": secret_token, "id": webhook_id} if cur and cur.rowcount else None

    def delete_webhook(self, org: str, webhook_id: int) -> bool:
        cur = self._write("DELETE FROM tp_webhooks WHERE org = ? AND id = ?", (org, webhook_id))
        return bool(cur and cur.rowcount)

    def reset(self) -> None:
        """Forget every stream, event and webhook."""
        with self._lock:
            self._db.executescript(
                "DELETE FROM streams; DELETE FROM events; DELETE FROM tp_webhooks;"
                "DELETE FROM sqlite_sequence WHERE name IN ('events', 'tp_webhooks');"
            )
