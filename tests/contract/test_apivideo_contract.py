"""The api.video client against the sandbox over real HTTP: token exchange, every operation, errors mapped."""

from __future__ import annotations

import time

import pytest
import requests

from livestream.errors import (
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
)
from livestream.models import StreamStatus
from tests.sandbox.support import wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(client_for):
    return client_for("apivideo")


def _raw(sandbox, method: str, path: str, **kwargs) -> requests.Response:
    """A call with a token of its own, to read what the sandbox holds."""
    env = sandbox.env()
    token = requests.post(f"{sandbox.api_url}/auth/api-key", json={"apiKey": env["APIVIDEO_API_KEY"]},
                          timeout=5).json()["access_token"]
    return requests.request(method, sandbox.api_url + path, headers={"Authorization": f"Bearer {token}"},
                            timeout=10, **kwargs)


def test_create_is_ready_at_once_on_the_sandbox_ingest(client, sandbox):
    stream = client.create("Contract show", options={"public": False, "player_id": "pl45d5vFFGrfdsdsd156dGhh"})

    assert stream.provider == "apivideo" and stream.status is StreamStatus.NOT_STARTED
    assert stream.title == "Contract show" and stream.ingest_ready and stream.id.startswith("li")
    assert stream.ingest.protocol == "rtmp" and stream.ingest.server == sandbox.rtmp_url
    raw = _raw(sandbox, "GET", f"/live-streams/{stream.id}").json()
    assert stream.ingest.stream_key.get_secret_value() == raw["streamKey"]
    assert raw["public"] is False and raw["playerId"] == "pl45d5vFFGrfdsdsd156dGhh"
    assert stream.playback_url == raw["assets"]["hls"] == f"{sandbox.api_url}/apivideo-live/{stream.id}.m3u8"
    assert client.get(stream.id).model_dump() == stream.model_dump()


def test_srt_ingest_uses_the_sandbox_srt_url_with_the_key_as_streamid(client):
    stream = client.create("Over SRT", options={"protocol": "srt"})
    assert stream.ingest.protocol == "srt" and stream.ingest.server.startswith("srt://127.0.0.1:")
    assert stream.ingest.srt_stream_id and stream.ingest.srt_passphrase is None


def test_list_follows_every_page(client, sandbox):
    ids = set()
    env = sandbox.env()
    token = requests.post(f"{sandbox.api_url}/auth/api-key", json={"apiKey": env["APIVIDEO_API_KEY"]},
                          timeout=5).json()["access_token"]
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        for i in range(101):  # more than the client's page of 100
            ids.add(session.post(f"{sandbox.api_url}/live-streams", json={"name": f"Bulk {i}"},
                                 timeout=5).json()["liveStreamId"])
    listed = client.list()
    assert ids <= {s.id for s in listed}
    assert len(listed) == len({s.id for s in listed})


def test_a_lost_create_is_found_again_by_name(client, sandbox):
    sent_at = time.time()
    made = _raw(sandbox, "POST", "/live-streams", json={"name": "Lost answer 7f3a"}).json()
    found = client.find_created(reference="unused", title="Lost answer 7f3a", sent_at=sent_at)
    assert found is not None and found.id == made["liveStreamId"]


def test_end_completes_a_broadcast(client, admin):
    stream = client.create("To complete")
    admin.simulate_publish(stream.ingest.stream_key.get_secret_value())
    wait_until(lambda: client.get(stream.id).status is StreamStatus.LIVE, 5, "broadcasting")

    ended = client.end(stream.id)

    assert ended.ended is True
    wait_until(lambda: client.get(stream.id).status is StreamStatus.NOT_STARTED, 5, "not broadcasting")
    assert admin.stream(stream.id)["media_ids"]
    # Ended again: not broadcasting any more, so nothing is sent to complete (it is
    # documented for a broadcasting stream only).
    assert client.end(stream.id).ended is False


def test_delete_then_not_found(client):
    stream = client.create("To delete")
    client.delete(stream.id)
    with pytest.raises(NotFoundError):
        client.get(stream.id)
    with pytest.raises(NotFoundError):
        client.end(stream.id)


def test_start_is_refused(client):
    with pytest.raises(ConfigurationError):
        client.start("li0000000000000000000000")


def test_the_token_is_refreshed_and_a_forgotten_token_logs_in_again(client_for, sandbox, admin):
    clock = Clock()
    client = client_for("apivideo", clock=clock)
    client.check_credentials()
    clock.now += 3600
    client.check_credentials()
    assert admin.events(provider="apivideo", kind="token_refreshed")

    logins = len(admin.events(provider="apivideo", kind="login"))
    sandbox.core.models["apivideo"]._access.clear()  # as after a sandbox restart  # noqa: SLF001
    client.check_credentials()
    assert len(admin.events(provider="apivideo", kind="login")) == logins + 1


def test_a_400_names_the_refused_field(client, admin):
    # A wrong key, an unknown stream and a 403: test_rate_limits_and_server_errors.py, for every provider.
    client.check_credentials()  # logged in: the faults below hit the API call, not the token exchange
    admin.add_fault("apivideo:status=400,count=1")
    with pytest.raises(InvalidRequestError) as invalid:
        client.create("Refused")
    assert invalid.value.status_code == 400 and invalid.value.field_errors == {
        "name": ["This value should not be blank."]}
