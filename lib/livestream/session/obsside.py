"""Simulcast sent by OBS itself, for a provider that does not restream (TP Streams), or
for any provider when the user asks (``GoLiveRequest.simulcast_from_obs``: the panel's
"Send these from OBS instead of the provider"; then the provider holds no target).

The go-live's targets become extra RTMP outputs inside OBS that share the main stream's
encoders (``livestream.obs.extra_outputs`` does the obspython part). This module is the
part that needs no OBS, so it is tested without one:

- ``TargetOutputs``: what an ``ObsPort`` offers when it can send them (the in-process
  port can; obs-websocket cannot create outputs, so the remote CLI refuses such targets);
- ``Observed`` and ``judge``: one look at an output (active, reconnecting, OBS's last
  error) turned into the target's status, the same ``TargetState`` the provider-side
  targets have;
- ``ObsSide``: the controller's steps. The targets are planned when the ingest is
  applied, started once OBS reports the main stream live, read on the timer while
  live, and stopped before the main stream stops (and when OBS stops it). A go-live
  adopted after a reload gets its targets back from the ledger; those OBS sent are sent
  again from the panel's saved targets (``matching_saved``: the ledger keeps no key).

A failed target is a warning: the main stream goes on, and the end never waits for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Sequence

from .. import secrets
from ..errors import ConfigurationError
from ..providers import check_simulcast
from ..simulcast import OBS_SIDE_ID, SimulcastTarget, TargetState, TargetStatus, check_target, url_digest

if TYPE_CHECKING:
    from .controller import Controller as _Base
    from .golive import GoLive
    from .ledger import LedgerEntry
    from .request import GoLiveRequest
else:
    _Base = object

log = logging.getLogger("livestream.session")

#: An output never connected after this long has failed. OBS's RTMP output reports a
#: refused or unreachable server only by stopping (its ``stop`` signal, which a Python
#: script cannot safely receive: see ``livestream.obs.app``), often without a last
#: error, so a target that is not up by then is said to have failed.
CONNECT_WAIT = 15.0


class TargetOutputs(Protocol):
    """The optional part of an ``ObsPort`` that sends targets from OBS itself."""

    def start_targets(self, targets: Sequence[SimulcastTarget]) -> list[TargetState]:
        """Start one output per target next to the live main stream; each one's first state."""

    def poll_targets(self) -> Optional[list[TargetState]]:
        """Each target's state now, or None when nothing changed since the last call."""

    def stop_targets(self) -> list[TargetState]:
        """Stop every target (REMOVED); quick: never waits for a connection."""


#: The methods ``TargetOutputs`` declares.
_TARGET_METHODS = tuple(name for name, member in vars(TargetOutputs).items()
                        if callable(member) and not name.startswith("_"))


def sends_targets(port: Any) -> bool:
    """True if ``port`` can send simulcast targets from OBS itself. Looked up with getattr,
    not ``isinstance``: since Python 3.12 a runtime protocol check reads attributes
    statically, so a wrapping port that forwards by ``__getattr__`` (the armed setting's
    RecordingPort) failed it in OBS 30 and 32, whose Pythons are 3.13 and 3.14."""
    return all(callable(getattr(port, name, None)) for name in _TARGET_METHODS)


def sent_by_obs(request: Optional[GoLiveRequest], port: Any) -> bool:
    """True if ``request``'s targets are sent by OBS: the provider does not restream, or the
    user asked for OBS, and ``port`` can send them."""
    return bool(request is not None and request.simulcast and sends_targets(port)
                and (request.simulcast_from_obs or request.provider.capabilities.simulcast is None))


def check_obs_request(request: GoLiveRequest, port: Any) -> None:
    """The go-live's targets against whoever sends them, before anything is created: OBS's
    limits (rtmp/rtmps, at most 4) when OBS sends them, else the provider's."""
    if request.simulcast and request.simulcast_from_obs and not sends_targets(port):
        raise ConfigurationError("Only the script inside OBS can send simulcast targets from OBS",
                                 hint="obs-websocket cannot create outputs: let the provider restream them")
    check_simulcast(request.provider, request.simulcast, obs_side=sends_targets(port),
                    from_obs=request.simulcast_from_obs and bool(request.simulcast))


@dataclass(frozen=True)
class Observed:
    """One look at an extra output, from the script's timer."""

    active: bool  # connected and sending (or reconnecting: OBS counts both)
    reconnecting: bool
    last_error: Optional[str] = None


def judge(state: TargetState, seen: Observed, *, waited: float, was_live: bool) -> TargetState:
    """The target's state after ``seen``, ``waited`` seconds after its start.

    REMOVED is final. FAILED stays failed (with OBS's reason) unless the output turns
    out to be sending after all (a connect slower than ``CONNECT_WAIT``): OBS does not
    restart an output that stopped, so a failure is otherwise for the rest of the go-live."""
    if state.status is TargetStatus.REMOVED:
        return state
    error = secrets.redact(seen.last_error) if seen.last_error else None
    if seen.reconnecting:
        return replace(state, status=TargetStatus.CONNECTING, reason="OBS lost the connection and is reconnecting")
    if seen.active:
        return replace(state, status=TargetStatus.LIVE, reason=None)
    if state.status is TargetStatus.FAILED:
        return state
    if was_live:
        return replace(state, status=TargetStatus.FAILED, reason=error or "the connection was lost")
    if error:
        return replace(state, status=TargetStatus.FAILED, reason=error)
    if waited >= CONNECT_WAIT:
        return replace(state, status=TargetStatus.FAILED,
                       reason=f"OBS could not connect within {int(CONNECT_WAIT)} s")
    return replace(state, status=TargetStatus.CONNECTING, reason=None)


def planned(targets: Sequence[SimulcastTarget]) -> list[TargetState]:
    """The targets before OBS is live: waiting for the main stream."""
    return [TargetState(name=t.name, target_id=OBS_SIDE_ID, status=TargetStatus.IDLE, host=t.host,
                        url_digest=url_digest(t.url)) for t in targets]


#: Why an OBS-sent target of an adopted go-live is not sent again.
NOT_RESTORED = "not sent again after the reload: the panel no longer has it with the same name and server URL"


def matching_saved(held: Sequence[TargetState], saved: Sequence[SimulcastTarget]
                   ) -> tuple[list[SimulcastTarget], list[TargetState]]:
    """The saved targets that are the same as the OBS-sent ones a ledger entry names (same
    name and server URL, with a usable key), in the ledger's order, and the ones without
    such a match. A target saved since but not in the entry is not added: it was not part
    of that go-live."""
    by_name = {t.name.casefold(): t for t in saved}
    found, lost = [], []
    for state in held:
        target = by_name.get(state.name.casefold())
        usable = target is not None and bool(state.url_digest) and url_digest(target.url) == state.url_digest
        if usable:
            try:
                check_target(target)
            except ConfigurationError:
                usable = False
        if usable:
            found.append(target)
        else:
            lost.append(state)
    return found, lost


def failed_line(states: Sequence[TargetState]) -> str:
    """The warning for targets that failed, with what to do."""
    return ("Not streaming to " + "; ".join(t.describe() for t in states)
            + ": the class goes on; check that target's server URL and stream key")


class ObsSide(_Base):
    """The controller's steps for targets OBS sends (mixed into ``Controller``)."""

    #: The panel's saved "Also stream to" targets (the script sets it; none elsewhere): what
    #: a go-live adopted after a reload sends again from OBS.
    saved_targets: Callable[[], list[SimulcastTarget]] = staticmethod(lambda: [])

    def _adopt_targets(self, go: GoLive, record: LedgerEntry) -> None:
        """A go-live adopted from the ledger: its targets are its own again (so the end
        removes the provider's), and those OBS sent are planned again from the saved ones
        where they match (``matching_saved``); the others are said in the log and shown
        removed, the class goes on."""
        go.targets = [TargetState.from_dict(t) for t in record.targets]
        held = [t for t in go.targets if t.target_id == OBS_SIDE_ID]
        if not held:
            return
        go.targets_added = True
        saved: list[SimulcastTarget] = []
        if sends_targets(self.obs):
            try:
                saved = list(self.saved_targets())
            except ConfigurationError as exc:  # a half-filled slot: nothing to match against
                log.warning("The saved simulcast targets cannot be read: %s", exc)
        found, lost = matching_saved(held, saved)
        go.obs_targets = found
        again = {t.name: t for t in planned(found)}
        go.targets = [again.get(t.name, t) if t.target_id == OBS_SIDE_ID else t for t in go.targets]
        go.targets = [replace(t, status=TargetStatus.REMOVED, reason=NOT_RESTORED) if t in lost else t
                      for t in go.targets]
        for target in found:
            log.info("Simulcast target %r (%s) is sent from OBS again after the reload", target.name, target.host)
        for state in lost:
            log.warning("Simulcast target %r (%s) cannot be restored after the reload: %s%s", state.name,
                        state.host, NOT_RESTORED.split(": ", 1)[1],
                        "" if sends_targets(self.obs) else " (this OBS connection cannot send targets)")
        self._show_targets(go)

    def _obs_side(self, go: GoLive) -> bool:
        """True if this go-live's targets are sent by OBS (``sent_by_obs``)."""
        return sent_by_obs(go.request, self.obs)

    def _plan_obs_targets(self, go: GoLive) -> None:
        """At the ingest: nothing to ask the provider; the targets wait for OBS to be live."""
        assert go.request is not None
        go.targets_added = True
        go.obs_targets = list(go.request.simulcast)
        go.targets = planned(go.obs_targets)
        self._save(go)
        self._show_targets(go)

    def _start_obs_targets(self, go: GoLive) -> None:
        """OBS is live: start the extra outputs (they connect on their own threads)."""
        if not go.obs_targets or go.obs_targets_started:
            return
        go.obs_targets_started = True
        self._take_obs_states(go, self.obs.start_targets(go.obs_targets))

    def _poll_obs_targets(self, go: GoLive) -> None:
        if go.obs_targets_started:
            states = self.obs.poll_targets()
            if states is not None:
                self._take_obs_states(go, states)

    def _stop_obs_targets(self, go: GoLive) -> None:
        """Before the main stream stops (or right after OBS stopped it): stop the extras."""
        if go.obs_targets_started:
            go.obs_targets_started = False
            self._take_obs_states(go, self.obs.stop_targets())

    def _take_obs_states(self, go: GoLive, states: list[TargetState]) -> None:
        before = {t.name: t.status for t in go.targets}
        digests = {t.name: url_digest(t.url) for t in go.obs_targets}  # kept for an adoption after a reload
        kept = [t for t in go.targets if t.target_id != OBS_SIDE_ID
                or (t.status is TargetStatus.REMOVED and t.reason == NOT_RESTORED)]
        go.targets = kept + [replace(t, url_digest=digests.get(t.name, t.url_digest)) for t in states]
        self._save(go)
        self._show_targets(go)
        newly = [t for t in states if t.status is TargetStatus.FAILED and before.get(t.name) is not TargetStatus.FAILED]
        for target in newly:
            log.warning("Simulcast target %r (%s) failed: %s", target.name, target.host, target.reason)
        if newly and self.state.is_active:
            self._message(failed_line(newly), level="warning")
        else:
            self._emit()
