"""The worked example of a sixth provider (``example_provider``) passes the shared
provider tests and does its own operations with the kit alone."""

from __future__ import annotations

import base64

import pytest

from livestream.errors import ConfigurationError, UnexpectedResponseError
from livestream.models import StreamStatus
from tests.providers.contract import ProviderContract
from tests.providers.example_provider import STATUSES, ExampleLive

BASE = "https://api.example-live.test"
STREAMS = f"{BASE}/v1/streams"
KEY_ID, KEY_SECRET = "ex-key-id-41c2", "ex-key-secret-9f8e7d"
STREAM = {"id": "st_1", "title": "Example", "status": "idle", "stream_key": "sk-0123456789",
          "playback_url": "https://play.example-live.test/st_1.m3u8", "reference": "ref-1",
          "created_at": "2026-01-02T03:04:05.12345Z"}


def _map_status(word):
    return STATUSES.get(str(word).lower(), StreamStatus.UNKNOWN)


class TestExampleLiveContract(ProviderContract):
    provider = ExampleLive
    credentials = {"key_id": KEY_ID, "key_secret": KEY_SECRET}
    stream_id = "st_1"
    get_url = f"{STREAMS}/st_1"
    statuses = {"idle": StreamStatus.NOT_STARTED, "LIVE": StreamStatus.LIVE, "ended": StreamStatus.ENDED}
    map_status = staticmethod(_map_status)
    registered = False  # a worked example, not in the registry


@pytest.fixture
def example(fake):
    client = ExampleLive({"key_id": KEY_ID, "key_secret": KEY_SECRET}, session=fake.session(), environ={})
    yield client
    client.close()


def test_create_sends_basic_auth_and_parses_the_answer(fake, example):
    fake.expect("POST", STREAMS, status=201, json={"data": STREAM})
    stream = example.create("Example", reference="ref-1")
    sent = fake.requests[0]
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
    assert sent.json == {"title": "Example", "latency": "normal", "record": True, "reference": "ref-1"}
    assert stream.ingest.stream_key.get_secret_value() == "sk-0123456789"
    assert stream.status is StreamStatus.NOT_STARTED and stream.created_at.microsecond == 123450


def test_it_cannot_schedule_or_start(example):
    from datetime import datetime, timezone
    with pytest.raises(ConfigurationError, match="cannot schedule"):
        example.create("Later", start=datetime(2030, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ConfigurationError, match="nothing to start"):
        example.start("st_1")


def test_an_answer_of_the_wrong_shape_names_the_field(fake, example):
    fake.expect("GET", f"{STREAMS}/st_1", json={"data": {"title": "no id"}})
    with pytest.raises(UnexpectedResponseError, match="data.id"):
        example.get("st_1")


def test_end_of_a_stream_that_is_not_live_has_nothing_to_end(fake, example):
    fake.expect("POST", f"{STREAMS}/st_1/end", status=409, json={"message": "not live"})
    assert example.end("st_1").ended is False
