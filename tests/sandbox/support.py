"""Helpers for tests that drive the sandbox: tool checks, an encoder, ffprobe (webhooks: ``tests.webhook_receiver``)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any, Callable, Optional

import pytest
import requests

from livestream_sandbox import MissingToolError, find_tools


def require_ingest_tools():
    """nginx-rtmp, ffmpeg and ffprobe, or skip; in CI (``$CI`` set) a missing tool FAILS the test."""
    try:
        return find_tools()
    except MissingToolError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the sandbox's ingest tools: {exc}", pytrace=False)
        pytest.skip(str(exc))


def wait_until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition",
               interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g}s waiting for {what}", pytrace=False)
        time.sleep(interval)


class Encoder:
    """ffmpeg publishing a test pattern to an RTMP URL (stopped by the fixture that made it)."""

    def __init__(self, ffmpeg: str, url: str, *, seconds: float = 60.0) -> None:
        cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-re",
               "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=15:duration={seconds}",
               "-f", "lavfi", "-i", f"sine=duration={seconds}",
               "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15",
               "-c:a", "aac", "-f", "flv", url]
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)

    def exited(self) -> Optional[int]:
        return self.process.poll()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        if self.process.stderr:
            self.process.stderr.close()


def ffprobe(ffprobe_bin: str, url: str) -> dict:
    """ffprobe's JSON about ``url`` (streams and format); fails the test if it cannot read it."""
    done = subprocess.run([ffprobe_bin, "-v", "error", "-rw_timeout", "10000000", "-show_entries",
                           "stream=codec_type,codec_name,width,height:format=duration", "-of", "json", url],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"ffprobe could not play {url}: {done.stderr.strip()}"
    return json.loads(done.stdout)


def playlist_ready(url: str) -> bool:
    """True once an HLS playlist answers 200 with at least two segments."""
    try:
        answer = requests.get(url, timeout=5)
    except requests.RequestException:
        return False
    return answer.status_code == 200 and answer.text.count("#EXTINF") >= 2


class TP:
    """Raw TP Streams calls against a sandbox (``requests`` with the token header)."""

    def __init__(self, sandbox: Any, token: Optional[str] = None) -> None:
        env = sandbox.env()
        self.org = env["TPSTREAMS_ORG_ID"]
        self.base = f"{sandbox.api_url}/api/v1/{self.org}/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token or env['TPSTREAMS_API_TOKEN']}"

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.session.get(self.url(path), timeout=10, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return self.session.post(self.url(path), json=json, timeout=10, **kw)

    def put(self, path: str, json: Any = None) -> requests.Response:
        return self.session.put(self.url(path), json=json, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.url(path), timeout=10)

    def create(self, title: str = "Data science Live class", **fields: Any) -> dict:
        answer = self.post("assets/live_streams/", {"title": title, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def wait_for_key(self, asset_id: str, timeout: float = 10.0) -> dict:
        def ready() -> Optional[dict]:
            asset = self.get(f"assets/{asset_id}/").json()
            return asset if asset["live_stream"]["stream_key"] else None
        return wait_until(ready, timeout, f"the stream key of {asset_id}")


class FP:
    """Raw FastPix calls against a sandbox (``requests`` with HTTP Basic)."""

    def __init__(self, sandbox: Any, auth: Optional[tuple] = None) -> None:
        env = sandbox.env()
        self.base = f"{sandbox.api_url}/v1/live/streams"
        self.session = requests.Session()
        self.session.auth = auth or (env["FASTPIX_ACCESS_TOKEN_ID"], env["FASTPIX_SECRET_KEY"])

    def call(self, method: str, path: str = "", json: Any = None, **kw: Any) -> requests.Response:
        return self.session.request(method, self.base + path, json=json, timeout=10, **kw)

    def create(self, **settings: Any) -> dict:
        body = {"playbackSettings": {"accessPolicy": "public"},
                "inputMediaSettings": {"metadata": {"livestream_name": "test"}, **settings}}
        answer = self.call("POST", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]

    def get(self, stream_id: str) -> dict:
        answer = self.call("GET", f"/{stream_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]
