"""One go-live at a time on an OBS, whoever asks: the claim rules (``session.claim``) and the
controller waiting for the claim (``session.claimgate``), with injected clocks and a slot in memory."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from livestream.session import claim
from livestream.session.claim import Claim, ClaimRefusedError, StreamClaim
from livestream.session.request import GoLiveRequest
from livestream.session.states import State as S


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Slot:
    """obs-websocket's persistent data slot, shared by every front end in a test."""

    def __init__(self, clock: Clock, *, read_costs: float = 0.0) -> None:
        self.value: Any = None
        self.clock, self.read_costs = clock, read_costs
        self.writes = 0

    def read(self) -> Any:
        self.clock.now += self.read_costs
        return self.value

    def write(self, value: Any) -> bool:
        self.writes += 1
        self.value = value
        return True


class StaleFirstRead(Slot):
    """A front end whose first read of the slot came before another's write landed."""

    def __init__(self, shared: Slot) -> None:
        self.shared, self.first = shared, True

    def read(self) -> Any:
        if self.first:
            self.first = False
            return None
        return self.shared.read()

    def write(self, value: Any) -> bool:
        return self.shared.write(value)


_nonces = (f"n{i}" for i in itertools.count())


def front_end(slot: Any, clock: Clock, owner: str = "panel", host: str = "studio-pc") -> StreamClaim:
    return StreamClaim(slot, owner, host, wall=clock, clock=clock, nonce=lambda: next(_nonces))


def settle(clock: Clock) -> None:
    clock.now += claim.SETTLE


def holder(slot: Any, clock: Clock, owner: str = "panel", host: str = "studio-pc") -> StreamClaim:
    """A front end that took the claim (the settle time passes on the test's clock)."""
    taken = front_end(slot, clock, owner, host)
    taken.take(sleep=lambda s: settle(clock))
    return taken


def test_a_lone_go_live_holds_the_claim_once_it_settled_and_releases_it():
    clock = Clock()
    slot = Slot(clock)
    mine = front_end(slot, clock)
    assert mine.step() is False  # written, not yet confirmed
    assert Claim.from_value(slot.value).owner == "panel"
    assert mine.step() is False  # too early to read it back
    settle(clock)
    assert mine.step() is True and mine.held
    mine.release()
    assert Claim.from_value(slot.value) is None


@pytest.mark.parametrize(("owner", "host", "said"), [
    ("panel", "studio-pc", "A go-live started from the panel is under way"),
    ("cli", "laptop-7", "A go-live started from the CLI on laptop-7 is under way"),
])
def test_another_go_live_under_way_refuses_at_once_and_says_who(owner, host, said):
    clock = Clock()
    slot = Slot(clock)
    holder(slot, clock, owner, host)
    writes = slot.writes
    with pytest.raises(ClaimRefusedError) as refused:
        front_end(slot, clock, "cli", "other").step()
    assert refused.value.message == said
    assert "lapses in 15 s" in refused.value.hint  # an abandoned claim does not block for ever
    assert slot.writes == writes  # the holder's claim is untouched


def test_a_claim_left_by_a_front_end_that_died_lapses():
    clock = Clock()
    slot = Slot(clock)
    holder(slot, clock, "cli", "crashed")  # never renewed, never released
    clock.now += claim.TTL
    assert holder(slot, clock).held


def test_two_askers_who_both_read_an_empty_slot_end_with_exactly_one_holder():
    clock = Clock()
    slot = Slot(clock)
    panel = front_end(slot, clock, "panel")
    cli = front_end(StaleFirstRead(slot), clock, "cli", "laptop")
    assert panel.step() is False  # reads empty, writes
    clock.now += 0.01
    assert cli.step() is False  # its read came before the panel's write: it writes over it
    settle(clock)
    with pytest.raises(ClaimRefusedError, match="from the CLI on laptop"):
        panel.step()
    assert cli.step() is True
    assert (panel.held, cli.held) == (False, True)


def test_a_claim_lost_with_a_write_of_another_slot_is_written_again_then_held():
    clock = Clock()
    slot = Slot(clock)
    mine = front_end(slot, clock)
    mine.step()
    slot.value = None  # the script's session publish rewrote the file without our slot
    settle(clock)
    assert mine.step() is False  # written again, settling again
    settle(clock)
    assert mine.step() is True


def test_a_slot_that_keeps_losing_the_claim_refuses_after_a_few_attempts():
    clock = Clock()
    slot = Slot(clock)
    mine = front_end(slot, clock)
    with pytest.raises(ClaimRefusedError, match="keeps changing"):
        for _ in range(claim.ATTEMPTS + 1):
            mine.step()
            slot.value = None
            settle(clock)
    assert not mine.held


def test_an_asker_slower_than_the_gap_gives_up_and_leaves_no_claim():
    clock = Clock()
    slot = Slot(clock, read_costs=claim.MAX_GAP + 0.01)  # obs-websocket answering slowly
    mine = front_end(slot, clock, "cli", "far-away")
    with pytest.raises(ClaimRefusedError, match="too slowly"):
        mine.step()
    assert Claim.from_value(slot.value) is None and not mine.held


def test_the_holder_renews_its_claim_while_live_and_writes_it_again_if_lost():
    clock = Clock()
    slot = Slot(clock)
    mine = holder(slot, clock)
    clock.now += claim.TTL - 1
    mine.keep(active=True)
    assert Claim.from_value(slot.value).valid(clock.now + claim.TTL - 1)  # renewed
    slot.value = None
    clock.now += claim.RENEW_EVERY
    mine.keep(active=True)
    assert Claim.from_value(slot.value).owner == "panel"
    mine.keep(active=False)  # the go-live settled
    assert Claim.from_value(slot.value) is None and not mine.held


def test_the_script_reloaded_while_live_takes_over_its_own_earlier_claim_and_a_cli_never_does():
    clock = Clock()
    slot = Slot(clock)
    holder(slot, clock, "panel", "studio-pc")  # the script unloaded while live: never released
    reloaded = StreamClaim(slot, "panel", "studio-pc", wall=clock, clock=clock, inherits=True)
    reloaded.take(sleep=lambda s: settle(clock))
    assert reloaded.held
    reloaded.release()
    holder(slot, clock, "cli", "laptop")  # a CLI go-live in one terminal
    second_terminal = StreamClaim(slot, "cli", "laptop", wall=clock, clock=clock)
    with pytest.raises(ClaimRefusedError, match="CLI on laptop"):
        second_terminal.step()


def test_a_release_never_clears_another_front_ends_claim():
    clock = Clock()
    slot = Slot(clock)
    mine = holder(slot, clock)
    clock.now += claim.TTL
    holder(slot, clock, "cli", "laptop")
    mine.release()
    assert Claim.from_value(slot.value).owner == "cli"


def test_without_a_slot_to_write_the_go_live_goes_on_unclaimed():
    clock = Clock()

    class NoProfile(Slot):
        def write(self, value: Any) -> bool:
            return False

    mine = front_end(NoProfile(clock), clock)
    assert mine.step() is True


@pytest.mark.parametrize("value", [None, {}, "text", {"owner": "cli"}, {"owner": "cli", "nonce": "x",
                                                                          "taken_at": "nan", "expires_at": 1}])
def test_a_slot_that_holds_no_claim_is_free(value):
    assert Claim.from_value(value) is None


# --- the controller waits for the claim ------------------------------------------------------------


def claimed(harness, slot_value: Any = None):
    h = harness()
    slot = Slot(h.clock)
    slot.value = slot_value
    h.ctrl.claim = front_end(slot, h.clock)
    return h, slot


def test_the_go_live_creates_nothing_until_the_claim_settled(harness):
    h, slot = claimed(harness)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Claimed"))
    h.run()
    assert h.provider.calls == [] and h.state is S.IDLE
    assert "no other go-live" in h.ctrl.snapshot.message
    h.run(claim.SETTLE, step=claim.SETTLE)
    assert [c for c, _ in h.provider.calls] == ["create"]
    h.run(2)
    assert h.state is S.LIVE and [c for c, _ in h.provider.calls].count("create") == 1
    assert Claim.from_value(slot.value).owner == "panel"  # held while live
    h.ctrl.end()
    h.run(5)
    assert h.state is S.ENDED
    assert Claim.from_value(slot.value) is None  # released once settled


def test_a_go_live_refused_by_the_claim_creates_nothing_and_leaves_obs_alone(harness):
    clock_now = 1000.0
    other = Claim("cli", "laptop-7", "theirs", clock_now, clock_now + claim.TTL).to_dict()
    h, slot = claimed(harness, other)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Refused"))
    h.run()
    assert h.state is S.FAILED
    assert h.ctrl.snapshot.message.startswith("A go-live started from the CLI on laptop-7 is under way")
    assert h.provider.calls == [] and "set_stream_service" not in h.obs.calls
    assert slot.value == other


def test_end_pressed_while_the_claim_settles_cancels_the_go_live(harness):
    h, slot = claimed(harness)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Cancelled"))
    h.run()
    h.ctrl.end()
    h.run(2)
    assert h.provider.calls == [] and h.state is S.IDLE
    assert Claim.from_value(slot.value) is None


def test_a_renewal_that_fails_never_stops_the_live_go_live(harness):
    h, slot = claimed(harness)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Renewed"))
    h.run(claim.SETTLE, step=claim.SETTLE)
    h.run(2)
    assert h.state is S.LIVE

    def broken(value):
        raise OSError(28, "No space left on device")

    slot.write = broken
    h.run(claim.RENEW_EVERY * 2)
    assert h.state is S.LIVE
