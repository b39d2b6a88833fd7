"""A go-live's stream key is masked while it can still show up (its own go-live and the
next one), then forgotten, so a long-running OBS does not keep every key it ever had;
credentials stay masked for good, and what was logged while a key was known stays masked."""

from __future__ import annotations

import logging

import pytest

from livestream import secrets
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State as S
from livestream_fakes import PREVIOUS_SERVICE

USER_KEY = PREVIOUS_SERVICE.settings["key"]


@pytest.fixture(autouse=True)
def clean_registry():
    """An empty registry here, and the one other test modules had put back afterwards."""
    before = secrets.registered()
    secrets.forget_all()
    yield
    secrets.forget_all()
    secrets.register(*before)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        secrets.install_filter([self])

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_stream_values_last_two_go_lives_and_credentials_for_good():
    secrets.register("api-token-lasting-0001")
    secrets.register_stream("key-of-go-live-one")
    secrets.next_go_live()
    secrets.register_stream("key-of-go-live-two")
    assert {"key-of-go-live-one", "key-of-go-live-two"} <= secrets.registered()
    assert secrets.next_go_live() == 1
    assert "key-of-go-live-one" not in secrets.registered()
    assert secrets.redact("key-of-go-live-two / api-token-lasting-0001") == "*** / ***"


def test_a_value_seen_again_moves_to_the_go_live_under_way_and_a_lasting_one_stays():
    secrets.register_stream("reused-stream-key", "also-a-credential")
    secrets.register("also-a-credential")
    secrets.next_go_live()
    secrets.register_stream("reused-stream-key")  # the same stream, reused
    secrets.next_go_live()
    secrets.next_go_live()
    assert "also-a-credential" in secrets.registered()
    assert "reused-stream-key" not in secrets.registered()
    secrets.register_stream("reused-stream-key")
    secrets.next_go_live()
    assert "reused-stream-key" in secrets.registered()


def test_what_was_logged_while_a_key_was_known_stays_masked_after_it_is_forgotten():
    handler = Lines()
    log = logging.getLogger("livestream.test.secrets")
    log.addHandler(handler)
    log.propagate = False
    try:
        secrets.register_stream("rtmp-key-abcdef-1234")
        log.warning("publishing to rtmp://ingest.example/live/%s", "rtmp-key-abcdef-1234")
        for _ in range(3):
            secrets.next_go_live()
        assert "rtmp-key-abcdef-1234" not in secrets.registered()
    finally:
        log.removeHandler(handler)
    assert handler.lines == ["publishing to rtmp://ingest.example/live/***"]


def go_live_and_end(h, key: str) -> None:
    h.provider.stream_key = key
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Class"))
    h.run()
    assert h.state is S.LIVE
    h.obs.stop_streaming()
    h.run()
    assert h.state is S.ENDED


def test_three_go_lives_keep_only_the_last_two_keys_and_the_users_own_key(harness):
    h = harness()
    for n in (1, 2, 3):
        go_live_and_end(h, f"provider-key-{n}-xxxxxxxx")
    known = secrets.registered()
    assert "provider-key-1-xxxxxxxx" not in known
    assert {"provider-key-2-xxxxxxxx", "provider-key-3-xxxxxxxx"} <= known
    # The user's own key is in OBS's settings again after each end: it is read at every
    # go-live, so it stays masked.
    assert USER_KEY in known
    assert h.obs.service == PREVIOUS_SERVICE


def test_a_key_left_in_obs_without_restoring_stays_masked_while_it_is_there(harness):
    h = harness(policies=Policies(restore_previous=False))
    for n in (1, 2, 3):
        go_live_and_end(h, f"provider-key-{n}-yyyyyyyy")
    for _ in range(3):  # more go-lives (refused at once or not) must not drop what OBS still holds
        go_live_and_end(h, "provider-key-3-yyyyyyyy")
    assert h.obs.service.settings["key"] == "provider-key-3-yyyyyyyy"
    assert "provider-key-3-yyyyyyyy" in secrets.registered()
    assert "provider-key-1-yyyyyyyy" not in secrets.registered()
