"""``preflight()``: what in OBS refuses a go-live, asked once for every caller.

The go-live asks it right before it creates a stream (and refuses with the first
answer); the scheduler asks it five minutes before a scheduled go-live, while there is
still time to put it right. Both ask the same questions of the ``ObsPort``, which reads
the profile's rules (linked account, Enhanced Broadcasting) itself:

* OBS already streaming: the go-live would replace the settings of a running output;
* a linked account (Twitch, YouTube, Restream...): OBS replaces the key, or opens its
  broadcast dialog (``ObsPort.linked_account``);
* Enhanced Broadcasting (multitrack video, OBS 30.2+): OBS streams to its own server
  instead of the provider's (``ObsPort.multitrack_video``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..errors import ObsRefusedError
from .ports import ObsPort

_OWN_PROFILE = "or use a separate OBS profile for obs-livestream"


@dataclass(frozen=True)
class Refusal:
    """One reason OBS would not go live: said now (``message``, ``hint``) or ahead of time."""

    message: str
    hint: str
    #: The same said minutes ahead, by the scheduled pre-flight.
    ahead: str

    def error(self) -> ObsRefusedError:
        return ObsRefusedError(self.message, hint=self.hint)


def preflight(obs: ObsPort) -> list[Refusal]:
    """Every reason OBS would refuse a go-live now; empty if none."""
    return list(_refusals(obs))


def refuse_if_any(obs: ObsPort) -> None:
    """Raise the first refusal, as the go-live does (asking OBS no more than that)."""
    for refusal in _refusals(obs):
        raise refusal.error()


def _refusals(obs: ObsPort) -> Iterator[Refusal]:
    if obs.is_streaming():
        yield Refusal(
            "OBS is already streaming", "stop streaming in OBS first, then press Go live",
            "OBS is streaming now (it must have stopped by then)")
    account = obs.linked_account()
    if account:
        yield Refusal(
            f"A {account} account is linked in Settings > Stream",
            "OBS would replace the stream key (or open its broadcast dialog); press Disconnect Account there, "
            + _OWN_PROFILE,
            f"a {account} account is linked in Settings > Stream: press Disconnect Account there")
    if obs.multitrack_video():
        yield Refusal(
            "Enhanced Broadcasting (multitrack video) is on in Settings > Stream",
            "OBS would stream to its own server instead of the provider's; untick it there, " + _OWN_PROFILE,
            "Enhanced Broadcasting (multitrack video) is on in Settings > Stream: untick it there")
