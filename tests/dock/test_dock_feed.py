"""What the dock shows: the view of a snapshot, output health, the go-live's steps, open streams."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from livestream import secrets
from livestream.dock import DockFeed, HealthMeter, History, session_view
from livestream.session.snapshot import Snapshot
from livestream.session.states import State


def test_the_view_has_what_the_page_shows_and_which_buttons_apply():
    snap = Snapshot(state=State.WAITING_FOR_INGEST, since=10.0, message="Waiting for the TP Streams server",
                    provider="TP Streams", stream_id="s1", title="Class", provider_status="Created",
                    playback_url="https://play.example/s1.m3u8")
    view = session_view(snap, notice=("Checking the credentials...", "info"))
    assert view["state"] == "waiting_for_ingest" and view["label"] == "Waiting for the ingest server"
    assert view["provider"] == "TP Streams" and view["provider_status"] == "Created"
    assert view["notice"] == {"text": "Checking the credentials...", "level": "info"}
    assert view["can"] == {"go_live": False, "prepare": False, "end": True}
    assert "open_streams" not in view  # only when someone supplies the list
    json.dumps(view)  # plain data

    idle = session_view(Snapshot(state=State.IDLE, since=0.0))
    assert idle["can"] == {"go_live": True, "prepare": True, "end": False}
    ready = session_view(Snapshot(state=State.READY, since=0.0))
    assert ready["can"] == {"go_live": True, "prepare": False, "end": True}  # Go live = start streaming


def test_a_secret_quoted_in_a_provider_message_never_reaches_the_page():
    key = "live_sk_9f8e7d6c5b4a"
    secrets.register(key)
    snap = Snapshot(state=State.FAILED, since=0.0, level="error", message=f"rejected key {key}")
    text = json.dumps(session_view(snap, notice=(f"bad {key}", "error"),
                                   open_streams=[{"provider": "fastpix", "stream_id": "x", "last_error": key}]))
    assert key not in text and "***" in text


@dataclass
class LedgerEntry:  # what the session ledger is expected to hand over (attributes, not a mapping)
    provider: str
    stream_id: str
    title: Optional[str]
    state: State
    last_error: Optional[str] = None
    stream_key: str = "must-not-show-0001"


def test_open_earlier_streams_are_listed_with_public_fields_only():
    entries = [LedgerEntry("tpstreams", "s9", "Monday class", State.LIVE, "OBS crashed"),
               {"provider": "fastpix", "stream_id": "f1", "state": "ready", "stream_key": "nope-0002"}]
    view = session_view(Snapshot(state=State.IDLE, since=0.0), open_streams=entries)
    assert view["open_streams"] == [
        {"provider": "tpstreams", "stream_id": "s9", "title": "Monday class", "state": "live",
         "last_error": "OBS crashed"},
        {"provider": "fastpix", "stream_id": "f1", "title": None, "state": "ready", "last_error": None},
    ]
    assert "must-not-show" not in json.dumps(view) and "nope" not in json.dumps(view)


def test_health_gives_bitrate_between_samples_and_dropped_share():
    meter = HealthMeter()
    first = meter.sample(100.0, active=True, total_bytes=1_000_000, dropped_frames=0, total_frames=300,
                         reconnecting=False)
    assert first is not None and first["bitrate_kbps"] is None  # one sample: no rate yet
    second = meter.sample(101.0, active=True, total_bytes=1_250_000, dropped_frames=3, total_frames=330,
                          reconnecting=True)
    assert second == {"active": True, "bitrate_kbps": 2000, "dropped_frames": 3, "total_frames": 330,
                      "dropped_percent": 0.9, "reconnecting": True}
    assert meter.sample(102.0, active=False, total_bytes=0, dropped_frames=0, total_frames=0,
                        reconnecting=False) is None
    restarted = meter.sample(103.0, active=True, total_bytes=10, dropped_frames=0, total_frames=0,
                             reconnecting=False)
    assert restarted is not None and restarted["bitrate_kbps"] is None and restarted["dropped_percent"] == 0.0


def test_history_lists_this_go_lives_states_with_their_durations():
    history = History()
    for state, since in [(State.IDLE, 0.0), (State.CREATING, 1.0), (State.WAITING_FOR_INGEST, 1.5),
                         (State.READY, 4.0), (State.STARTING, 4.1), (State.LIVE, 4.6)]:
        history.observe(Snapshot(state=state, since=since))
    assert history.view(10.0) == [
        {"state": "creating", "label": "Creating the live stream", "seconds": 0.5},
        {"state": "waiting_for_ingest", "label": "Waiting for the ingest server", "seconds": 2.5},
        {"state": "ready", "label": "Ready to stream", "seconds": 0.1},
        {"state": "starting", "label": "Starting OBS streaming", "seconds": 0.5},
        {"state": "live", "label": "Live", "seconds": None},
    ]
    for state, since in [(State.ENDING, 20.0), (State.ENDED, 21.0), (State.CREATING, 30.0)]:
        history.observe(Snapshot(state=state, since=since))
    assert [step["state"] for step in history.view(31.0)] == ["creating"]  # a new go-live starts over


def test_readers_wait_for_a_change_and_get_the_elapsed_time_now():
    now = [100.0]
    feed = DockFeed(clock=lambda: now[0])
    version, view = feed.latest()
    feed.publish({"state": "live"}, since=90.0)
    new_version, view = feed.wait(version, timeout=0)
    assert new_version != version and view == {"state": "live", "elapsed": 10.0}
    feed.publish({"state": "live"}, since=90.0)  # the same view: no new version
    assert feed.latest()[0] == new_version
    now[0] = 105.0
    assert feed.wait(new_version, timeout=0)[1]["elapsed"] == 15.0
    feed.close()
    assert feed.closed


def test_each_simulcast_target_shows_its_name_status_and_reason_never_a_key():
    key = "yt-dock-key-7a8b9c0d"
    secrets.register(key)
    snap = Snapshot(state=State.LIVE, since=0.0, targets=(
        {"name": "YouTube", "target_id": "obs", "status": "live", "reason": None, "host": "a.rtmp.youtube.com"},
        {"name": "Twitch", "target_id": "obs", "status": "failed", "host": "live.twitch.tv",
         "reason": f"could not connect to rtmp://live.twitch.tv/app/{key}"},
    ))
    view = session_view(snap)
    assert [(t["name"], t["status"], t["host"]) for t in view["targets"]] == [
        ("YouTube", "live", "a.rtmp.youtube.com"), ("Twitch", "failed", "live.twitch.tv")]
    assert view["targets"][1]["reason"].startswith("could not connect to rtmp://live.twitch.tv/app/")
    assert key not in json.dumps(view), "a reason quoting a URL with its key is redacted"
    assert "target_id" not in view["targets"][0]
    assert session_view(Snapshot(state=State.IDLE, since=0.0))["targets"] == []
