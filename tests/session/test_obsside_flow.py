"""Simulcast sent by OBS itself, for a provider that does not restream (as TP Streams):
the extra outputs start once OBS is live, each target's status is shown, a failed one is a
warning, and they stop before the main stream (or when OBS stops it)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import SecretStr

from livestream.errors import ConfigurationError
from livestream.providers.declare import Capabilities
from livestream.session.obsside import CONNECT_WAIT, Observed, judge
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State as S
from livestream.simulcast import SimulcastTarget, TargetState, TargetStatus
from livestream_fakes import FakeObs

YT_KEY = "yt-obs-key-5d6e7f8a"
TW_KEY = "tw-obs-key-1a2b3c4d"


class FakeObsWithOutputs(FakeObs):
    """FakeObs that can send targets itself, as the in-process port does."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[str] = []
        self.states: list[TargetState] = []
        self.next_poll: list[TargetState] | None = None

    def start_targets(self, targets):
        self.calls.append("start_targets")
        self.started = [t.name for t in targets]
        self.states = [TargetState(name=t.name, target_id="obs", status=TargetStatus.CONNECTING, host=t.host)
                       for t in targets]
        return list(self.states)

    def poll_targets(self):
        polled, self.next_poll = self.next_poll, None
        if polled is not None:
            self.states = polled
        return polled

    def stop_targets(self):
        self.calls.append("stop_targets")
        self.states = [replace(t, status=TargetStatus.REMOVED) for t in self.states]
        return list(self.states)


def _targets(*names_keys, scheme="rtmp"):
    return [SimulcastTarget(name=n, url=f"{scheme}://{n.lower()}.example/live2", stream_key=SecretStr(k))
            for n, k in names_keys]


def with_obs_outputs(h):
    """``h`` with an OBS that sends targets itself, as the script's port does."""
    h.obs = FakeObsWithOutputs()
    h.obs.controller = h.ctrl
    h.ctrl.obs = h.obs
    return h


@pytest.fixture
def obs_side(harness):
    """A harness whose provider does not restream and whose OBS sends targets itself."""

    def make(**kwargs):
        h = with_obs_outputs(harness(**kwargs))
        h.provider.capabilities = Capabilities(scheduling=True)  # no simulcast: as TP Streams
        return h

    return make


def _shown(h):
    return {t["name"]: (t["status"], t["reason"]) for t in h.ctrl.snapshot.to_dict(h.clock.now)["targets"]}


def test_obs_starts_the_targets_once_live_and_stops_them_before_the_main_stream(obs_side):
    h = obs_side()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science",
                                 simulcast=_targets(("YouTube", YT_KEY), ("Twitch", TW_KEY))))
    h.run()
    assert h.state is S.LIVE
    assert h.obs.started == ["YouTube", "Twitch"]
    assert h.obs.calls.index("start_targets") > h.obs.calls.index("start_streaming"), \
        "the extra outputs share the main stream's encoders: they start after it"
    assert "add_target" not in [op for op, _ in h.provider.calls], "the provider is not asked to restream"
    assert _shown(h) == {"YouTube": ("connecting", None), "Twitch": ("connecting", None)}
    [entry] = h.unsettled()
    assert [t["name"] for t in entry.targets] == ["YouTube", "Twitch"]
    assert YT_KEY not in h.ledger.path.read_text() and TW_KEY not in h.ledger.path.read_text()

    h.obs.next_poll = [replace(t, status=TargetStatus.LIVE) for t in h.obs.states]
    h.run(seconds=1)
    assert _shown(h) == {"YouTube": ("live", None), "Twitch": ("live", None)}

    h.ctrl.end()
    h.run(seconds=2)
    assert h.state is S.ENDED
    assert h.obs.calls.index("stop_targets") < h.obs.calls.index("stop_streaming")
    assert _shown(h) == {"YouTube": ("removed", None), "Twitch": ("removed", None)}
    assert [op for op, _ in h.provider.calls if op != "get"][-1] == "end"


def test_a_target_that_fails_is_a_warning_and_the_class_stays_live(obs_side):
    h = obs_side()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=_targets(("YouTube", YT_KEY),
                                                                                     ("Twitch", TW_KEY))))
    h.run()
    yt, tw = h.obs.states
    h.obs.next_poll = [replace(yt, status=TargetStatus.LIVE),
                       replace(tw, status=TargetStatus.FAILED, reason="Could not connect to the server")]
    h.run(seconds=1)
    assert h.state is S.LIVE
    assert h.ctrl.snapshot.level == "warning"
    assert "Not streaming to Twitch: failed (Could not connect to the server)" in h.ctrl.snapshot.message
    assert _shown(h)["Twitch"] == ("failed", "Could not connect to the server")


def test_when_obs_stops_the_main_stream_the_targets_stop_too(obs_side):
    h = obs_side(policies=Policies(end_on_stop=False))
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=_targets(("YouTube", YT_KEY))))
    h.run()
    h.obs.streaming = False
    h.ctrl.streaming_stopped("The connection was lost")
    h.run()
    assert h.state is S.READY
    assert "stop_targets" in h.obs.calls
    assert _shown(h) == {"YouTube": ("removed", None)}
    h.ctrl.resume()
    h.run()
    assert h.state is S.LIVE and h.obs.calls.count("start_targets") == 2, "Go live again sends to them again"


@pytest.mark.parametrize("targets, says", [
    (_targets(("A", "k-aaaa"), ("B", "k-bbbb"), ("C", "k-cccc"), ("D", "k-dddd"), ("E", "k-eeee")),
     "at most 4 destinations"),
    (_targets(("A", "k-aaaa"), scheme="srt"), "cannot restream to srt://"),
])
def test_targets_obs_cannot_send_are_refused_before_anything_is_created(obs_side, targets, says):
    h = obs_side()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=targets))
    h.run()
    assert h.state is S.FAILED and says in h.ctrl.snapshot.message
    assert h.provider.calls == [] and h.unsettled() == []


def test_without_obs_side_outputs_a_provider_that_does_not_restream_refuses_targets(harness):
    h = harness()  # FakeObs, as the remote CLI's port: obs-websocket cannot create outputs
    h.provider.capabilities = Capabilities(scheduling=True)
    with pytest.raises(ConfigurationError, match="does not restream"):
        h.ctrl._cmd_go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=_targets(("A", "k-aaaa"))))


# --- judge: one look at an extra output as the target's status -----------------------------

CONNECTING = TargetState(name="YouTube", target_id="obs", status=TargetStatus.CONNECTING, host="a.example")


@pytest.mark.parametrize("seen, waited, was_live, expected", [
    (Observed(active=False, reconnecting=False), 1.0, False, (TargetStatus.CONNECTING, None)),
    (Observed(active=True, reconnecting=False), 1.0, False, (TargetStatus.LIVE, None)),
    (Observed(active=False, reconnecting=False, last_error="Could not access the specified channel or stream key"),
     1.0, False, (TargetStatus.FAILED, "Could not access the specified channel or stream key")),
    (Observed(active=False, reconnecting=False), CONNECT_WAIT, False,
     (TargetStatus.FAILED, f"OBS could not connect within {int(CONNECT_WAIT)} s")),
    (Observed(active=True, reconnecting=True), 60.0, True,
     (TargetStatus.CONNECTING, "OBS lost the connection and is reconnecting")),
    (Observed(active=False, reconnecting=False), 60.0, True, (TargetStatus.FAILED, "the connection was lost")),
])
def test_judge_maps_what_obs_shows_to_the_targets_status(seen, waited, was_live, expected):
    new = judge(CONNECTING, seen, waited=waited, was_live=was_live)
    assert (new.status, new.reason) == expected
    assert (new.name, new.host) == ("YouTube", "a.example")


def test_a_failed_target_stays_failed_unless_it_is_sending_and_removed_is_final():
    failed = replace(CONNECTING, status=TargetStatus.FAILED, reason="OBS could not connect within 15 s")
    assert judge(failed, Observed(active=False, reconnecting=False), waited=20, was_live=False) == failed
    assert judge(failed, Observed(active=True, reconnecting=False), waited=20, was_live=False).status \
        is TargetStatus.LIVE, "a slow connect that made it after all is shown live"
    removed = replace(CONNECTING, status=TargetStatus.REMOVED)
    assert judge(removed, Observed(active=True, reconnecting=False), waited=20, was_live=True) == removed


def test_obs_last_error_never_shows_a_registered_key():
    SimulcastTarget(name="YouTube", url="rtmp://a.example/live2", stream_key=SecretStr(YT_KEY))  # registers it
    new = judge(CONNECTING, Observed(active=False, reconnecting=False, last_error=f"refused {YT_KEY}"),
                waited=1, was_live=False)
    assert new.status is TargetStatus.FAILED and YT_KEY not in (new.reason or "")
