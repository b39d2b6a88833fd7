"""``GoLive``: everything that belongs to one go-live, and nothing that outlives it.

The controller holds one while a go-live is under way and drops it when the go-live
settles (ENDED or FAILED); the next go-live starts from a fresh one, so nothing has to
be reset by hand. A job on the worker carries the ``GoLive`` it was submitted for, and
its result is applied only while that same object is the controller's go-live: a late
answer from a go-live that is over finds another object (or none) and is dropped.

The timing rules are data here: ``DEADLINES`` says how long each state may last and
what the go-live then fails with (``timed_out``), pure functions of the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..errors import ConfigurationError, IngestTimeoutError, LivestreamError, ObsRefusedError
from ..models import LiveStream
from ..providers.base import Provider
from ..simulcast import SimulcastTarget, TargetState
from .ports import StreamService
from .record import Record
from .request import GoLiveRequest, Policies
from .states import State
from .watch import EndWatch

NEVER = float("inf")


@dataclass
class GoLive:
    """One go-live: its provider client, request, stream, settings to restore, timers."""

    provider: Provider
    request: Optional[GoLiveRequest] = None
    record: Optional[Record] = None
    stream_id: Optional[str] = None
    #: OBS's stream service before this go-live replaced it (put back at the end).
    previous: Optional[StreamService] = None
    service_applied: bool = False
    #: The ledger already says OBS's settings are being replaced (``noted``).
    applying_on_disk: bool = False
    start_streaming: bool = True
    cancel_requested: bool = False
    #: Found in the ledger at start-up (READY): Go live resumes it.
    recovered: bool = False
    #: Why the go-live will settle in FAILED once the stream is ended.
    failure: Optional[LivestreamError] = None
    #: The create's answer was lost: looking for its stream (``find_attempts`` so far).
    lost_create: Optional[LivestreamError] = None
    find_attempts: int = 0
    end_attempts: int = 1
    watch: EndWatch = field(default_factory=EndWatch)
    provider_end_shown: bool = False
    waiting_for_obs_stop: bool = False
    #: Kinds of worker jobs submitted and not answered yet.
    jobs: set[str] = field(default_factory=set)
    # Monotonic times; NEVER means not scheduled.
    next_find_at: float = NEVER
    next_poll_at: float = NEVER
    next_status_at: float = NEVER
    next_end_at: float = 0.0
    #: When the last ingest poll left: the first status read keeps the provider's pace after it.
    last_poll_at: float = -NEVER
    #: A recovered stream not resumed by then is ended (``Policies.resume_offer``).
    offer_until: float = NEVER
    #: Why the go-live was ended without anyone asking, for the last status line.
    ended_because: Optional[str] = None
    stop_requested_at: float = 0.0
    #: The simulcast targets the provider holds for this go-live (``targets_added``: asked).
    targets: list[TargetState] = field(default_factory=list)
    targets_added: bool = False
    #: Targets OBS sends itself (the provider does not restream: ``obsside``), and whether
    #: their outputs are running.
    obs_targets: list[SimulcastTarget] = field(default_factory=list)
    obs_targets_started: bool = False
    #: Recovery by itself (``recovery``; None: a stop ends it as always), and when the next
    #: try on the same stream starts OBS (0: none due).
    recovery: Optional[Any] = None
    retry_at: float = 0.0

    @property
    def name(self) -> str:
        return self.provider.display_name

    def poll_interval(self, err: Optional[LivestreamError] = None) -> float:
        """The provider's pace between looks, or longer if it asked (``Retry-After``)."""
        retry_after = getattr(err, "retry_after", None)
        base = self.provider.poll_interval
        return max(base, float(retry_after)) if retry_after else base

    def start_policy(self, policies: Policies, start_streaming: Optional[bool]) -> None:
        self.start_streaming = policies.start_when_ready if start_streaming is None else start_streaming


@dataclass(frozen=True)
class Deadline:
    """How long a state may last (a ``Policies`` field) and the failure when it runs out."""

    policy: str
    failure: Callable[[GoLive, float], LivestreamError]
    message: str


def _ingest_timeout(go: GoLive, limit: float) -> LivestreamError:
    return IngestTimeoutError(
        f"The {go.name} server was not ready after {int(limit)} s",
        hint="the provider stream was stopped; try Go live again, or raise the ingest wait timeout",
    )


def _start_timeout(_go: GoLive, limit: float) -> LivestreamError:
    return ObsRefusedError(
        f"OBS did not start streaming within {int(limit)} s",
        hint="check OBS's output settings and log; the provider stream was ended",
    )


#: The states that may not last for ever, measured from entering them.
DEADLINES: dict[State, Deadline] = {
    State.WAITING_FOR_INGEST: Deadline(
        "ingest_timeout", _ingest_timeout, "Timed out waiting for the ingest: stopping the provider stream"),
    State.STARTING: Deadline("start_timeout", _start_timeout, "OBS did not start: ending the provider stream"),
}


def timed_out(go: GoLive, state: State, policies: Policies, in_state: float) -> Optional[Deadline]:
    """The deadline of ``state`` if ``in_state`` seconds in it have used it up."""
    deadline = DEADLINES.get(state)
    if deadline is None or in_state < float(getattr(policies, deadline.policy)):
        return None
    return deadline


def obtain_stream(request: GoLiveRequest, reference: Optional[str]) -> LiveStream:
    """The worker's first job: create the stream, start a scheduled one, or fetch one."""
    provider = request.provider
    if request.mode == "new":
        return provider.create(request.title, options=request.options, reference=reference)
    if not request.stream_id:
        raise ConfigurationError("No stream ID given", hint="pick a scheduled stream or enter a stream ID")
    if request.mode == "scheduled":
        return provider.start(request.stream_id)
    return provider.get(request.stream_id)


def first_words(request: GoLiveRequest) -> str:
    """What the status line says while the first request is out."""
    name = request.provider.display_name
    if request.mode == "new":
        return f"Creating the {name} live stream"
    if request.mode == "scheduled":
        return f"Starting the scheduled {name} stream"
    return f"Fetching {name} stream {request.stream_id}"


def closing(provider: Provider, fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn``, then close ``provider``'s client: the last job of a settled go-live."""

    def run() -> Any:
        try:
            return fn()
        finally:
            provider.close()

    return run
