"""How often the script asks TP Streams whether its server is up: every 3 s until the
documented 20-30 s boot is due, every 0.5 s while it is, once a second for 10 s after it;
never more than one request a second on average since the create."""

from __future__ import annotations

import bisect

from livestream.providers.tpstreams import TPStreams
from livestream.session.controller import Controller
from livestream.session.ledger import Ledger
from livestream.session.request import GoLiveRequest
from livestream.session.states import State
from livestream.session.worker import InlineWorker
from livestream_fakes import FakeObs, FakeProvider


def poll_times(provider_cls, until: float) -> list[float]:
    times, waited = [], 0.0
    while waited < until:
        waited += provider_cls.poll_delay(provider_cls, waited)
        times.append(round(waited, 1))
    return times


def test_tp_streams_is_polled_fast_only_inside_its_documented_boot_window():
    times = poll_times(TPStreams, 60)
    before, inside, late, after = ([t for t in times if t < 20], [t for t in times if 20 <= t <= 30],
                                   [t for t in times if 30 < t <= 40], [t for t in times if t > 40])
    assert before == [3.0, 6.0, 9.0, 12.0, 15.0, 18.0]
    assert inside == [20 + i / 2 for i in range(21)]  # the key is noticed within half a second
    assert late == [float(t) for t in range(31, 41)]
    assert all(b - a == 3.0 for a, b in zip(after, after[1:]))


def test_tp_streams_gets_at_most_one_request_a_second_on_average_while_the_streamer_waits():
    times = poll_times(TPStreams, 180)
    for tenth in range(30, 1800):  # from the first poll on, every 0.1 s for 3 minutes
        now = tenth / 10
        requests = 1 + bisect.bisect_right(times, now + 1e-9)  # the create, and the polls so far
        assert requests <= now, f"{requests} requests in the first {now} s"


class BootingProvider(FakeProvider):
    """Like TP Streams: the key appears ``boot`` seconds after the create."""

    boot_window = TPStreams.boot_window
    poll_delay = TPStreams.poll_delay

    def __init__(self, clock, boot: float) -> None:
        super().__init__(key_after_polls=10_000)
        self.clock, self.ready_at, self.polled_at = clock, clock() + boot, []

    def get(self, stream_id: str):
        self.polled_at.append(self.clock())
        if self.clock() >= self.ready_at:
            self.key_after_polls = 0
        return super().get(stream_id)


def test_the_controller_notices_a_key_within_half_a_second_of_a_25_s_boot(tmp_path):
    now = [1000.0]
    obs, provider = FakeObs(), BootingProvider(lambda: now[0], boot=25.4)
    ctrl = Controller(obs, ledger=Ledger(tmp_path / "ledger.json"), worker=InlineWorker(), clock=lambda: now[0])
    obs.controller = ctrl
    ctrl.go_live(GoLiveRequest(provider=provider, title="class"))
    ctrl.tick()
    while ctrl.state is not State.LIVE and now[0] < 1100:
        now[0] = round(now[0] + 0.1, 1)
        ctrl.tick()
    assert ctrl.state is State.LIVE
    assert now[0] - provider.ready_at <= 0.5
    gaps = [b - a for a, b in zip(provider.polled_at, provider.polled_at[1:])]
    assert min(gaps) >= 0.5 - 1e-9 and len(provider.polled_at) <= 7 + 11
