"""The CLI's --follow when OBS goes away under it: after a few seconds it counts as stopped."""

from __future__ import annotations

from livestream.cli.obs_lost import LostObsWatch
from livestream.errors import ObsUnreachableError
from livestream.session.states import State


class FakeClient:
    def __init__(self) -> None:
        self.connected = True
        self.back = False  # OBS answers again (a blip)

    def is_streaming(self) -> bool:
        if not self.back:
            raise ObsUnreachableError("OBS is gone")
        return True


class FakeController:
    def __init__(self) -> None:
        self.state = State.LIVE
        self.stopped: list[object] = []

    def streaming_stopped(self, error: object) -> None:
        self.stopped.append(error)


SAID: list[str] = []


def make(now: list[float]) -> tuple[LostObsWatch, FakeClient, FakeController]:
    client, controller = FakeClient(), FakeController()
    SAID.clear()
    return LostObsWatch(client, controller, grace=5.0, clock=lambda: now[0], say=SAID.append), client, controller


def test_obs_gone_for_the_grace_counts_as_stopped_once():
    now = [100.0]
    watch, client, controller = make(now)
    watch.check()
    client.connected = False
    watch.check()
    now[0] += 4.9
    watch.check()
    assert controller.stopped == []  # a blip is given its seconds
    now[0] += 0.2
    watch.check()
    watch.check()
    assert controller.stopped == [None]  # as OBS's own Stop: the provider stream is ended
    assert len(SAID) == 1 and "Lost the connection to OBS" in SAID[0]


def test_obs_back_and_streaming_is_not_a_stop():
    now = [0.0]
    watch, client, controller = make(now)
    client.connected = False
    watch.check()
    client.back = True
    now[0] += 6
    watch.check()
    assert controller.stopped == [] and SAID == []


def test_only_a_starting_or_live_go_live_is_watched():
    now = [0.0]
    watch, client, controller = make(now)
    controller.state = State.ENDING
    client.connected = False
    watch.check()
    now[0] += 60
    watch.check()
    assert controller.stopped == []
