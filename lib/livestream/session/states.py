"""The go-live states and the one table of transitions allowed between them.

    IDLE -> CREATING -> WAITING_FOR_INGEST -> READY -> STARTING -> LIVE -> ENDING -> ENDED

``FAILED`` is reachable from every state and carries the reason. ``ENDING`` is also
the way out of every state after a provider stream exists, so that a failure or a
cancel still ends that stream (no orphaned, billed stream) and restores OBS's stream
settings before the session settles in ``ENDED`` or ``FAILED``.

A recovered session (after a script reload, a scene-collection switch or a crash)
re-enters at ``READY`` (OBS not streaming: resume or end) or ``LIVE`` (OBS still
streaming) from ``IDLE``.

No I/O here: the controller asks ``check(old, new)`` and raises on a bug.
"""

from __future__ import annotations

import enum

from ..errors import InvalidTransitionError


class State(str, enum.Enum):
    IDLE = "idle"
    CREATING = "creating"
    WAITING_FOR_INGEST = "waiting_for_ingest"
    READY = "ready"
    STARTING = "starting"
    LIVE = "live"
    ENDING = "ending"
    ENDED = "ended"
    FAILED = "failed"

    @property
    def is_active(self) -> bool:
        """True while a go-live is under way (a provider stream may exist)."""
        return self not in (State.IDLE, State.ENDED, State.FAILED)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    State.IDLE: "Idle",
    State.CREATING: "Creating the live stream",
    State.WAITING_FOR_INGEST: "Waiting for the ingest server",
    State.READY: "Ready to stream",
    State.STARTING: "Starting OBS streaming",
    State.LIVE: "Live",
    State.ENDING: "Ending the live stream",
    State.ENDED: "Ended",
    State.FAILED: "Failed",
}

S = State

#: Every allowed (from, to). FAILED is added for every state below.
TRANSITIONS: frozenset[tuple[State, State]] = frozenset(
    {
        (S.IDLE, S.CREATING),
        (S.IDLE, S.READY),  # recovered: provider stream exists, OBS not streaming
        (S.IDLE, S.LIVE),  # recovered: OBS still streaming to it
        (S.CREATING, S.WAITING_FOR_INGEST),
        (S.CREATING, S.ENDING),  # cancelled while the create was in flight
        (S.WAITING_FOR_INGEST, S.READY),
        (S.WAITING_FOR_INGEST, S.ENDING),  # cancelled, or the ingest never became ready
        (S.READY, S.STARTING),
        (S.READY, S.LIVE),  # after "Prepare", the user pressed Start Streaming in OBS
        (S.READY, S.ENDING),
        (S.STARTING, S.LIVE),
        (S.STARTING, S.ENDING),  # OBS could not connect, or cancelled
        (S.STARTING, S.READY),  # recovery: a try on the same stream could not connect; the next one waits
        (S.LIVE, S.ENDING),
        (S.LIVE, S.READY),  # OBS stopped and "end the provider stream when OBS stops" is off
        (S.ENDING, S.ENDED),
        (S.ENDED, S.IDLE),
        (S.ENDED, S.CREATING),
        (S.FAILED, S.IDLE),
        (S.FAILED, S.CREATING),
    }
    | {(s, S.FAILED) for s in State if s is not S.FAILED}
)


def can(old: State, new: State) -> bool:
    """True if the table allows ``old -> new``."""
    return (old, new) in TRANSITIONS


def check(old: State, new: State) -> None:
    """Raise ``InvalidTransitionError`` unless the table allows ``old -> new``."""
    if not can(old, new):
        raise InvalidTransitionError(f"Go-live state cannot change from {old.value} to {new.value}")
