"""Fixtures for the go-live controller: fake OBS, fake provider, fake clock, inline worker."""

from __future__ import annotations

import pytest

from livestream.session.controller import Controller
from livestream.session.ledger import Ledger
from livestream.session.request import Policies
from livestream.session.worker import InlineWorker
from livestream_fakes import FakeObs, FakeProvider


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Harness:
    """A controller wired to fakes, with helpers to let time pass."""

    def __init__(self, tmp_path, policies: Policies | None = None, key_after_polls: int | None = 0) -> None:
        self.clock = Clock()
        self.obs = FakeObs()
        self.provider = FakeProvider(key_after_polls=key_after_polls)
        self.ledger = Ledger(tmp_path / "ledger.json")
        self.snapshots = []
        self.ctrl = Controller(
            self.obs, policies=policies or Policies(), ledger=self.ledger, worker=InlineWorker(), clock=self.clock,
            wall=self.clock, provider_for=lambda entry: self.provider,
        )
        self.ctrl.add_listener(self.snapshots.append)
        self.obs.controller = self.ctrl

    def run(self, seconds: float = 0.0, step: float = 1.0) -> None:
        """Tick now, then every ``step`` seconds for ``seconds``."""
        self.ctrl.tick()
        elapsed = 0.0
        while elapsed < seconds:
            self.clock.now += step
            elapsed += step
            self.ctrl.tick()

    def unsettled(self):
        """Ledger entries whose provider stream may still be open."""
        return self.ledger.unsettled()

    def resumable(self):
        return self.ledger.resumable("script")

    @property
    def state(self):
        return self.ctrl.state

    def states_seen(self):
        seen = []
        for snap in self.snapshots:
            if not seen or seen[-1] is not snap.state:
                seen.append(snap.state)
        return seen


@pytest.fixture
def harness(tmp_path):
    def make(**kwargs) -> Harness:
        return Harness(tmp_path, **kwargs)

    return make
