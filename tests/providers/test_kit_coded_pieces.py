"""The kit pieces Cloudflare and Mux were split onto, on their own: coded error bodies and
the table of what their codes mean (``kit_codes``), the readers of wire fields
(``kit_wire``), and the stream operations over a provider's own ``_answer`` and ``_parsed`` (``kit_streams``)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

import pytest
from pydantic import Field, SecretStr, ValidationError

from livestream import secrets
from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    PermissionDeniedError,
    ProviderServerError,
    UnexpectedResponseError,
)
from livestream.http import HttpClient, Service
from livestream.models import LiveStream, StreamStatus
from livestream.providers import wire
from livestream.providers.declare import Capabilities
from livestream.providers.kit import BasicCredentials, OptionsModel
from livestream.providers.kit_codes import CodeTable, coded_errors, typed_error
from livestream.providers.kit_simulcast import enabled_target, made_target, target_body
from livestream.providers.kit_streams import StreamsProvider
from livestream.providers.kit_wire import (
    Data,
    UnixTime,
    check_length,
    filled,
    flagged_status,
    ingest_of,
    nested_secrets,
    unix_time,
    web_url,
    word_of,
)
from livestream.simulcast import SimulcastTarget, TargetStatus

BASE = "https://api.pieces-test.example"
TABLE = CodeTable(credentials={400: frozenset({61})},
                  explained={73: ("Pieces: the account is not right ({said})", "check the account")})
SERVICE = Service(name="Pieces", credential="API key", auth_hint="check the key", permission_hint="ask",
                  not_found_hint="check the ID", base_url_env="PIECES_API_BASE_URL", **TABLE.hooks())


# ---------------------------------------------------------------------------- kit_codes


def test_coded_errors_give_the_message_with_codes_the_fields_by_pointer_and_every_code():
    body = {"success": False, "errors": [
        {"code": 10, "message": "bad  days", "source": {"pointer": "/recording/days"}},
        {"code": 11, "message": "Invalid headers", "error_chain": [{"code": 12, "message": "bad token format"}]},
        {"message": "no code"}]}
    message, fields, codes = coded_errors(body)
    assert message == "bad days [code 10]; Invalid headers (bad token format) [code 11]; no code"
    assert fields == {"recording.days": ["bad days"]} and codes == {10, 11, 12}


def test_a_body_that_is_not_an_errors_list_reads_as_nothing_and_a_long_message_is_cut():
    assert coded_errors({"error": "x"}) == (None, {}, set())
    assert coded_errors({"errors": [{"code": "not a number"}]}) == (None, {}, set())
    message, _, _ = coded_errors({"errors": [{"message": "w" * 400}]})
    assert len(message) == 300 and message.endswith("…")


def test_the_code_table_turns_a_listed_code_into_the_credentials_error(fake):
    client = HttpClient(SERVICE, BASE, session=fake.session(), sleep=lambda _: None)
    fake.expect("GET", f"{BASE}/a", status=400, json={"errors": [{"code": 61, "message": "bad header"}]})
    with pytest.raises(AuthenticationError, match=r"Pieces rejected the API key \(400: bad header \[code 61\]\)"):
        client.request("GET", "/a")
    # The same code on another status, and another code on a 400, are just refusals.
    fake.expect("GET", f"{BASE}/a", status=400, json={"errors": [{"code": 62, "message": "bad value"}]})
    with pytest.raises(InvalidRequestError):
        client.request("GET", "/a")
    assert not TABLE.rejects_credentials(403, {"errors": [{"code": 61}]})


def test_the_code_table_explains_a_listed_code_below_500_only(fake):
    client = HttpClient(SERVICE, BASE, session=fake.session(), sleep=lambda _: None)
    fake.expect("GET", f"{BASE}/a", status=403, json={"errors": [{"code": 73, "message": "no route"}]})
    with pytest.raises(PermissionDeniedError) as refused:
        client.request("GET", "/a")
    assert refused.value.message == "Pieces: the account is not right (403: no route [code 73])"
    assert refused.value.hint == "check the account"
    assert TABLE.explain(503, {"errors": [{"code": 73}]}) is None
    assert CodeTable().explain(403, {"errors": [{"code": 73}]}) is None


def test_a_typed_error_says_its_type_and_messages_and_files_a_message_under_its_field():
    body = {"error": {"type": "invalid_parameters", "message": "Invalid",
                      "messages": ["reconnect_window must be at most 1800", "  ", "other"]}}
    message, fields = typed_error(body, ("latency_mode", "reconnect_window"))
    assert message == "invalid_parameters: Invalid; reconnect_window must be at most 1800; other"
    assert fields == {"reconnect_window": ["reconnect_window must be at most 1800"]}
    assert typed_error({"error": {"type": "not_found"}}) == ("not_found", {})
    assert typed_error({"errors": []}) == (None, {})


# ---------------------------------------------------------------------------- kit_wire


class _Item(wire.WireModel):
    id: str = Field(min_length=1)
    at: UnixTime = None


def test_a_data_envelope_validates_its_object_or_list():
    assert Data[_Item].model_validate({"data": {"id": "a"}}).data.id == "a"
    assert [i.id for i in Data[list[_Item]].model_validate({"data": [{"id": "a"}, {"id": "b"}]}).data] == ["a", "b"]
    with pytest.raises(ValidationError):
        Data[_Item].model_validate({"data": {"id": ""}})


def test_unix_seconds_are_read_as_number_or_text_and_an_unreadable_time_is_none():
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert unix_time("1704164645") == at == unix_time(1704164645) == _Item(id="a", at="1704164645").at
    assert unix_time("2024-01-02T03:04:05Z") == at
    assert unix_time(None) is None and unix_time("soon") is None and _Item(id="a", at={"x": 1}).at is None


def test_a_flag_that_says_disabled_wins_over_the_word_and_no_word_is_never():
    table = {"connected": StreamStatus.LIVE}
    kw = dict(disabled=StreamStatus.ENDED, never=StreamStatus.NOT_STARTED, unknown=StreamStatus.UNKNOWN)
    assert flagged_status("connected", table, enabled=False, **kw) is StreamStatus.ENDED
    assert flagged_status("Connected", table, enabled=None, **kw) is StreamStatus.LIVE
    assert flagged_status(None, table, enabled=True, **kw) is StreamStatus.NOT_STARTED
    assert flagged_status("odd", table, enabled=True, **kw) is StreamStatus.UNKNOWN


def test_a_status_word_is_read_plain_or_nested():
    assert word_of("connected") == "connected" and word_of("  ") is None and word_of(3) is None
    assert word_of({"current": {"state": "", "reason": "x"}}, "current", ("state", "reason")) == "x"
    assert word_of({"current": "connected"}, "current", ("state",)) is None


def test_a_web_url_is_http_or_https_and_an_hls_one_names_a_playlist():
    assert web_url(" https://v.example/a.m3u8 ", hls=True) == "https://v.example/a.m3u8"
    assert web_url("https://v.example/a.mpd", hls=True) is None
    assert web_url("https://v.example/a.mpd") == "https://v.example/a.mpd"
    assert web_url("rtmps://v.example/live") is None and web_url(None) is None


def test_the_secret_fields_of_nested_objects_are_found_whatever_object_holds_them():
    raw = {"rtmps": {"url": "rtmps://x", "streamKey": "k1"}, "srt": {"passphrase": "p1", "n": 3},
           "streamKey": "top-level is not nested", "webRTC": {"streamKey": 5}}
    assert nested_secrets(raw, ("streamKey", "passphrase")) == ["k1", "p1"]


def test_a_text_over_its_cap_is_refused_naming_the_cap():
    check_length("abc", 3, "too long", "at most {limit}")
    check_length(None, 3, "too long", "at most {limit}")
    with pytest.raises(ConfigurationError, match="too long") as refused:
        check_length("abcd", 3, "too long", "at most {limit} characters")
    assert refused.value.hint == "at most 3 characters"


def test_an_ingest_is_made_only_when_the_answer_has_all_it_needs():
    rtmps = ingest_of("rtmps", " rtmps://in.example/app ", "key-1")
    assert rtmps.protocol == "rtmps" and rtmps.server == "rtmps://in.example/app"
    assert rtmps.stream_key.get_secret_value() == "key-1"
    assert ingest_of("rtmp", "rtmp://in.example/app", "key-1").protocol == "rtmp"
    assert ingest_of("rtmps", "rtmps://in.example/app", "") is None
    by_id = ingest_of("srt", "srt://in.example:6001", srt_id="sid-1", passphrase="pass-1")
    assert by_id.srt_stream_id == "sid-1" and by_id.stream_key is None
    by_key = ingest_of("srt", "srt://in.example:6001", "key-2", passphrase="pass-2")
    assert by_key.srt_stream_id == "key-2" and by_key.stream_key.get_secret_value() == "key-2"
    assert ingest_of("srt", "srt://in.example:6001", "key-2") is None
    assert ingest_of("srt", None, srt_id="sid-1", passphrase="pass-1") is None


def test_a_template_is_filled_with_a_quoted_id_and_without_one_there_is_no_url():
    assert filled("https://v.example/{uid}/video.m3u8", "uid", "a/b c") == "https://v.example/a%2Fb%20c/video.m3u8"
    assert filled(None, "uid", "abc") is None and filled("https://v.example/{uid}", "uid", None) is None


# ------------------------------------------------------------------------ kit_streams


class _Credentials(BasicCredentials):
    key_id: str = Field(min_length=1, title="key ID")
    key_secret: SecretStr = Field(title="key secret")


class _Options(OptionsModel):
    protocol: Literal["rtmps", "srt"] = "rtmps"


class _Calls(StreamsProvider):
    """A provider with only ``_answer`` and ``_parsed``: the rest is ``StreamsProvider``'s."""

    name = display_name = "piecestest"
    service = SERVICE
    Credentials = _Credentials
    Options = _Options
    default_base_url = BASE
    base_url_env = "PIECES_API_BASE_URL"
    streams_path = "/v1/streams"
    account_word, first_page = "workspace", {"limit": 1}
    capabilities = Capabilities(protocols=("rtmps", "srt"))

    def setup(self, **settings: Any) -> None:
        self._choose_protocol(None)

    def _answer(self, response):
        return self._http.model_of(response, Data[dict]).data

    def _parsed(self, response, data) -> LiveStream:
        status = {"live": StreamStatus.LIVE}.get(data.get("status"), StreamStatus.NOT_STARTED)
        return LiveStream(provider=self.name, id=data["id"], status=status, provider_status=data.get("status"))

    create = list = end = None  # type: ignore[assignment]  # not under test


@pytest.fixture
def calls(fake):
    return _Calls({"key_id": "kid-1", "key_secret": "ksecret-2"}, session=fake.session(), environ={},
                  sleep=lambda _: None)


def test_get_delete_and_the_credentials_check_go_to_the_collection(fake, calls):
    fake.expect("GET", f"{BASE}/v1/streams/s%201", json={"data": {"id": "s 1", "status": "live"}})
    assert calls.get("s 1").status is StreamStatus.LIVE
    fake.expect("DELETE", f"{BASE}/v1/streams/s1", status=204)
    calls.delete("s1")
    fake.expect("GET", f"{BASE}/v1/streams?limit=1", json={"data": []})
    calls.check_credentials()
    fake.verify()


def test_a_request_whose_answer_is_the_stream_gives_the_stream(fake, calls):
    fake.expect("PUT", f"{BASE}/v1/streams/s1/enable", json={"data": {"id": "s1", "status": "live"}})
    stream = calls._answered("PUT", "s1", "enable", json={"enabled": True})
    assert (stream.id, stream.status) == ("s1", StreamStatus.LIVE) and fake.requests[-1].json == {"enabled": True}


def test_a_create_is_posted_once_and_its_stream_keeps_the_chosen_protocol(fake, calls):
    fake.expect("POST", f"{BASE}/v1/streams", status=503, json={})
    with pytest.raises(ProviderServerError):
        calls._create_posted({"title": "t"}, "srt")
    assert len(fake.requests) == 1  # never retried: a second stream would exist
    fake.expect("POST", f"{BASE}/v1/streams", status=201, json={"data": {"id": "s2"}})
    _, data, stream_id = calls._create_posted({"title": "t"}, "srt")
    assert fake.requests[-1].json == {"title": "t"} and data == {"id": "s2"} and stream_id == "s2"
    assert calls._protocol_for("s2") == "srt" and calls._protocol_for("other") == "rtmps"


def test_a_create_answer_without_a_stream_object_is_the_unexpected_answer_error(fake, calls):
    fake.expect("POST", f"{BASE}/v1/streams", status=201, json={"data": []})
    with pytest.raises(UnexpectedResponseError):
        calls._create_posted({}, "rtmps")


def test_only_a_live_stream_is_ended_and_an_idle_one_says_its_word(fake, calls):
    fake.expect("GET", f"{BASE}/v1/streams/s1", json={"data": {"id": "s1", "status": "idle"}})
    result = calls._end_if_live("s1", "complete", unknown="not active", done="done", idle="not active")
    assert not result.ended and result.message == "nothing to end (the Pieces live stream is idle)"
    assert len(fake.requests) == 1
    fake.expect("GET", f"{BASE}/v1/streams/s1", json={"data": {"id": "s1", "status": "live"}})
    fake.expect("PUT", f"{BASE}/v1/streams/s1/complete", status=204)
    assert calls._end_if_live("s1", "complete", unknown="not active", done="done", idle="not active").message == "done"


def test_target_bodies_and_states_are_built_alike():
    secrets.register("tkey-9")
    target = SimulcastTarget(name="YouTube", url="rtmps://a.rtmp.youtube.com/live2", stream_key=SecretStr("tkey-9"))
    assert target_body(target, "streamKey", enabled=True) == {
        "url": "rtmps://a.rtmp.youtube.com/live2", "streamKey": "tkey-9", "enabled": True}
    made = made_target(target, "out-1")
    assert (made.name, made.target_id, made.host) == ("YouTube", "out-1", target.host)
    assert enabled_target("x", "out-1", False).status is TargetStatus.REMOVED
    assert enabled_target("x", "out-1", None).status is TargetStatus.ADDED
