"""What a crash between the go-live's steps leaves on disk: always enough to end the
provider stream and put the user's own stream settings back.

The entry is written before the create leaves; the provider's answer (stream id, and that
OBS's settings are about to be replaced) is written by the worker as soon as it arrives,
before the timer hands OBS the key; nothing more is written between that and the start.
"""

from __future__ import annotations

from livestream.session.ledger import Ledger
from livestream.session.request import GoLiveRequest
from livestream.session.states import State as S
from livestream_fakes import PREVIOUS_SERVICE


class HeldWorker:
    """Runs each job only when the test says: the moments between the steps."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, fn, done) -> None:
        self.jobs.append((fn, done))

    def run_next(self) -> None:
        fn, done = self.jobs.pop(0)
        try:
            result, error = fn(), None
        except BaseException as exc:  # noqa: BLE001
            result, error = None, exc
        done(result, error)

    def stop(self, timeout: float = 0.0) -> None:
        pass


def on_disk(path):
    """The ledger as a new process (the next OBS start) reads it."""
    return Ledger(path).entries()


def start(harness, tmp_path, **kwargs):
    h = harness(**kwargs)
    h.ctrl.worker = HeldWorker()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science Live class"))
    h.ctrl.tick()
    return h


def test_a_crash_right_after_the_create_answer_leaves_the_stream_id_on_disk(harness, tmp_path):
    h = start(harness, tmp_path)
    [entry] = on_disk(h.ledger.path)
    assert entry.state == "creating" and entry.stream_id is None and entry.reference

    h.ctrl.worker.run_next()  # the create answers; the timer has not run since (OBS crashes now)
    [entry] = on_disk(h.ledger.path)
    assert entry.state == "open" and entry.stream_id == "s1"
    assert entry.service_applied and entry.previous() == PREVIOUS_SERVICE  # a restart restores them
    assert h.obs.calls.count("set_stream_service") == 0


def test_when_obs_gets_the_key_the_disk_already_says_which_stream_and_what_to_restore(harness, tmp_path):
    h = start(harness, tmp_path)
    seen = []
    real_set = h.obs.set_stream_service

    def set_and_look(service):
        seen.append(on_disk(h.ledger.path))
        real_set(service)

    h.obs.set_stream_service = set_and_look
    h.ctrl.worker.run_next()
    h.ctrl.tick()
    assert h.state is S.LIVE
    [[entry]] = seen
    assert entry.stream_id == "s1" and entry.service_applied and entry.previous() == PREVIOUS_SERVICE


def test_a_key_that_comes_with_a_later_poll_is_on_disk_before_obs_gets_it(harness, tmp_path):
    h = harness(key_after_polls=2)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science Live class"))
    h.run()
    [entry] = on_disk(h.ledger.path)
    assert entry.stream_id == "s1" and not entry.service_applied  # nothing replaced while waiting
    seen = []
    real_set = h.obs.set_stream_service
    h.obs.set_stream_service = lambda service: seen.append(on_disk(h.ledger.path)) or real_set(service)
    h.run(seconds=10)
    assert h.state is S.LIVE
    [[entry]] = seen
    assert entry.service_applied


def test_settings_obs_refused_are_not_restored_after_the_end(harness, tmp_path):
    h = harness()
    h.obs.refuse_service = True
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science Live class"))
    h.run(seconds=2)
    assert h.state is S.FAILED
    [entry] = on_disk(h.ledger.path)
    assert entry.state == "ended" and not entry.service_applied and not entry.restore_pending
