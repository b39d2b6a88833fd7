"""In-memory fakes of the OBS port and of a provider, for tests of the go-live flow.

``FakeObs`` behaves like OBS as far as the controller can tell: ``start_streaming``
only asks, and the outcome arrives later as an event on the controller. ``FakeProvider``
behaves like TP Streams (the key appears after some polls) or FastPix (key at create),
and can be told to fail any call.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any, Callable, Mapping, Optional

from pydantic import BaseModel, SecretStr

from livestream.errors import InvalidRequestError, NotFoundError, ObsRefusedError
from livestream.models import EndResult, Ingest, LiveStream, StreamStatus
from livestream.providers.base import OptionsInput, Provider
from livestream.providers.declare import Capabilities
from livestream.session.ports import StreamService
from livestream.simulcast import SimulcastSupport, SimulcastTarget, TargetState, TargetStatus

PREVIOUS_SERVICE = StreamService("rtmp_common", {"service": "Twitch", "server": "auto", "key": "live_user_own_key"})


class FakeObs:
    """An ``ObsPort`` that records calls and answers like OBS.

    ``controller`` receives the asynchronous stream events. ``connect_error`` makes
    the next start fail the way OBS does when it cannot reach the server.
    """

    def __init__(self, service: StreamService = PREVIOUS_SERVICE) -> None:
        self.service = service
        self.streaming = False
        self.linked: Optional[str] = None
        self.multitrack = False
        self.connect_error: Optional[str] = None
        self.refuse_service = False
        self.calls: list[str] = []
        self.services_set: list[StreamService] = []
        self.controller: Any = None
        #: False: start/stop are only recorded; the test sends the events itself.
        self.auto_events = True

    def get_stream_service(self) -> StreamService:
        self.calls.append("get_stream_service")
        return self.service

    def set_stream_service(self, service: StreamService) -> None:
        self.calls.append("set_stream_service")
        if self.refuse_service:
            raise ObsRefusedError("OBS refused the stream settings", code=500)
        self.service = service
        self.services_set.append(service)

    def start_streaming(self) -> None:
        self.calls.append("start_streaming")
        if not self.auto_events:
            return
        if self.connect_error:
            self.controller.streaming_stopped(self.connect_error)
        else:
            self.streaming = True
            self.controller.streaming_started()

    def stop_streaming(self) -> None:
        self.calls.append("stop_streaming")
        if self.auto_events and self.streaming:
            self.streaming = False
            self.controller.streaming_stopped(None)

    def is_streaming(self) -> bool:
        return self.streaming

    def linked_account(self) -> Optional[str]:
        return self.linked

    def multitrack_video(self) -> bool:
        return self.multitrack


class _Credentials(BaseModel):
    token: SecretStr = SecretStr("fake-token-123456")


class _Options(BaseModel):
    pass


class FakeProvider(Provider):
    """A provider kept in memory.

    ``key_after_polls``: how many ``get`` calls before the ingest appears (0 = at
    create, like FastPix; TP Streams boots for 20-30 s). ``None`` = never.
    ``fail[op]``: an exception (or a list of them, used one per call) raised by ``op``.
    """

    name = "fake"
    display_name = "Fake Provider"
    Credentials = _Credentials
    Options = _Options
    capabilities = Capabilities(scheduling=True, simulcast=SimulcastSupport(
        max_targets=3, schemes=("rtmp", "rtmps"), only_while_idle=True, reports_status=True))
    default_base_url = "http://fake.invalid"
    base_url_env = "FAKE_API_BASE_URL"
    poll_interval = 3.0

    def __init__(
        self,
        credentials: Optional[BaseModel] = None,
        *,
        base_url: Optional[str] = None,
        key_after_polls: Optional[int] = 0,
        stream_key: str = "fake-stream-key-0001",
    ) -> None:
        self.base_url = base_url or self.default_base_url
        self.key_after_polls = key_after_polls
        self.stream_key = stream_key
        self.streams: dict[str, dict[str, Any]] = {}
        self.fail: dict[str, Any] = {}
        self.calls: list[tuple[str, Optional[str]]] = []
        self._ids = (f"s{n}" for n in itertools.count(1))
        self.on_call: Optional[Callable[[str], None]] = None
        #: Simulcast targets held per stream: target id -> name (Mux-like: added only while idle).
        self.targets: dict[str, dict[str, str]] = {}
        #: An error raised by the next create *after* the stream was made (a lost answer).
        self.create_lands_then_fails: Optional[BaseException] = None

    @classmethod
    def credentials_from_env(cls, environ: Mapping[str, str]) -> BaseModel:
        return _Credentials()

    def _maybe_fail(self, op: str) -> None:
        if self.on_call:
            self.on_call(op)
        failure = self.fail.get(op)
        if isinstance(failure, list):
            failure = failure.pop(0) if failure else None
        if failure is not None:
            raise failure

    def _view(self, stream_id: str) -> LiveStream:
        s = self.streams[stream_id]
        ready = self.key_after_polls is not None and s["polls"] >= self.key_after_polls
        return LiveStream(
            provider=self.name,
            id=stream_id,
            title=s["title"],
            status=s["status"],
            provider_status=s["status"].value,
            ingest=Ingest(protocol="rtmp", server="rtmp://ingest.fake.invalid/live",
                          stream_key=SecretStr(self.stream_key)) if ready else None,
            playback_url=f"https://play.fake.invalid/{stream_id}.m3u8",
            chat_url=f"https://chat.fake.invalid/{stream_id}/",
            reference=s.get("reference"),
        )

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        self.calls.append(("create", title))
        if self.create_lands_then_fails is not None:
            # The provider makes the stream, then the answer is lost on the way back.
            failure, self.create_lands_then_fails = self.create_lands_then_fails, None
            self._new_stream(title, reference)
            raise failure
        self._maybe_fail("create")
        return self._view(self._new_stream(title, reference))

    def _new_stream(self, title: str, reference: Optional[str]) -> str:
        stream_id = next(self._ids)
        self.streams[stream_id] = {"title": title, "status": StreamStatus.NOT_STARTED, "polls": 0,
                                   "reference": reference}
        return stream_id

    def start(self, stream_id: str) -> LiveStream:
        self.calls.append(("start", stream_id))
        self._maybe_fail("start")
        return self._view(stream_id)

    def get(self, stream_id: str) -> LiveStream:
        self.calls.append(("get", stream_id))
        self._maybe_fail("get")
        self.streams[stream_id]["polls"] += 1
        return self._view(stream_id)

    def list(self) -> list[LiveStream]:  # noqa: A003
        self.calls.append(("list", None))
        self._maybe_fail("list")
        return [self._view(i) for i in self.streams]

    def end(self, stream_id: str) -> EndResult:
        self.calls.append(("end", stream_id))
        self._maybe_fail("end")
        if stream_id not in self.streams:
            raise NotFoundError(f"No fake stream {stream_id}")
        self.streams[stream_id]["status"] = StreamStatus.ENDED
        return EndResult(ended=True, message="stopped")

    def delete(self, stream_id: str) -> None:
        self.calls.append(("delete", stream_id))
        self._maybe_fail("delete")
        self.streams.pop(stream_id, None)

    def check_credentials(self) -> None:
        self.calls.append(("check_credentials", None))
        self._maybe_fail("check_credentials")

    def add_simulcast_target(self, stream_id: str, target: SimulcastTarget) -> TargetState:
        self.calls.append(("add_target", target.name))
        self._maybe_fail("add_target")
        if self.streams[stream_id]["status"] is not StreamStatus.NOT_STARTED:
            raise InvalidRequestError("simulcast targets can only be added while the stream is idle",
                                      provider=self.display_name, status_code=400)
        held = self.targets.setdefault(stream_id, {})
        target_id = f"t{len(held) + 1}"
        held[target_id] = target.name
        return TargetState(name=target.name, target_id=target_id, status=TargetStatus.IDLE, host=target.host)

    def remove_simulcast_target(self, stream_id: str, target: TargetState) -> None:
        self.calls.append(("remove_target", target.target_id))
        self._maybe_fail("remove_target")
        self.targets.get(stream_id, {}).pop(target.target_id, None)

    def simulcast_targets(self, stream_id: str) -> list[TargetState]:
        self.calls.append(("targets", stream_id))
        live = self.streams[stream_id]["status"] is StreamStatus.LIVE
        return [TargetState(name=name, target_id=tid, status=TargetStatus.LIVE if live else TargetStatus.IDLE)
                for tid, name in self.targets.get(stream_id, {}).items()]

    def count(self, op: str) -> int:
        return sum(1 for name, _ in self.calls if name == op)
