"""A go-live with simulcast targets: added before OBS publishes, shown per target, removed at the end.

The fake provider behaves as Mux documents its simulcast targets: added only while the
stream is idle, with a status of their own.
"""

from __future__ import annotations

from pydantic import SecretStr

from livestream import secrets
from livestream.errors import ConfigurationError, InvalidRequestError, ProviderServerError
from livestream.session.pending import PendingEnds
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State as S
from livestream.session.worker import InlineWorker
from livestream.simulcast import SimulcastTarget

YT_KEY = "yt-key-9f8e7d6c5b4a"
TW_KEY = "tw-key-0a1b2c3d4e5f"


def _targets(*names_keys):
    return [SimulcastTarget(name=n, url=f"rtmp://{n.lower()}.example/live2", stream_key=SecretStr(k))
            for n, k in names_keys]


def go_live(h, targets):
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science", simulcast=targets))
    h.run()


def test_targets_are_added_before_obs_publishes_and_removed_before_the_end(harness):
    h = harness()
    seen = []
    h.provider.on_call = lambda op: seen.append((op, "start_streaming" in h.obs.calls))
    go_live(h, _targets(("YouTube", YT_KEY), ("Twitch", TW_KEY)))
    assert h.state is S.LIVE
    assert [op for op, _ in h.provider.calls][:3] == ["create", "add_target", "add_target"]
    assert [published for op, published in seen if op == "add_target"] == [False, False], \
        "every target is added while the stream is still idle"
    assert h.provider.targets["s1"] == {"t1": "YouTube", "t2": "Twitch"}
    shown = h.ctrl.snapshot.to_dict(h.clock.now)["targets"]
    assert [(t["name"], t["host"]) for t in shown] == [("YouTube", "youtube.example"), ("Twitch", "twitch.example")]
    [entry] = h.unsettled()
    assert [t["target_id"] for t in entry.targets] == ["t1", "t2"]
    assert YT_KEY not in h.ledger.path.read_text() and TW_KEY not in h.ledger.path.read_text()

    h.ctrl.end()
    h.run(seconds=2)
    assert h.state is S.ENDED
    tail = [op for op, _ in h.provider.calls if op != "get"][-3:]
    assert tail == ["remove_target", "remove_target", "end"]
    assert h.provider.targets["s1"] == {}, "the next go-live on this stream restreams to nothing old"


def test_each_targets_status_is_read_with_the_streams(harness):
    h = harness(policies=Policies(status_interval=5))
    go_live(h, _targets(("YouTube", YT_KEY)))
    h.provider.streams["s1"]["status"] = h.provider.streams["s1"]["status"].LIVE
    h.run(seconds=6)
    assert [t["status"] for t in h.ctrl.snapshot.to_dict(h.clock.now)["targets"]] == ["live"]


def test_a_target_the_provider_refuses_is_a_warning_and_the_class_goes_live(harness):
    h = harness()
    h.provider.fail["add_target"] = [InvalidRequestError("stream_key is invalid", provider="Fake", status_code=400)]
    go_live(h, _targets(("YouTube", YT_KEY), ("Twitch", TW_KEY)))
    assert h.state is S.LIVE
    assert any("Not restreaming to YouTube: failed (stream_key is invalid)" in s.message for s in h.snapshots)
    assert [t["status"] for t in h.ctrl.snapshot.to_dict(h.clock.now)["targets"]] == ["failed", "idle"]
    h.ctrl.end()
    h.run(seconds=2)
    removed = [arg for op, arg in h.provider.calls if op == "remove_target"]
    assert removed == ["t1"], "only the target that was added is removed"


def test_targets_the_provider_cannot_take_are_refused_before_anything_is_created(harness):
    h = harness()
    four = _targets(("A", "key-aaaa"), ("B", "key-bbbb"), ("C", "key-cccc"), ("D", "key-dddd"))
    try:
        h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science", simulcast=four))
        h.run()
    except ConfigurationError as refused:
        assert "at most 3 destinations" in str(refused)
    assert h.provider.count("create") == 0 and not h.unsettled()
    assert h.state in (S.IDLE, S.FAILED)
    assert "at most 3 destinations" in (h.ctrl.snapshot.message + str(h.ctrl.snapshot.error or ""))


def test_a_removal_that_cannot_reach_the_provider_is_retried_by_the_pending_ends(harness):
    h = harness(policies=Policies(end_attempts=1))
    go_live(h, _targets(("YouTube", YT_KEY)))
    h.provider.fail["remove_target"] = [ProviderServerError("503 from the provider")]
    h.ctrl.end()
    h.run(seconds=2)
    [entry] = h.unsettled()
    assert entry.state == "end-failed" and [t["name"] for t in entry.targets] == ["YouTube"]
    assert h.provider.count("end") == 0, "the stream is not ended while its target may still restream"

    pending = PendingEnds(h.ledger, InlineWorker(), provider_for=lambda e: h.provider,
                          wall=lambda: h.clock.now + 10_000)
    pending.end_all_now()
    for _ in range(5):
        pending.tick()
    assert not h.unsettled()
    assert h.provider.targets["s1"] == {} and h.provider.count("end") == 1
    assert YT_KEY in secrets.registered()
