"""The extra outputs that send simulcast targets from OBS itself (``livestream.obs.extra_outputs``),
in the fake OBS: they share the main stream's encoders, each has its own service with the
target's server and key, a start never waits for the connection, a stop never waits for a
connect attempt, and every reference is given back."""

from __future__ import annotations

import importlib

import pytest
from fake_obspython import FakeObsStudio, FakeOutput
from pydantic import SecretStr

KEYS = {"YouTube": "yt-glue-key-1a2b3c", "Twitch": "tw-glue-key-4d5e6f"}


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def outputs(studio: FakeObsStudio):
    """ExtraOutputs of the script's package, imported under the fake OBS, with OBS live."""
    extra = importlib.import_module("livestream.obs.extra_outputs")
    simulcast = importlib.import_module("livestream.simulcast")
    studio.output = FakeOutput(studio)
    studio.streaming = True
    clock = Clock()
    made = extra.ExtraOutputs(clock=clock)
    targets = [simulcast.SimulcastTarget(name=n, url=f"rtmp://{n.lower()}.example/live2", stream_key=SecretStr(k))
               for n, k in KEYS.items()]
    yield made, targets, clock
    made.release()
    leaks = [(obj.kind, obj.refs, obj.held) for obj in studio.leaks()]
    assert leaks == [], "references the script never released"


def _status(states):
    return {s.name: (s.status.value, s.reason) for s in states}


def test_each_target_gets_its_own_output_and_service_sharing_the_main_encoders(studio, outputs):
    made, targets, _ = outputs
    states = made.start(targets)
    assert _status(states) == {"YouTube": ("connecting", None), "Twitch": ("connecting", None)}
    youtube, twitch = studio.extra_outputs
    assert youtube.type == "rtmp_output" and youtube.started
    assert (youtube.video, youtube.audio) == tuple(studio.encoders), "nothing is encoded twice"
    assert youtube.service is not twitch.service and youtube.service.type == "rtmp_custom"
    assert youtube.service.describe()["settings"] == {"server": "rtmp://youtube.example/live2",
                                                      "key": KEYS["YouTube"]}
    assert studio.output.refs == studio.output.held, "the main output's reference is released after use"
    assert all(not cb.kind.startswith("signal") for cb in studio.callbacks), "no signal handler on OBS's threads"


def test_the_timer_reads_each_output_live_failed_or_silent(studio, outputs):
    made, targets, clock = outputs
    made.start(targets)
    youtube, twitch = studio.extra_outputs
    youtube.connect()
    clock.now += 1
    assert _status(made.poll()) == {"YouTube": ("live", None), "Twitch": ("connecting", None)}
    clock.now += 0.1
    assert made.poll() is None, "read twice a second, not every frame"
    clock.now += 20
    assert _status(made.poll())["Twitch"] == ("failed", "OBS could not connect within 15 s")
    youtube.fail("Could not access the specified channel or stream key")
    clock.now += 1
    assert _status(made.poll())["YouTube"] == ("failed", "Could not access the specified channel or stream key")


def test_stop_stops_the_connected_outputs_and_releases_them_once_inactive(studio, outputs):
    made, targets, clock = outputs
    made.start(targets)
    youtube, twitch = studio.extra_outputs
    youtube.connect()
    states = made.stop()
    assert _status(states) == {"YouTube": ("removed", None), "Twitch": ("removed", None)}
    assert youtube.stopped and not twitch.stopped, "a stop never waits for a connect attempt"
    assert youtube.refs == 0 and twitch.refs == 0 and youtube.service.refs == 0
    clock.now += 1
    assert made.poll() is None, "nothing left to read"


def test_without_the_main_outputs_encoders_every_target_fails_and_nothing_is_created(studio, outputs):
    made, targets, _ = outputs
    studio.output = None  # OBS is not streaming after all
    states = made.start(targets)
    assert {s.status.value for s in states} == {"failed"}
    assert states[0].reason == "OBS's stream output has no encoders to share"
    assert studio.extra_outputs == []


# --- the whole script: a go-live on a provider that does not restream -----------------------


def test_the_script_sends_the_targets_once_live_and_stop_streaming_stops_them(script, studio, backend):
    import sys
    from dataclasses import replace

    script.load(simulcast_1_name="YouTube", simulcast_1_url="rtmp://youtube.example/live2",
                simulcast_1_key=KEYS["YouTube"])
    fake = sys.modules["livestream.providers"].get("fake")
    fake.capabilities = replace(fake.capabilities, simulcast=None)  # as TP Streams: no restreaming

    def shown():
        return [(t["name"], t["status"]) for t in script.app.controller.snapshot.targets]

    script.go_live()
    script.tick_until(lambda: studio.extra_outputs, what="the extra output")
    [youtube] = studio.extra_outputs
    assert youtube.started and youtube.service.describe()["settings"]["key"] == KEYS["YouTube"]
    assert backend.count("add_target") == 0, "the provider is not asked to restream"
    youtube.connect()
    script.tick_until(lambda: shown() == [("YouTube", "live")], what="the target live")

    studio.stop()  # the user presses Stop Streaming in OBS
    script.tick_until(lambda: script.state == "ended", what="the end")
    assert youtube.stopped and youtube.refs == 0
    assert shown() == [("YouTube", "removed")]
    assert KEYS["YouTube"] not in studio.log_text()
