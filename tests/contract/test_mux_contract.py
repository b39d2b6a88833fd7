"""The Mux Video client against the sandbox over real HTTP: every operation, errors mapped."""

from __future__ import annotations

import pytest
import requests

from livestream.errors import (
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
)
from livestream.models import StreamStatus
from tests.sandbox.support import wait_until


class RawMux:
    """Mux calls straight to the sandbox (``requests`` with HTTP Basic), to check what the client did."""

    def __init__(self, sandbox) -> None:
        env = sandbox.env()
        self.base = f"{sandbox.api_url}/video/v1/live-streams"
        self.session = requests.Session()
        self.session.auth = (env["MUX_TOKEN_ID"], env["MUX_TOKEN_SECRET"])

    def call(self, method: str, path: str = "", **kw) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=10, **kw)

    def get(self, stream_id: str) -> dict:
        answer = self.call("GET", f"/{stream_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]


@pytest.fixture
def client(client_for):
    return client_for("mux")


@pytest.fixture
def raw(sandbox):
    return RawMux(sandbox)


def test_create_is_ready_at_once_on_the_sandbox_ingest(client, sandbox, raw):
    stream = client.create("Contract show", options={"reconnect_window": 30, "latency_mode": "reduced"},
                           reference="olr-contract")

    assert stream.provider == "mux" and stream.status is StreamStatus.NOT_STARTED
    assert stream.title == "Contract show" and stream.reference == "olr-contract" and stream.ingest_ready
    assert stream.ingest.protocol == "rtmp" and stream.ingest.server == sandbox.rtmp_url
    stored = raw.get(stream.id)
    assert stream.ingest.stream_key.get_secret_value() == stored["stream_key"]
    assert (stored["reconnect_window"], stored["latency_mode"]) == (30, "reduced")
    assert stored["new_asset_settings"] == {"playback_policies": ["public"]}
    assert stream.playback_url == f"{sandbox.api_url}/mux/stream/{stored['playback_ids'][0]['id']}.m3u8"
    assert client.get(stream.id).model_dump() == stream.model_dump()


def test_srt_ingest_uses_the_stream_key_and_passphrase(client_for, sandbox, raw):
    stream = client_for("mux").create("Over SRT", options={"protocol": "srt"})
    stored = raw.get(stream.id)
    assert stream.ingest.protocol == "srt" and stream.ingest.server == sandbox.srt_url
    assert stream.ingest.srt_stream_id == stored["stream_key"]
    assert stream.ingest.srt_passphrase.get_secret_value() == stored["srt_passphrase"]


def test_list_follows_every_page_and_find_created_uses_the_passthrough(client, raw):
    ids = set()
    for _ in range(102):  # more than the client's page of 100
        answer = raw.call("POST", json={"playback_policies": ["public"]})
        assert answer.status_code == 201, answer.text
        ids.add(answer.json()["data"]["id"])
    mine = client.create("Lost answer", reference="olr-lost")
    listed = client.list()
    assert ids | {mine.id} <= {s.id for s in listed}
    assert len(listed) == len({s.id for s in listed})
    assert client.find_created(reference="olr-lost", title=None, sent_at=0.0).id == mine.id


def test_end_completes_an_active_stream_and_has_nothing_to_end_otherwise(client, admin):
    stream = client.create("To complete")
    assert client.end(stream.id).ended is False

    admin.simulate_publish(stream.ingest.stream_key.get_secret_value())
    wait_until(lambda: client.get(stream.id).status is StreamStatus.LIVE, 5, "active")

    ended = client.end(stream.id)
    assert ended.ended is True
    assert client.get(stream.id).provider_status == "idle"
    assert admin.stream(stream.id)["media_ids"]  # the broadcast's asset is listed
    assert client.end(stream.id).ended is False


def test_start_is_refused_since_mux_cannot_schedule(client):
    stream = client.create("Not schedulable")
    with pytest.raises(ConfigurationError):
        client.start(stream.id)


def test_delete_then_not_found(client):
    stream = client.create("To delete")
    client.delete(stream.id)
    with pytest.raises(NotFoundError):
        client.get(stream.id)


def test_the_sandbox_refuses_out_of_range_values_like_mux(raw, client):
    answer = raw.call("POST", json={"playback_policies": ["public"], "reconnect_window": 1801})
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "invalid_parameters"
    with pytest.raises(InvalidRequestError):
        client._http.request("GET", "/video/v1/live-streams", params={"limit": 0})


def test_a_400_is_an_invalid_request_with_muxs_type(client, admin):
    # A wrong secret, an unknown stream and a 403: test_rate_limits_and_server_errors.py, for every provider.
    admin.add_fault("mux:status=400,count=1")
    with pytest.raises(InvalidRequestError) as invalid:
        client.create("Refused")
    assert invalid.value.status_code == 400 and "invalid_parameters" in invalid.value.provider_message
