"""One go-live at a time on an OBS, whoever asks: the claim on OBS's stream.

The script inside OBS (its panel, hotkeys, dock and schedule) and the remote CLI's own
``go-live`` (from this machine or another) each replace OBS's stream service and start
it. Two of them at once raced: one's ``SetStreamServiceSettings`` landed while the
other's output was connecting. So each takes this claim before its go-live does anything
and holds it until the go-live settles; whoever finds another's claim is refused at once.

Where: the slot ``obs_livestream_claim`` of obs-websocket's profile persistent data, the
file the script already publishes its session to (``bridge``). The CLI reads and writes
it with ``GetPersistentData``/``SetPersistentData`` (obs-websocket re-reads the file on
every request); the script reads and writes the file itself (``obs.profile``).

The rules (``StreamClaim``; clocks injected, no I/O but the ``ClaimStore``):

* A claim names its owner ("panel": the script; "cli" and its host), a random nonce,
  when it was taken and when it expires (wall clock, shared by every reader). The holder
  renews it every ``RENEW_EVERY`` s; one left by a front end that died is stale after
  ``TTL`` s and ignored.
* Taking: read the slot; another's valid claim refuses at once. Else write ours, wait
  ``SETTLE`` s, read again: ours is there, it is held; another's valid claim is there,
  refused (it was written later, and everyone who reads the slot from now on sees that
  one); nothing is there (a write of another slot of the same file took ours with it),
  write again, at most ``ATTEMPTS`` times.
* Why the wait: two askers may both read an empty slot, then both write. Each reads
  again only ``SETTLE`` s after its own write, and each writes within ``MAX_GAP`` s of
  its read (measured: an asker slower than that gives up), so the one written first
  always sees the other's: exactly one holds the claim.
* Releasing: only a slot that still holds our nonce is cleared.
* The script is one per OBS: its claim left by an earlier load (reloaded while live) is
  its own to take over (``inherits``); a CLI's is never, another CLI may run on that host.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from secrets import token_hex
from typing import Any, Callable, Optional, Protocol

from ..errors import ObsRefusedError

SLOT = "obs_livestream_claim"
#: Seconds a claim lives without renewal (a crashed holder blocks no longer than this).
TTL = 15.0
RENEW_EVERY = 5.0
#: Seconds between writing our claim and reading the slot again; more than ``MAX_GAP``.
#: Every go-live waits this long before its create (a tenth of a typical create).
SETTLE = 0.3
#: The longest an asker may take from its read of the slot to the end of its write (two
#: obs-websocket round trips for the CLI, a few milliseconds even across a LAN).
MAX_GAP = 0.15
ATTEMPTS = 3


class ClaimRefusedError(ObsRefusedError):
    """Another go-live holds OBS's stream (or the claim could not be taken safely)."""


@dataclass(frozen=True)
class Claim:
    owner: str  # "panel" (the script) or "cli"
    host: str
    nonce: str
    taken_at: float
    expires_at: float

    def valid(self, now: float) -> bool:
        return now < self.expires_at

    def who(self) -> str:
        return "the panel" if self.owner == "panel" else f"the CLI on {self.host or 'another machine'}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_value(cls, value: Any) -> Optional[Claim]:
        """The claim in a slot's value, or None if the slot is empty or holds something else."""
        if not isinstance(value, dict):
            return None
        try:
            claim = cls(str(value["owner"]), str(value.get("host") or ""), str(value["nonce"]),
                        float(value["taken_at"]), float(value["expires_at"]))
        except (KeyError, TypeError, ValueError):
            return None
        return claim if math.isfinite(claim.taken_at) and not math.isnan(claim.expires_at) else None


def refusal(claim: Claim, now: float) -> ClaimRefusedError:
    left = max(0, math.ceil(claim.expires_at - now)) if math.isfinite(claim.expires_at) else None
    return ClaimRefusedError(
        f"A go-live started from {claim.who()} is under way",
        hint="wait until it is live (or ended), then try again"
        + (f"; if that go-live was abandoned, its claim lapses in {left} s" if left is not None else ""),
    )


class ClaimStore(Protocol):
    """The slot: ``read()`` its value (None if unset), ``write(value)`` it (None clears it);
    ``write`` answers False when there is no slot to write (no profile folder): then no
    other front end can see a claim either, and the go-live goes on unclaimed."""

    def read(self) -> Any: ...

    def write(self, value: Any) -> bool: ...


class StreamClaim:
    """One front end's side of the claim: take it (in steps, or at once), renew it, release it."""

    def __init__(self, store: ClaimStore, owner: str, host: str = "", *, wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic,
                 nonce: Callable[[], str] = lambda: token_hex(8), inherits: bool = False) -> None:
        """``inherits``: a claim of the same owner and host is an earlier run of this front end
        (the script, reloaded with its go-live live), not another asker: it is taken over."""
        self.store, self.owner, self.host = store, owner, host
        self.inherits = inherits
        self.wall, self.clock = wall, clock
        self._new_nonce = nonce
        self._nonce = ""
        self.held = False
        self._confirm_at: Optional[float] = None  # our claim is written: read again from then on
        self._attempts = 0
        self._renew_at = 0.0

    @property
    def taking(self) -> bool:
        """Our claim is written and waits to be confirmed (``step``)."""
        return self._confirm_at is not None

    def _read(self) -> Optional[Claim]:
        return Claim.from_value(self.store.read())

    def _mine(self, claim: Optional[Claim]) -> bool:
        return claim is not None and claim.nonce == self._nonce

    def _other(self, claim: Optional[Claim]) -> bool:
        """A valid claim of another asker (not ours, not an earlier run of ours)."""
        if claim is None or self._mine(claim) or not claim.valid(self.wall()):
            return False
        return not (self.inherits and (claim.owner, claim.host) == (self.owner, self.host))

    def _write(self) -> bool:
        now = self.wall()
        self._renew_at = self.clock() + RENEW_EVERY
        return self.store.write(Claim(self.owner, self.host, self._nonce, now, now + TTL).to_dict())

    def begin(self) -> None:
        """Read the slot and write our claim; ``step`` confirms it ``SETTLE`` s later.
        Raises ``ClaimRefusedError`` if another's valid claim is there."""
        self.held, self._attempts = False, 0
        self._nonce = self._new_nonce()
        self._attempt()

    def _attempt(self) -> None:
        self._attempts += 1
        started = self.clock()
        current = self._read()
        if self._other(current):
            self._confirm_at = None
            raise refusal(current, self.wall())
        if not self._write():
            self.held, self._confirm_at = True, None  # nowhere to share it: nobody to race
            return
        if self.clock() - started > MAX_GAP:
            # Another asker's wait assumed we write quickly after reading: do not count on ours.
            self._give_up()
            raise ClaimRefusedError("OBS answered too slowly to claim its stream safely",
                                    hint="try again (obs-websocket took over "
                                         f"{MAX_GAP:g} s to read and write its persistent data)")
        self._confirm_at = self.clock() + SETTLE

    def step(self) -> bool:
        """True once the claim is ours; False while it settles (call again later). Raises
        ``ClaimRefusedError`` if another asker's claim won."""
        if self.held:
            return True
        if self._confirm_at is None:
            self.begin()
            return self.held
        if self.clock() < self._confirm_at:
            return False
        current = self._read()
        if self._mine(current):
            self.held, self._confirm_at = True, None
            return True
        if self._other(current):
            self._confirm_at = None
            raise refusal(current, self.wall())
        if self._attempts >= ATTEMPTS:
            self._confirm_at = None
            raise ClaimRefusedError("Could not claim OBS's stream: its persistent data keeps changing",
                                    hint="try again; another obs-websocket client may be writing it")
        self._attempt()  # ours was lost with an unrelated write of the file: again
        return self.held

    def wait_left(self) -> float:
        """Seconds until ``step`` can confirm (0 when it can now)."""
        return 0.0 if self._confirm_at is None else max(0.0, self._confirm_at - self.clock())

    def take(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Take the claim now, waiting the settle time (the CLI, which may block)."""
        while not self.step():
            sleep(self.wait_left())

    def keep(self, active: bool) -> None:
        """While a go-live is under way: renew the claim when due, and write it again if
        the slot lost it; once the go-live settled, release it."""
        if not self.held:
            return
        if not active:
            self.release()
        elif self.clock() >= self._renew_at:
            current = self._read()
            if current is None or self._mine(current) or not current.valid(self.wall()):
                self._write()

    def release(self) -> None:
        """Clear the slot if it still holds our claim (never another's)."""
        was_ours = self.held or self._confirm_at is not None
        self.held, self._confirm_at = False, None
        if was_ours:
            self._give_up()

    def _give_up(self) -> None:
        self._confirm_at = None
        if self._mine(self._read()):
            self.store.write(None)
