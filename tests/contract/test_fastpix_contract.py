"""The FastPix client against the sandbox over real HTTP: every operation, errors mapped."""

from __future__ import annotations

import pytest

from livestream.errors import (
    InvalidRequestError,
    NotFoundError,
)
from livestream.models import StreamStatus
from tests.sandbox.support import FP, wait_until


@pytest.fixture
def client(client_for):
    return client_for("fastpix")


def test_create_is_ready_at_once_on_the_sandbox_ingest(client, sandbox):
    stream = client.create("Contract show", options={"reconnect_window": 90, "access_policy": "private"})

    assert stream.provider == "fastpix" and stream.status is StreamStatus.NOT_STARTED
    assert stream.title == "Contract show" and stream.ingest_ready
    assert stream.ingest.protocol == "rtmp" and stream.ingest.server == sandbox.rtmp_url
    raw = FP(sandbox).get(stream.id)
    assert stream.ingest.stream_key.get_secret_value() == raw["streamKey"]
    assert raw["reconnectWindow"] == 90 and raw["playbackIds"][0]["accessPolicy"] == "private"
    assert stream.playback_url == f"{sandbox.api_url}/stream/{raw['playbackIds'][0]['id']}.m3u8"
    assert client.get(stream.id).model_dump() == stream.model_dump()


def test_srt_ingest_uses_the_sandbox_srt_url(client_for, sandbox):
    stream = client_for("fastpix", protocol="srt").create("Over SRT", options={"protocol": "srt"})
    assert stream.ingest.protocol == "srt" and stream.ingest.server == sandbox.srt_url


def test_list_follows_every_page(client, sandbox):
    fp = FP(sandbox)
    ids = {fp.create()["streamId"] for _ in range(52)}  # more than the client's page of 50
    listed = client.list()
    assert ids <= {s.id for s in listed}
    assert len(listed) == len({s.id for s in listed})


def test_end_finishes_an_active_stream_and_has_nothing_to_end_otherwise(client, admin):
    stream = client.create("To finish")
    nothing = client.end(stream.id)
    assert nothing.ended is False

    admin.simulate_publish(stream.ingest.stream_key.get_secret_value())
    assert client.get(stream.id).status is StreamStatus.CONNECTING
    wait_until(lambda: client.get(stream.id).status is StreamStatus.LIVE, 5, "active")

    ended = client.end(stream.id)

    assert ended.ended is True
    assert client.get(stream.id).provider_status == "idle"
    assert admin.stream(stream.id)["media_ids"]


def test_disable_enable_and_start(client):
    stream = client.create("Toggle")
    client.disable(stream.id)
    assert client.get(stream.id).status is StreamStatus.DISABLED
    with pytest.raises(InvalidRequestError) as again:
        client.disable(stream.id)
    assert again.value.status_code == 400
    client.enable(stream.id)
    assert client.get(stream.id).status is StreamStatus.NOT_STARTED
    with pytest.raises(InvalidRequestError):
        client.enable(stream.id)
    client.disable(stream.id)
    assert client.start(stream.id).status is StreamStatus.NOT_STARTED  # start() enables a disabled stream


def test_delete_then_not_found(client):
    stream = client.create("To delete")
    client.delete(stream.id)
    with pytest.raises(NotFoundError):
        client.get(stream.id)


def test_a_422_is_an_invalid_request_with_its_fields(client, admin):
    # A wrong key, an unknown stream and a 403: test_rate_limits_and_server_errors.py, for every provider.
    admin.add_fault("fastpix:status=422,count=1")
    with pytest.raises(InvalidRequestError) as invalid:
        client.create("Refused")
    assert invalid.value.status_code == 422 and invalid.value.field_errors
