"""A recovery's due new stream survives a script reload (or an OBS crash): it is on disk without
secrets, and carried on at load only while its class or the armed setting still applies."""

from __future__ import annotations

import json

from livestream import secrets
from livestream.session.recovery_saved import MAX_LATE, resume_at_load, why_not
from livestream.session.request import GoLiveRequest
from livestream.session.states import State
from tests.session.conftest import Harness

SECRET = "sk-live-do-not-write-me"


def lost_class(tmp_path, origin: str = "timetable") -> Harness:
    """Live on s1 (no reconnect window), then OBS gives up: a new stream is due in 5 s."""
    h = Harness(tmp_path)
    secrets.register(SECRET)
    request = GoLiveRequest(provider=h.provider, title="Class", origin=origin,
                            options={"latency": "low", "passphrase": SECRET})
    h.ctrl.go_live(request)
    h.run()
    h.obs.streaming = False
    h.ctrl.streaming_stopped("The connection to the server was lost")
    h.run()
    assert h.state is State.ENDED and h.ctrl.recovering
    return h


def reloaded(tmp_path, h: Harness, **kwargs) -> tuple[Harness, bool]:
    """The script loads again (a new controller on the same state folder, the same clock)."""
    again = Harness(tmp_path)
    again.clock.now = h.clock.now
    again.provider = h.provider
    args = dict(now=again.clock(), armed=False, in_class=True, class_end=again.clock() + 3600)
    args.update(kwargs)
    return again, resume_at_load(again.ctrl, build_provider=lambda name: again.provider, **args)


def test_the_due_new_stream_is_on_disk_without_secrets(tmp_path):
    h = lost_class(tmp_path)
    text = (tmp_path / "recovery.json").read_text()
    assert SECRET not in text and h.provider.stream_key not in text
    saved = json.loads(text)
    assert (saved["title"], saved["origin"], saved["tries"], saved["options"]) == \
        ("Class", "timetable", 1, {"latency": "low"})


def test_after_a_reload_the_new_stream_goes_live_with_the_tries_carried_on(tmp_path):
    h = lost_class(tmp_path)
    again, resumed = reloaded(tmp_path, h)
    assert resumed and again.ctrl.recovering
    again.run(6)
    assert again.state is State.LIVE and again.ctrl.snapshot.stream_id == "s2"
    assert again.ledger.entries()[-1].origin == "timetable" and again.ledger.entries()[-1].title == "Class"
    assert not (tmp_path / "recovery.json").exists()  # done: a second reload makes nothing
    assert again.ctrl._go.recovery.tries == 1  # the try made before the reload counts


def test_a_new_stream_made_before_the_reload_is_not_made_again(tmp_path):
    h = lost_class(tmp_path)
    h.run(6)
    assert h.state is State.LIVE
    _, resumed = reloaded(tmp_path, h)
    assert not resumed


def test_not_carried_on_once_its_class_is_over_or_the_schedule_dropped_it(tmp_path):
    h = lost_class(tmp_path)
    again, resumed = reloaded(tmp_path, h, class_end=h.clock() - 1)
    assert not resumed and not again.ctrl.recovering
    again.run(30)
    assert again.state is State.IDLE and not (tmp_path / "recovery.json").exists()


def test_an_armed_one_needs_the_armed_setting_still_ticked(tmp_path):
    h = lost_class(tmp_path, origin="armed")
    _, resumed = reloaded(tmp_path, h, armed=False, in_class=False, class_end=None)
    assert not resumed
    h2 = lost_class(tmp_path / "b", origin="armed")
    again, resumed = reloaded(tmp_path / "b", h2, armed=True, in_class=False, class_end=None)
    assert resumed
    again.run(6)
    assert again.state is State.LIVE and again.ledger.entries()[-1].origin == "armed"


def test_the_rule_of_what_still_applies():
    saved = {"due_at": 1000.0, "origin": "schedule"}
    assert why_not(saved, 1000.0, armed=False, in_class=True, class_end=None) is None  # no set end
    assert "over" in why_not(saved, 1000.0, armed=False, in_class=True, class_end=990.0)
    assert "no longer holds" in why_not(saved, 1000.0, armed=True, in_class=False, class_end=None)
    assert "too long ago" in why_not(saved, 1000.0 + MAX_LATE + 1, armed=False, in_class=True, class_end=None)
