"""A whole studio for end-to-end tests: the sandbox provider, and a real OBS with
``obs_livestream.py`` loaded from its scene collection, pointed at the sandbox.

    with Studio.start(tmp_path, provider="tpstreams", boot_delay=2) as studio:
        studio.press("go_live")                       # TriggerHotkeyByName over obs-websocket
        session = studio.wait_state("live")           # the script's published session
        studio.wait_for_hls(session["playback_url"])  # HLS segments really appear
        studio.client.stop_stream()
        studio.wait_state("ended")

The script reads its credentials from the environment (``use_env``), exactly as a
user who ticks "Read credentials from environment variables" would.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import livestream_demo as demo
from livestream.session import bridge
from livestream_headless import HeadlessObs
from livestream_sandbox import Sandbox
from tests.sandbox.support import wait_until

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "obs_livestream.py"
# What the user had in Settings > Stream before: it must come back after every go-live.
PREVIOUS_SERVICE = {"type": "rtmp_custom",
                    "settings": {"server": "rtmp://previous.example.invalid/app", "key": "users-own-key-0042"}}

HOTKEYS = {"go_live": "obs_livestream.go_live", "prepare": "obs_livestream.prepare",
           "end_stream": "obs_livestream.end_stream"}


def script_settings(provider: str, sandbox: Any, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "provider": provider,
        "use_env": True,
        "title": f"E2E {provider} class",
        "tp_api_base_url": sandbox.api_url,
        "fp_api_base_url": sandbox.api_url,
        "ingest_timeout": 60,
    }
    settings.update(overrides)
    return settings


@dataclass
class Studio:
    sandbox: Any
    obs: HeadlessObs
    state_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    _client: Any = None

    @classmethod
    def start(cls, tmp_path: Path, *, provider: str = "tpstreams", boot_delay: float = 2.0,
              settings: Optional[dict[str, Any]] = None, env: Optional[dict[str, str]] = None,
              service: Optional[dict[str, Any]] = None, sandbox: Any = None, script: Path = SCRIPT,
              **obs_kwargs: Any) -> Studio:
        own_sandbox = sandbox is None
        if own_sandbox:
            sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=boot_delay).start()
        try:
            state_dir = tmp_path / "state"
            obs_env = dict(sandbox.env())
            obs_env["OBS_LIVESTREAM_STATE_DIR"] = str(state_dir)
            obs_env.update(env or {})
            obs = HeadlessObs(
                script=str(script),  # the checkout's, or e.g. one from an unzipped release bundle
                script_settings=script_settings(provider, sandbox, **(settings or {})),
                env=obs_env,
                service=service or PREVIOUS_SERVICE,
                home=str(tmp_path / "obs-home"),
                **obs_kwargs,
            )
            obs.start()
        except BaseException:
            if own_sandbox:
                sandbox.stop()
            raise
        studio = cls(sandbox=sandbox, obs=obs, state_dir=state_dir, env=obs_env)
        studio._own_sandbox = own_sandbox
        try:
            studio.wait_script_loaded()
        except BaseException:
            studio.stop()
            raise
        return studio

    def __enter__(self) -> Studio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        try:
            self.obs.stop()
        finally:
            if getattr(self, "_own_sandbox", True):
                self.sandbox.stop()

    # --- driving OBS ---------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self.obs.client()
        return self._client

    def wait_script_loaded(self, timeout: float = 60.0) -> None:
        """Wait until the script has registered its hotkeys: OBS 30.2+ opens obs-websocket
        before it loads the scene collection and its scripts, so a hotkey pressed as soon
        as obs-websocket answers would not exist yet."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if HOTKEYS["go_live"] in self.client.call("GetHotkeyList").get("hotkeys", []):
                    return
            except Exception:  # NotReady while OBS loads: retried until the deadline
                pass
            if time.monotonic() >= deadline:
                raise AssertionError(f"the script did not register its hotkeys in {timeout} s\n"
                                     f"script log:\n{self.script_log()}")
            time.sleep(0.1)

    def press(self, hotkey: str) -> None:
        """Press one of the script's hotkeys over obs-websocket, as a Stream Deck would."""
        self.client.trigger_hotkey(HOTKEYS[hotkey])

    def published(self) -> dict[str, Any]:
        """The script's session as obs-websocket clients read it."""
        return bridge.read(self.client) or {}

    def wait_state(self, *states: str, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until the script's session is in one of ``states``; fail with the last seen."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            last = self.published()
            if last.get("state") in states:
                return last
            time.sleep(0.2)
        raise AssertionError(f"the script did not reach {states} in {timeout} s; last: {last}\n"
                             f"script log:\n{self.script_log()}")

    def script_log(self) -> str:
        return "\n".join(self.obs.script_log_lines("obs_livestream.py"))

    def stream_service(self) -> dict[str, Any]:
        service = self.client.get_stream_service()
        return {"type": service.service_type, "settings": dict(service.settings)}

    # --- the provider side ---------------------------------------------------------

    def streams(self) -> list[dict[str, Any]]:
        return self.sandbox.admin.streams()

    def wait_for_hls(self, playlist_url: str, *, segments: int = 1, timeout: float = 30.0) -> str:
        """Wait until the HLS playlist lists ``segments`` media segments; return its text."""
        try:
            return demo.wait_for_hls(playlist_url, segments=segments, timeout=timeout)
        except demo.DemoError as exc:
            raise AssertionError(str(exc)) from None




# --- helpers for the failure, recovery, lag and panel tests (appended) ------------------


def wait_state_never_streaming(studio: Studio, *states: str, timeout: float = 60.0) -> dict[str, Any]:
    """``studio.wait_state(...)``, and fail if OBS's stream output is ever active meanwhile."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        assert not studio.client.stream_status().get("outputActive"), \
            f"OBS started streaming; session: {studio.published()}"
        last = studio.published()
        if last.get("state") in states:
            assert not studio.client.stream_status().get("outputActive")
            return last
        time.sleep(0.2)
    raise AssertionError(f"the script did not reach {states} in {timeout} s; last: {last}\n"
                         f"script log:\n{studio.script_log()}")


def sandbox_events(studio: Studio, kind: Optional[str] = None, stream_id: Optional[str] = None) -> list[dict[str, Any]]:
    """The sandbox's event log (oldest first), optionally of one kind or stream."""
    return studio.sandbox.admin.events(kind=kind, stream_id=stream_id)


def add_scene_collection(studio: Studio, name: str, file_name: str, *, restart: bool = True) -> Path:
    """Write a second scene collection that loads the same script with the same settings.

    OBS 29 switches only to collections in its Scene Collection menu, which it fills at
    start-up: so OBS is quit and started again (same HOME) unless ``restart=False``.
    ``SetCurrentSceneCollection`` can then switch to it (which destroys and re-creates scripts).
    """
    import json
    from dataclasses import replace

    from livestream_headless.config import scene_collection

    cfg = replace(studio.obs._config, collection=name, collection_file=file_name)
    path = studio.obs.config_dir / "basic" / "scenes" / f"{file_name}.json"
    path.write_text(json.dumps(scene_collection(cfg), indent=1), encoding="utf-8")
    if restart:
        if studio._client is not None:
            studio._client.close()
            studio._client = None
        studio.obs.stop()
        studio.obs.start()
        studio.wait_script_loaded()
    return path


def switch_scene_collection(studio: Studio, name: str, timeout: float = 20.0) -> None:
    """Switch OBS to the scene collection ``name`` and wait until it is current."""
    studio.client.call("SetCurrentSceneCollection", sceneCollectionName=name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if studio.client.call("GetSceneCollectionList").get("currentSceneCollectionName") == name:
                return
        except Exception:  # 207 NotReady while the collection loads
            pass
        time.sleep(0.2)
    raise AssertionError(f"OBS did not switch to the scene collection {name!r} in {timeout} s")


# --- the command line against a studio (appended for tests/e2e/test_remote_cli.py) ------------

def cli_env(studio: Studio, state_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell pointed at this studio: the sandbox's provider
    variables, obs-websocket's URL and password, and a private state folder for the CLI's
    own go-live record (not the script's)."""
    import os

    from tests.secrets_kit import scrubbed_env

    env = scrubbed_env(os.environ)  # no provider's variables from the developer's shell
    env.update(studio.sandbox.env())
    env.update(OBS_WEBSOCKET_URL=studio.obs.ws_url, OBS_WEBSOCKET_PASSWORD=studio.obs.password,
               OBS_LIVESTREAM_STATE_DIR=str(state_dir), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    """``python obs_livestream.py ARGS`` as a user types it (run from the repository root)."""
    import sys

    return [sys.executable, str(SCRIPT), *args]


def restart_obs(studio: Studio) -> None:
    """Crash OBS (SIGKILL) and start it again with the same HOME; a fresh websocket client."""
    if studio._client is not None:
        studio._client.close()
        studio._client = None
    studio.obs.restart()
    studio.wait_script_loaded()


def wait_published(studio: Studio, predicate: Any, *, timeout: float = 30.0, what: str = "") -> dict[str, Any]:
    """Wait until the published session satisfies ``predicate(session)``; fail with the last seen."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = studio.published()
        if last and predicate(last):
            return last
        time.sleep(0.2)
    raise AssertionError(f"the script did not publish {what or 'the expected session'} in {timeout} s; "
                         f"last: {last}\nscript log:\n{studio.script_log()}")


def target_statuses(session: dict[str, Any]) -> dict[str, str]:
    """Each simulcast target's status in a published session, by the target's name."""
    return {t["name"]: t["status"] for t in session.get("targets", [])}


def targets_at_sandbox(sandbox: Any, keys: dict[str, str]) -> dict[str, Any]:
    """Panel settings for one simulcast target per name in ``keys``, each at the sandbox's
    recording ``simulcast`` application with its key (the file it records is ``<key>.flv``)."""
    target_app = sandbox.rtmp_url.rsplit("/", 1)[0] + "/simulcast"
    settings: dict[str, Any] = {}
    for n, (name, key) in enumerate(keys.items(), start=1):
        settings.update({f"simulcast_{n}_name": name, f"simulcast_{n}_url": target_app, f"simulcast_{n}_key": key})
    return settings


def go_live_to_targets(studio: Studio, expected: dict[str, str], *, what: str, received: Sequence[Path] = (),
                       names_when_live: Optional[list[str]] = None) -> dict[str, Any]:
    """Press Go live, wait until it is live, then until its targets have the ``expected``
    statuses (``what`` says them if they never do) and media arrived in each recording of
    ``received``; the session then. ``names_when_live``: the targets the session lists as
    soon as it is live (a provider that restreams holds them before OBS publishes)."""
    studio.press("go_live")
    session = studio.wait_state("live", "failed", timeout=90)
    assert session["state"] == "live", f"{session}\n{studio.script_log()}"
    if names_when_live is not None:
        assert [t["name"] for t in session["targets"]] == names_when_live
    session = wait_published(studio, lambda s: target_statuses(s) == expected, timeout=60, what=what)
    for recorded in received:
        wait_until(lambda f=recorded: f.exists() and f.stat().st_size > 100_000, 30, f"media at {recorded.name}")
    return session


@contextlib.contextmanager
def two_rooms(tmp_path: Path) -> Iterator[tuple[Studio, Studio, Path, dict[str, str]]]:
    """Two idle studios on one sandbox, a hosts file naming them (passwords by variable) and
    the CLI's environment with those variables and no OBS_WEBSOCKET_PASSWORD."""
    with Studio.start(tmp_path / "a", provider="tpstreams", boot_delay=2) as room_a, \
            Studio.start(tmp_path / "b", provider="tpstreams", sandbox=room_a.sandbox) as room_b:
        for studio in (room_a, room_b):
            wait_published(studio, lambda s: s.get("state") == "idle", timeout=30, what="the idle session")
        hosts = tmp_path / "rooms.json"
        hosts.write_text(json.dumps([
            {"name": "room-a", "url": room_a.obs.ws_url, "password_env": "ROOM_A_PW", "timeout": 5},
            {"name": "room-b", "url": room_b.obs.ws_url, "password_env": "ROOM_B_PW", "timeout": 5}]))
        env = cli_env(room_a, tmp_path / "cli-state", ROOM_A_PW=room_a.obs.password, ROOM_B_PW=room_b.obs.password)
        env.pop("OBS_WEBSOCKET_PASSWORD")
        yield room_a, room_b, hosts, env
