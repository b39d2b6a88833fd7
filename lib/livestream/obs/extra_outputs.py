"""Simulcast from OBS itself: one extra RTMP output per target, sharing the main stream's encoders.

For a provider that does not restream (TP Streams), each target is sent by OBS: an
``rtmp_output`` with its own ``rtmp_custom`` service (the target's server and key) and
the main stream output's video and audio encoders, so nothing is encoded twice; the
upload is paid once per target. This is what sorayuki/obs-multi-rtmp does
(``src/push-widget.cpp``: ``obs_output_create``, ``obs_output_set_service``,
``obs_output_set_video_encoder(out, obs_output_get_video_encoder(main))``).

Everything here runs on the script's timer (the controller's thread inside OBS):

* ``obs_output_start`` of an ``rtmp_output`` returns at once; the connect runs on the
  output's own thread (``connect_thread`` in plugins/obs-outputs/rtmp-stream.c), so a
  start never waits for the network;
* the outputs' signals (``start``, ``stop``, ``reconnect``) are not connected: OBS calls
  a Python signal callback on the output's thread and swaps its global current script
  there, which races with the timer (see ``livestream.obs.app``). The timer reads the
  same facts instead, twice a second: ``obs_output_active``, ``obs_output_reconnecting``
  and ``obs_output_get_last_error`` (``livestream.session.obsside.judge`` maps them);
* a stop is ``obs_output_stop``, which only flags the send thread of a connected output;
  the output is released on a later tick, once it is no longer active, so the timer
  never waits for its send thread.

OBS 30 added multitrack video (``obs_output_get_video_encoder2``, libobs/obs.h at 30.2.3);
``obs_output_get_video_encoder`` still returns the first video encoder there and in 32,
and the go-live refuses Enhanced Broadcasting anyway, so the one call serves 29 to 32.
The encoders are borrowed from the main output, which OBS keeps for the whole stream (since
30, ``obs_output_set_video_encoder2`` also takes a reference of its own; 29 takes none).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional, Sequence

import obspython as obs

from .. import secrets
from ..session.obsside import Observed, judge
from ..simulcast import OBS_SIDE_ID, SimulcastTarget, TargetState, TargetStatus

log = logging.getLogger("livestream.obs")

#: How often the timer looks at the outputs (it runs every frame).
POLL_EVERY = 0.5


@dataclass
class _Slot:
    """One target's output, its service (our reference) and what was last seen."""

    state: TargetState
    output: Any = None
    service: Any = None
    started_at: float = 0.0
    was_live: bool = False


class ExtraOutputs:
    """The go-live's extra outputs; one instance per loaded script."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._slots: list[_Slot] = []
        self._retiring: list[_Slot] = []  # stopped, released once inactive
        self._polled_at = 0.0

    # --- the port's three calls ---------------------------------------------

    def start(self, targets: Sequence[SimulcastTarget]) -> list[TargetState]:
        """Create and start one output per target; what cannot start is FAILED with why."""
        self.stop()
        main = obs.obs_frontend_get_streaming_output()  # a new reference: released below
        try:
            video = obs.obs_output_get_video_encoder(main) if main is not None else None
            audio = obs.obs_output_get_audio_encoder(main, 0) if main is not None else None
            for target in targets:
                slot = _Slot(TargetState(name=target.name, target_id=OBS_SIDE_ID, status=TargetStatus.CONNECTING,
                                         host=target.host), started_at=self.clock())
                self._slots.append(slot)
                if video is None or audio is None:
                    slot.state = _failed(slot.state, "OBS's stream output has no encoders to share")
                    continue
                self._start_one(slot, target, video, audio)
        finally:
            if main is not None:
                obs.obs_output_release(main)
        return self.states()

    def poll(self) -> Optional[list[TargetState]]:
        """Each target's state, if any changed; releases the outputs that have stopped."""
        now = self.clock()
        self._release_stopped()
        if not self._slots or now - self._polled_at < POLL_EVERY:
            return None
        self._polled_at = now
        changed = False
        for slot in self._slots:
            if slot.output is None:
                continue
            seen = Observed(active=bool(obs.obs_output_active(slot.output)),
                            reconnecting=bool(obs.obs_output_reconnecting(slot.output)),
                            last_error=obs.obs_output_get_last_error(slot.output) or None)
            new = judge(slot.state, seen, waited=now - slot.started_at, was_live=slot.was_live)
            slot.was_live = slot.was_live or new.status is TargetStatus.LIVE
            if new != slot.state:
                changed = True
                slot.state = new
        return self.states() if changed else None

    def stop(self) -> list[TargetState]:
        """Stop every output (REMOVED). Quick: a connected output's send thread is only
        flagged; each is released on a later ``poll`` or at ``release``."""
        states = []
        for slot in self._slots:
            if slot.output is not None:
                if obs.obs_output_active(slot.output):
                    obs.obs_output_stop(slot.output)
                self._retiring.append(slot)
            states.append(replace(slot.state, status=TargetStatus.REMOVED,
                                  reason=slot.state.reason if slot.state.status is TargetStatus.FAILED else None))
        self._slots = []
        self._release_stopped()
        return states

    def release(self) -> None:
        """The script unloads (or OBS exits): stop and release everything now."""
        self.stop()
        for slot in self._retiring:
            _release(slot)
        self._retiring = []

    def states(self) -> list[TargetState]:
        return [slot.state for slot in self._slots]

    # --- internals ------------------------------------------------------------

    def _start_one(self, slot: _Slot, target: SimulcastTarget, video: Any, audio: Any) -> None:
        key = target.stream_key.get_secret_value()
        data = obs.obs_data_create_from_json(json.dumps({"server": target.url, "key": key}))
        try:
            slot.service = obs.obs_service_create("rtmp_custom", f"obs_livestream_simulcast_{target.name}", data, None)
        finally:
            obs.obs_data_release(data)
        slot.output = obs.obs_output_create("rtmp_output", f"obs_livestream_simulcast_{target.name}", None, None)
        if slot.service is None or slot.output is None:
            slot.state = _failed(slot.state, "OBS could not create an RTMP output")
            return
        obs.obs_output_set_service(slot.output, slot.service)
        obs.obs_output_set_video_encoder(slot.output, video)
        obs.obs_output_set_audio_encoder(slot.output, audio, 0)
        if not obs.obs_output_start(slot.output):
            why = obs.obs_output_get_last_error(slot.output) or "OBS refused to start the output"
            slot.state = _failed(slot.state, why)
            log.warning("Simulcast target %r (%s) did not start: %s", target.name, target.host, secrets.redact(why))
        else:
            log.info("Sending simulcast target %r (%s) from OBS", target.name, target.host)

    def _release_stopped(self) -> None:
        keep = []
        for slot in self._retiring:
            if obs.obs_output_active(slot.output):
                keep.append(slot)
            else:
                _release(slot)
        self._retiring = keep


def _failed(state: TargetState, why: str) -> TargetState:
    return replace(state, status=TargetStatus.FAILED, reason=secrets.redact(why))


def _release(slot: _Slot) -> None:
    """Our references: the output first (it points at the service), then the service."""
    if slot.output is not None:
        obs.obs_output_release(slot.output)
        slot.output = None
    if slot.service is not None:
        obs.obs_service_release(slot.service)
        slot.service = None
