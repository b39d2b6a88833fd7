"""With a slow provider, a Go live pressed right after an end does not wait behind the
end's follow-up look-up (for the recording URL): one provider round trip per go-live."""

from __future__ import annotations

import threading
import time

from livestream.session.controller import Controller
from livestream.session.ledger import Ledger
from livestream.session.request import GoLiveRequest
from livestream.session.states import State
from livestream.session.worker import Worker
from livestream_fakes import FakeObs, FakeProvider


class SlowLookups(FakeProvider):
    """``get`` blocks until released, like a provider that takes seconds to answer."""

    def __init__(self) -> None:
        super().__init__(key_after_polls=0)
        self.release = threading.Event()

    def get(self, stream_id: str):
        self.release.wait(10)
        return super().get(stream_id)


def tick_until(ctrl: Controller, condition, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}; state {ctrl.state}"
        ctrl.tick()
        time.sleep(0.005)


def test_the_next_go_live_does_not_wait_for_the_last_ones_follow_up_lookup(tmp_path):
    obs, provider = FakeObs(), SlowLookups()
    ctrl = Controller(obs, ledger=Ledger(tmp_path / "ledger.json"), worker=Worker())
    obs.controller = ctrl
    try:
        ctrl.go_live(GoLiveRequest(provider=provider, title="first"))
        tick_until(ctrl, lambda: ctrl.state is State.LIVE, "the first go-live")
        ctrl.end()
        tick_until(ctrl, lambda: ctrl.state is State.ENDED, "the end")
        # The follow-up look-up of the first stream is now waiting on the slow provider.

        ctrl.go_live(GoLiveRequest(provider=provider, title="second"))
        tick_until(ctrl, lambda: ctrl.state is State.LIVE, "the second go-live, while the look-up still waits")
        assert provider.count("create") == 2 and not provider.release.is_set()
    finally:
        provider.release.set()
        ctrl.shutdown(end_stream=False)
