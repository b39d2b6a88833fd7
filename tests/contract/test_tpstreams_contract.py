"""The TP Streams client against the sandbox over real HTTP: every operation, errors mapped."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NoResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderServerError,
    UnexpectedResponseError,
)
from livestream.models import StreamStatus
from livestream.tokencache import TokenCache
from tests.sandbox.support import wait_until


@pytest.fixture
def client(client_for):
    return client_for("tpstreams")


def _ready(client, stream_id, timeout=5.0):
    return wait_until(lambda: (lambda s: s if s.ingest_ready else None)(client.get(stream_id)), timeout,
                      "the TP Streams ingest")


def test_create_then_poll_until_the_ingest_is_ready(client, sandbox):
    created = client.create("Contract class", options={"latency": "low"})

    assert created.provider == "tpstreams" and created.status is StreamStatus.NOT_STARTED
    assert created.provider_status == "Not Started" and not created.ingest_ready
    org = sandbox.credentials.tpstreams_org_id
    assert created.playback_url == f"{sandbox.api_url}/live/{org}/{created.id}/video.m3u8"
    ready = _ready(client, created.id)
    assert ready.status is StreamStatus.NOT_STARTED and ready.ingest.server == sandbox.rtmp_url
    settings = ready.ingest.obs_service_settings()
    assert re.fullmatch(rf"org-{sandbox.credentials.tpstreams_org_id}-live-{created.id}-\w{{4}}", settings["key"])
    assert ready.chat_url


def test_schedule_then_start(client):
    start = datetime(2030, 10, 5, 15, 30)
    scheduled = client.create("Scheduled class", start=start)

    assert scheduled.scheduled_start == start and not scheduled.ingest_ready
    time.sleep(0.6)  # past the boot delay: a scheduled stream does not boot by itself
    assert not client.get(scheduled.id).ingest_ready
    started = client.start(scheduled.id)
    assert started.id == scheduled.id and not started.ingest_ready
    assert _ready(client, scheduled.id).scheduled_start == start


def test_list_follows_every_page(client, admin):
    admin.config(tpstreams_page_size=2)
    try:
        ids = {client.create(f"Paged {i}").id for i in range(5)}
        listed = client.list()
    finally:
        admin.config(tpstreams_page_size=20)
    assert ids <= {s.id for s in listed}
    assert len(listed) == len({s.id for s in listed})
    assert len([e for e in admin.events(kind="created") if e["stream_id"] in ids]) == 5


def test_end_is_terminal_and_a_second_end_has_nothing_to_end(client, admin):
    stream = _ready(client, client.create("To end").id)
    admin.simulate_publish(stream.ingest.stream_key.get_secret_value())
    assert client.get(stream.id).status is StreamStatus.LIVE

    ended = client.end(stream.id)

    assert ended.ended is True and ended.message == "Live stream stopped successfully"
    after = client.get(stream.id)
    assert after.status is StreamStatus.ENDED and after.provider_status == "Stopped"
    again = client.end(stream.id)
    assert again.ended is False and "Stopped" in again.message


def test_delete_then_not_found(client):
    stream = client.create("To delete")
    client.delete(stream.id)
    with pytest.raises(NotFoundError):
        client.get(stream.id)
    with pytest.raises(NotFoundError):
        client.delete(stream.id)


def test_another_org_a_bad_title_and_a_blank_one_are_refused(client_for, sandbox, client):
    # A wrong token, an unknown stream and a 403 fault: test_rate_limits_and_server_errors.py.
    with pytest.raises(PermissionDeniedError):
        client_for("tpstreams", dict(sandbox.env(), TPSTREAMS_ORG_ID="otherorg")).check_credentials()
    with pytest.raises(InvalidRequestError) as invalid:
        client.create("x" * 300)
    assert invalid.value.status_code == 400 and "title" in invalid.value.field_errors
    with pytest.raises(ConfigurationError):
        client.create("   ")


def test_username_and_password_log_in_once(client_for, sandbox, admin, tmp_path):
    env = sandbox.env(tpstreams_login=True)
    cache = TokenCache(tmp_path / "tokens.json")
    logins = len(admin.events(kind="login"))

    first = client_for("tpstreams", env, token_cache=cache).create("With login")
    client_for("tpstreams", env, token_cache=TokenCache(tmp_path / "tokens.json")).get(first.id)

    assert len(admin.events(kind="login")) == logins + 1
    # A wrong password is refused even though the same cache holds the right one's token.
    wrong = dict(env, TPSTREAMS_PASSWORD="not-the-password-0417")
    with pytest.raises(AuthenticationError):
        client_for("tpstreams", wrong, token_cache=TokenCache(tmp_path / "tokens.json")).check_credentials()


def test_server_errors_are_retried_then_raised(client, admin, sleeps):
    admin.add_fault("tpstreams:status=503,count=2")
    client.check_credentials()  # two 503s, then through
    assert len(sleeps) == 2
    admin.add_fault("tpstreams:status=500")
    with pytest.raises(ProviderServerError):
        client.check_credentials()


def test_a_create_is_never_retried(client, admin):
    admin.add_fault("tpstreams:status=503,count=1")
    with pytest.raises(ProviderServerError):
        client.create("Not retried")
    before = len(admin.events(kind="created"))
    admin.add_fault("tpstreams:drop,count=1")
    with pytest.raises(NoResponseError):
        client.create("Answer lost")
    assert len(admin.events(kind="created")) == before + 1  # it reached the server once, only once


def test_a_lost_answer_on_a_read_is_retried(client, admin, sleeps):
    stream = client.create("Read twice")
    admin.add_fault("tpstreams:drop=reset,count=1")
    assert client.get(stream.id).id == stream.id and len(sleeps) == 1


def test_malformed_and_revoked(client, admin):
    stream = client.create("Malformed")
    admin.add_fault("tpstreams:malformed,count=1")
    with pytest.raises(UnexpectedResponseError):
        client.get(stream.id)
    admin.add_fault("tpstreams:reject_auth")
    with pytest.raises(AuthenticationError):
        client.get(stream.id)
