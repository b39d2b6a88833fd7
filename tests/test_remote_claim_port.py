"""The CLI's OBS port never changes the stream service or starts OBS for a go-live that does not
hold the claim on OBS's stream, nor while OBS's output is starting or streaming (OBS 29 crashed
on a second start during a connection: docs/development.md)."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

import pytest

from livestream.errors import ObsRefusedError
from livestream.remote.client import OUTPUT_STARTED, OUTPUT_STARTING, ObsEvent
from livestream.remote.port import RemoteObsPort
from livestream.remote.slots import PersistentSlot, refuse_if_panel_busy
from livestream.session import bridge
from livestream.session.claim import ClaimRefusedError, StreamClaim
from livestream.session.ports import StreamService


class FakeClient:
    def __init__(self) -> None:
        self.streaming = False
        self.sent: list[str] = []
        self.persistent: dict[str, Any] = {}
        self.callback = None

    def subscribe(self, callback, event_type=None):
        self.callback = callback
        return lambda: None

    def is_streaming(self) -> bool:
        return self.streaming

    def set_stream_service(self, service: StreamService) -> None:
        self.sent.append("SetStreamServiceSettings")

    def start_stream(self) -> None:
        self.sent.append("StartStream")

    def call(self, request: str, **data: Any) -> dict[str, Any]:
        if request == "GetPersistentData":
            return {"slotValue": self.persistent.get(data["slotName"])}
        assert request == "SetPersistentData", request
        self.persistent[data["slotName"]] = data["slotValue"]
        return {}


SERVICE = StreamService.custom("rtmp://ingest.example/live", "k")


def claimed_port(client: FakeClient) -> RemoteObsPort:
    port = RemoteObsPort(client)
    port.attach(Mock())  # the controller: told of OBS's stream events
    port.claim = StreamClaim(PersistentSlot(client, "obs_livestream_claim"), "cli", "laptop")
    return port


def test_a_go_live_without_the_claim_never_touches_obs():
    client = FakeClient()
    port = claimed_port(client)
    for ask in (lambda: port.set_stream_service(SERVICE), port.start_streaming):
        with pytest.raises(ClaimRefusedError):
            ask()
    assert client.sent == []


def test_while_obs_output_is_starting_or_streaming_nothing_is_changed_or_started(monkeypatch):
    client = FakeClient()
    port = claimed_port(client)
    monkeypatch.setattr(port.claim, "held", True)
    client.callback(ObsEvent("StreamStateChanged", {"outputState": OUTPUT_STARTING}))  # someone's start
    with pytest.raises(ObsRefusedError, match="starting"):
        port.set_stream_service(SERVICE)
    client.callback(ObsEvent("StreamStateChanged", {"outputState": OUTPUT_STARTED}))
    client.streaming = True
    with pytest.raises(ObsRefusedError, match="already streaming"):
        port.start_streaming()
    client.streaming = False
    port.set_stream_service(SERVICE)
    port.start_streaming()
    assert client.sent == ["SetStreamServiceSettings", "StartStream"]


def test_the_cli_refuses_while_the_script_publishes_a_go_live_under_way():
    client = FakeClient()
    client.persistent[bridge.SLOT] = {"format": bridge.FORMAT, "state": "creating"}
    with pytest.raises(ClaimRefusedError, match="started from the panel is under way"):
        refuse_if_panel_busy(client)
    client.persistent[bridge.SLOT] = {"format": bridge.FORMAT, "state": "ended"}
    refuse_if_panel_busy(client)


def test_a_released_slot_is_an_empty_object_obs_websocket_accepts():
    client = FakeClient()
    PersistentSlot(client, "obs_livestream_claim").write(None)
    assert client.persistent["obs_livestream_claim"] == {}
