"""Simulcast sent from OBS on request for a provider that could restream (as Mux): the
panel's "Send these from OBS instead of the provider". No target is added on the provider
or removed from it, and OBS's own limits (rtmp/rtmps, at most 4) apply before anything is
created."""

from __future__ import annotations

import pytest
from test_obsside_flow import FakeObsWithOutputs, _targets, with_obs_outputs

from livestream.errors import ConfigurationError
from livestream.providers import check_simulcast
from livestream.session.obsside import sent_by_obs
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State as S
from livestream.simulcast import OBS_SIDE_ID, TargetState, TargetStatus, end_with_targets
from livestream_fakes import FakeObs

YT_KEY = "yt-onreq-key-7a8b9c0d"
TW_KEY = "tw-onreq-key-2e3f4a5b"


@pytest.fixture
def from_obs(harness):
    """A harness whose provider restreams (the fake behaves as Mux) and whose OBS can send targets."""

    def make(**kwargs):
        h = with_obs_outputs(harness(**kwargs))
        assert h.provider.capabilities.simulcast is not None, "the fake provider restreams"
        return h

    return make


def _provider_target_calls(h):
    return [op for op, _ in h.provider.calls if op in ("add_target", "remove_target", "targets")]


def test_on_request_obs_sends_the_targets_and_the_provider_holds_none(from_obs):
    h = from_obs(policies=Policies(status_interval=5))
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science", simulcast_from_obs=True,
                                 simulcast=_targets(("YouTube", YT_KEY), ("Twitch", TW_KEY))))
    h.run()
    assert h.state is S.LIVE
    assert h.obs.started == ["YouTube", "Twitch"]
    assert h.obs.calls.index("start_targets") > h.obs.calls.index("start_streaming")
    assert h.provider.targets.get("s1", {}) == {}, "nothing was added on the provider"
    h.run(seconds=12)  # status reads come and go: none asks the provider about targets
    shown = {t["name"]: t["status"] for t in h.ctrl.snapshot.to_dict(h.clock.now)["targets"]}
    assert shown == {"YouTube": "connecting", "Twitch": "connecting"}
    [entry] = h.unsettled()
    assert [(t["name"], t["target_id"]) for t in entry.targets] == [("YouTube", OBS_SIDE_ID), ("Twitch", OBS_SIDE_ID)]

    h.ctrl.end()
    h.run(seconds=2)
    assert h.state is S.ENDED
    assert h.obs.calls.index("stop_targets") < h.obs.calls.index("stop_streaming")
    assert _provider_target_calls(h) == [], "no simulcast-target request reached the provider"
    assert [op for op, _ in h.provider.calls if op != "get"][-1] == "end"


def test_without_the_request_the_same_provider_restreams_them(from_obs):
    h = from_obs()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=_targets(("YouTube", YT_KEY))))
    h.run()
    assert h.state is S.LIVE and "start_targets" not in h.obs.calls
    assert _provider_target_calls(h)[:1] == ["add_target"]


@pytest.mark.parametrize("targets, says", [
    (_targets(("A", "k-aaaa"), ("B", "k-bbbb"), ("C", "k-cccc"), ("D", "k-dddd"), ("E", "k-eeee")),
     "OBS (sending for Fake Provider) restreams to at most 4 destinations"),
    (_targets(("A", "k-aaaa"), scheme="srt"), "cannot restream to srt://"),
])
def test_obs_limits_apply_before_anything_is_created(from_obs, targets, says):
    h = from_obs()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast_from_obs=True, simulcast=targets))
    h.run()
    assert h.state is S.FAILED and says in h.ctrl.snapshot.message
    assert h.provider.calls == [] and h.unsettled() == []


def test_the_limits_are_obss_not_the_providers(from_obs):
    """The fake provider restreams to at most 3; OBS sends to 4 when asked to."""
    h = from_obs()
    four = _targets(*[(c, f"k-{c}") for c in "ABCD"])
    with pytest.raises(ConfigurationError, match="at most 3 destinations"):
        check_simulcast(h.provider, four)
    check_simulcast(h.provider, four, from_obs=True)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast_from_obs=True, simulcast=four))
    h.run()
    assert h.state is S.LIVE and h.obs.started == ["A", "B", "C", "D"]


def test_a_port_that_cannot_send_refuses_the_request_with_what_to_do(harness):
    h = harness()  # FakeObs, as the remote CLI's port: obs-websocket cannot create outputs
    with pytest.raises(ConfigurationError, match="Only the script inside OBS") as refused:
        h.ctrl._cmd_go_live(GoLiveRequest(provider=h.provider, title="x", simulcast_from_obs=True,
                                          simulcast=_targets(("A", "k-aaaa"))))
    assert "let the provider restream" in (refused.value.hint or "")
    assert h.provider.calls == []


def test_sent_by_obs(harness):
    provider = harness().provider
    able, unable = FakeObsWithOutputs(), FakeObs()
    targets = _targets(("A", "k-aaaa"))
    assert sent_by_obs(GoLiveRequest(provider=provider, simulcast=targets, simulcast_from_obs=True), able)
    assert not sent_by_obs(GoLiveRequest(provider=provider, simulcast=targets), able)
    assert not sent_by_obs(GoLiveRequest(provider=provider, simulcast=targets, simulcast_from_obs=True), unable)
    assert not sent_by_obs(GoLiveRequest(provider=provider, simulcast_from_obs=True), able), "no targets"
    assert not sent_by_obs(None, able)


def test_the_end_of_obs_sent_targets_asks_the_provider_nothing_about_them(harness):
    """The pending ends end a ledger entry with OBS-sent targets: only the stream is ended."""
    h = harness()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", start_streaming=False))
    h.run()
    stream_id = next(iter(h.provider.streams))
    end_with_targets(h.provider, stream_id, [TargetState(name="YouTube", target_id=OBS_SIDE_ID,
                                                         status=TargetStatus.LIVE).to_dict()])
    assert _provider_target_calls(h) == [] and h.provider.calls[-1][0] == "end"


def test_a_port_that_forwards_by_getattr_still_sends_targets():
    """The armed setting wraps the script's port in one that forwards by ``__getattr__``; a
    runtime protocol check reads attributes statically on Python 3.12+ (OBS 30's 3.13, OBS
    32's 3.14) and refused TP Streams' OBS-sent targets there."""
    from livestream.session.armed import RecordingPort
    from livestream.session.obsside import sends_targets

    class Sender:
        def start_targets(self, targets):
            return []

        def poll_targets(self):
            return None

        def stop_targets(self):
            return []

    assert sends_targets(RecordingPort(Sender()))
    assert not sends_targets(RecordingPort(object()))
