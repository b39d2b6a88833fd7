"""The in-process ``ObsPort``: OBS's frontend API through obspython.

Called only from the script's timer (or OBS's own callbacks), never from a worker
thread: the SWIG wrappers hold the GIL (``%nothread`` in
https://github.com/obsproject/obs-studio/blob/29.0.2/deps/obs-scripting/obspython/obspython.i)
and some calls take OBS locks, so a call from another thread can deadlock OBS
(https://github.com/obsproject/obs-studio/issues/7516).
"""

from __future__ import annotations

import json
from typing import Optional, Sequence

import obspython as obs

from ..errors import ObsRefusedError
from ..session.ports import StreamService
from ..simulcast import SimulcastTarget, TargetState
from . import profile
from .extra_outputs import ExtraOutputs


class ScriptObsPort:
    """OBS's stream service and output, as the controller needs them, and the extra
    outputs that send simulcast targets from OBS itself (``extra``)."""

    def __init__(self) -> None:
        self.extra = ExtraOutputs()

    def get_stream_service(self) -> StreamService:
        service = obs.obs_frontend_get_streaming_service()  # borrowed: do not release
        if service is None:
            return StreamService("rtmp_common", {})
        settings = obs.obs_service_get_settings(service)
        try:
            data = json.loads(obs.obs_data_get_json(settings) or "{}")
        finally:
            obs.obs_data_release(settings)
        return StreamService(obs.obs_service_get_type(service) or "rtmp_common", data)

    def set_stream_service(self, service: StreamService) -> None:
        if obs.obs_frontend_streaming_active():
            # obs-websocket refuses this too (OutputRunning): the running output keeps
            # its own service, so a change now would only confuse the next start.
            raise ObsRefusedError("OBS is streaming; the stream settings cannot change now", code=500)
        data = obs.obs_data_create_from_json(json.dumps(dict(service.settings)))
        try:
            new = obs.obs_service_create(service.service_type, "obs_livestream_service", data, None)
            if new is None:
                raise ObsRefusedError(f"OBS could not create a {service.service_type!r} stream service")
            try:
                obs.obs_frontend_set_streaming_service(new)  # OBS keeps its own reference
                obs.obs_frontend_save_streaming_service()  # <profile>/service.json
            finally:
                obs.obs_service_release(new)
        finally:
            obs.obs_data_release(data)

    def start_streaming(self) -> None:
        obs.obs_frontend_streaming_start()  # queued; STARTED/STOPPED tell the outcome

    def stop_streaming(self) -> None:
        obs.obs_frontend_streaming_stop()

    def is_streaming(self) -> bool:
        return bool(obs.obs_frontend_streaming_active())

    def linked_account(self) -> Optional[str]:
        return profile.linked_account()

    def multitrack_video(self) -> bool:
        return profile.multitrack_video()

    # --- simulcast sent by OBS itself (``session.obsside.TargetOutputs``) ---------

    def start_targets(self, targets: Sequence[SimulcastTarget]) -> list[TargetState]:
        return self.extra.start(targets)

    def poll_targets(self) -> Optional[list[TargetState]]:
        return self.extra.poll()

    def stop_targets(self) -> list[TargetState]:
        return self.extra.stop()
