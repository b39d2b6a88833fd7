"""A go-live adopted after a script reload (a scene-collection switch, say) keeps its
simulcast targets: the provider's are removed at its end, and the ones OBS sent are sent
again from the panel's saved targets when those name the same targets (name and server
URL; the ledger keeps no key). One that cannot be restored is said in the log and shown
removed; the class goes on."""

from __future__ import annotations

import logging

from pydantic import SecretStr
from test_obsside_flow import with_obs_outputs

from livestream.providers.declare import Capabilities
from livestream.session.obsside import NOT_RESTORED, matching_saved, planned
from livestream.session.request import GoLiveRequest
from livestream.session.states import State as S
from livestream.simulcast import SimulcastTarget, TargetStatus

YT_KEY = "yt-adopt-key-6f7a8b9c"
TW_KEY = "tw-adopt-key-0d1e2f3a"


def _target(name, key, url=None):
    return SimulcastTarget(name=name, url=url or f"rtmp://{name.lower()}.example/live2", stream_key=SecretStr(key))


TARGETS = [_target("YouTube", YT_KEY), _target("Twitch", TW_KEY)]


def _live_from_obs(harness):
    """A go-live whose targets OBS sends (on request, the provider could restream)."""
    h = with_obs_outputs(harness())
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=list(TARGETS), simulcast_from_obs=True))
    h.run()
    assert h.state is S.LIVE and h.obs.started == ["YouTube", "Twitch"]
    return h


def _reloaded(harness, h, saved, *, streaming=True):
    """The script after a reload: a new controller adopts the ledger's go-live."""
    h2 = with_obs_outputs(harness())
    h2.obs.streaming = streaming
    h2.provider = h.provider
    h2.ctrl.saved_targets = lambda: list(saved)
    h2.ctrl.recover(h.resumable(), h.provider)
    h2.run()
    return h2


def _shown(h):
    return {t["name"]: (t["status"], t["reason"]) for t in h.ctrl.snapshot.to_dict(h.clock.now)["targets"]}


def test_obs_sends_the_adopted_go_lives_targets_again_from_the_saved_ones(harness):
    h = _live_from_obs(harness)
    text = h.ledger.path.read_text()
    assert YT_KEY not in text and TW_KEY not in text and "youtube.example" in text
    h2 = _reloaded(harness, h, [_target("YouTube", YT_KEY), _target("Twitch", TW_KEY)])
    assert h2.state is S.LIVE
    assert h2.obs.started == ["YouTube", "Twitch"], "both sent again from OBS"
    assert _shown(h2) == {"YouTube": ("connecting", None), "Twitch": ("connecting", None)}
    h2.ctrl.end()
    h2.run(seconds=2)
    assert h2.state is S.ENDED
    assert h2.obs.calls.index("stop_targets") < h2.obs.calls.index("stop_streaming")
    assert [op for op, _ in h.provider.calls if op in ("add_target", "remove_target")] == []


def test_a_target_saved_with_another_url_is_not_restored_and_the_log_says_so(harness, caplog):
    h = _live_from_obs(harness)
    saved = [_target("YouTube", YT_KEY), _target("Twitch", TW_KEY, url="rtmp://elsewhere.example/app"),
             _target("Facebook", "fb-adopt-key-77")]
    with caplog.at_level(logging.WARNING, logger="livestream.session"):
        h2 = _reloaded(harness, h, saved)
    assert h2.state is S.LIVE
    assert h2.obs.started == ["YouTube"], "only the same target, and none the go-live did not have"
    assert _shown(h2) == {"YouTube": ("connecting", None), "Twitch": ("removed", NOT_RESTORED)}
    assert "Simulcast target 'Twitch' (twitch.example) cannot be restored after the reload" in caplog.text
    h2.run(seconds=2)
    assert _shown(h2)["Twitch"] == ("removed", NOT_RESTORED), "the status reads keep it"


def test_nothing_saved_restores_nothing_and_the_class_goes_on(harness, caplog):
    h = _live_from_obs(harness)
    with caplog.at_level(logging.WARNING, logger="livestream.session"):
        h2 = _reloaded(harness, h, [])
    assert h2.state is S.LIVE and "start_targets" not in h2.obs.calls
    assert {status for status, _ in _shown(h2).values()} == {"removed"}
    assert caplog.text.count("cannot be restored after the reload") == 2


def test_a_resumed_offer_sends_them_once_obs_is_live(harness):
    h = _live_from_obs(harness)
    h2 = _reloaded(harness, h, list(TARGETS), streaming=False)
    assert h2.state is S.READY and "start_targets" not in h2.obs.calls
    h2.ctrl.go_live(GoLiveRequest(provider=h.provider, title="ignored"))
    h2.run()
    assert h2.state is S.LIVE
    assert h2.obs.calls.index("start_targets") > h2.obs.calls.index("start_streaming")
    assert h2.obs.started == ["YouTube", "Twitch"]


def test_an_adopted_go_live_still_removes_the_providers_targets_at_its_end(harness):
    h = harness()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=list(TARGETS)))
    h.run()
    assert h.provider.targets["s1"] == {"t1": "YouTube", "t2": "Twitch"}
    h2 = harness()
    h2.obs.streaming = True
    h2.provider = h.provider
    h2.ctrl.recover(h.resumable(), h.provider)
    h2.run(seconds=2)
    assert h2.state is S.LIVE
    h2.ctrl.end()
    h2.run(seconds=2)
    assert h2.state is S.ENDED
    assert h.provider.targets["s1"] == {}, "the reused stream restreams to nothing old"


def test_a_provider_that_does_not_restream_adopts_its_obs_targets_too(harness):
    h = with_obs_outputs(harness())
    h.provider.capabilities = Capabilities(scheduling=True)  # as TP Streams
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="x", simulcast=list(TARGETS)))
    h.run()
    h2 = _reloaded(harness, h, list(TARGETS))
    assert h2.state is S.LIVE and h2.obs.started == ["YouTube", "Twitch"]


# --- matching_saved: which saved targets are the ledger's --------------------------------


def test_matching_saved_needs_the_same_name_and_url():
    held = planned(TARGETS)
    found, lost = matching_saved(held, [_target("youtube", "other-key-1234"),
                                        _target("Twitch", TW_KEY, url="rtmps://twitch.example/live2")])
    assert [t.name for t in found] == ["youtube"], "the name in any case; the key is the one saved now"
    assert [t.name for t in lost] == ["Twitch"]
    no_key = _target("YouTube", "")
    assert matching_saved(held[:1], [no_key]) == ([], held[:1]), "a saved target without a key is not sent"
    old_entry = [held[0].__class__(name="YouTube", target_id="obs", status=TargetStatus.LIVE)]
    assert matching_saved(old_entry, TARGETS) == ([], old_entry), "an entry without the URL's digest"
