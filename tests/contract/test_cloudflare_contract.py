"""The Cloudflare Stream client against the sandbox over real HTTP: every operation, errors mapped."""

from __future__ import annotations

import time

import pytest
import requests

from livestream.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
)
from livestream.models import StreamStatus


@pytest.fixture
def client(client_for):
    return client_for("cloudflare")


def _raw(sandbox, uid):
    env = sandbox.env()
    url = f"{sandbox.api_url}/client/v4/accounts/{env['CLOUDFLARE_ACCOUNT_ID']}/stream/live_inputs/{uid}"
    return requests.get(url, headers={"Authorization": f"Bearer {env['CLOUDFLARE_API_TOKEN']}"},
                        timeout=10).json()["result"]


def test_create_is_ready_at_once_on_the_sandbox_ingest(client, sandbox):
    stream = client.create("Contract show", options={"recording_timeout": 10, "delete_recording_after_days": 30},
                           reference="ref-contract")

    assert stream.provider == "cloudflare" and stream.status is StreamStatus.NOT_STARTED
    assert stream.title == "Contract show" and stream.reference == "ref-contract" and stream.ingest_ready
    assert stream.ingest.protocol == "rtmp" and stream.ingest.server == sandbox.rtmp_url
    raw = _raw(sandbox, stream.id)
    assert stream.ingest.stream_key.get_secret_value() == raw["rtmps"]["streamKey"]
    assert raw["recording"]["timeoutSeconds"] == 10 and raw["deleteRecordingAfterDays"] == 30
    assert raw["enabled"] is True and raw["meta"]["obs_livestream_after"] == "disable"
    assert stream.playback_url == f"{sandbox.api_url}/cloudflare/{stream.id}/manifest/video.m3u8"
    assert client.get(stream.id).model_dump() == stream.model_dump()


def test_srt_ingest_comes_from_the_answer(client, sandbox):
    stream = client.create("Over SRT", options={"protocol": "srt"})
    assert stream.ingest.protocol == "srt" and stream.ingest.server == sandbox.srt_url
    assert stream.ingest.srt_stream_id == stream.id
    assert stream.ingest.srt_passphrase.get_secret_value() == _raw(sandbox, stream.id)["srt"]["passphrase"]


def test_status_follows_the_encoder(client, admin):
    stream = client.create("Status")
    key = stream.ingest.stream_key.get_secret_value()
    admin.simulate_publish(key)
    assert client.get(stream.id).status is StreamStatus.LIVE
    admin.simulate_unpublish(key)
    assert client.get(stream.id).provider_status == "client_disconnect"
    assert client.get(stream.id).status is StreamStatus.DISCONNECTED


def test_list_holds_every_input_and_find_created_gets_a_lost_one_whole(client):
    made = [client.create(f"Listed {i}", reference=f"lost-{i}") for i in range(3)]
    listed = {s.id: s for s in client.list()}
    assert {s.id for s in made} <= set(listed)
    assert all(listed[s.id].ingest is None for s in made)  # the list carries no credentials

    found = client.find_created(reference="lost-1", title="Listed 1", sent_at=time.time())
    assert found.id == made[1].id and found.ingest_ready


def test_end_disables_and_the_input_refuses_the_encoder(client, admin):
    stream = client.create("To disable")
    key = stream.ingest.stream_key.get_secret_value()
    admin.simulate_publish(key)
    admin.simulate_unpublish(key)  # OBS stops first

    ended = client.end(stream.id)

    assert ended.ended is True
    after = client.get(stream.id)
    assert after.status is StreamStatus.ENDED and after.provider_status == "disabled"
    assert not admin.simulate_publish(key, client_id="late")
    assert client.start(stream.id).status is not StreamStatus.ENDED  # enabled again
    assert admin.simulate_publish(key, client_id="back")


def test_end_deletes_when_asked_even_from_a_fresh_client(client_for, admin):
    made = client_for("cloudflare").create("To delete", options={"after_stream": "delete"})
    fresh = client_for("cloudflare")  # e.g. OBS restarted: the choice is read from meta

    assert fresh.end(made.id).ended is True
    with pytest.raises(NotFoundError):
        fresh.get(made.id)
    assert fresh.end(made.id).ended is False  # nothing left to end


def test_delete_then_not_found(client):
    stream = client.create("Gone")
    client.delete(stream.id)
    with pytest.raises(NotFoundError) as info:
        client.get(stream.id)
    assert info.value.status_code == 404


def test_a_401_and_a_refused_field_map_to_the_error_tree(client, admin):
    # A wrong token (403 "Authentication error"), an unknown input and a 403:
    # test_rate_limits_and_server_errors.py, for every provider.
    admin.add_fault("cloudflare:status=401,count=1")
    with pytest.raises(AuthenticationError):
        client.check_credentials()
    with pytest.raises(InvalidRequestError) as invalid:
        # Past the client's own check, as a raw body the sandbox refuses field by field.
        client._http.request("POST", client._inputs, json={"deleteRecordingAfterDays": 3}, idempotent=False)
    assert invalid.value.status_code == 400
    assert invalid.value.field_errors == {"deleteRecordingAfterDays": ["deleteRecordingAfterDays must be at least 30"]}
