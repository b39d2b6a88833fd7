"""Simulcast targets on each provider that restreams: the documented requests and answers.

One table row per provider: where a target is added, the body it must send (field names
and casing as the provider documents them), the answer it gets back, and how it is
removed. The clients come from each provider's own contract class (its credentials and
login), so nothing about a provider is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from pydantic import SecretStr

from livestream import providers, secrets
from livestream.errors import ConfigurationError, InvalidRequestError
from livestream.simulcast import SimulcastTarget, TargetState, TargetStatus, check_targets
from tests.providers import test_apivideo, test_cloudflare, test_fastpix, test_mux

KEY = "yt-target-key-5b3c-91aa"
TARGET = SimulcastTarget(name="YouTube", url="rtmp://a.rtmp.youtube.com/live2", stream_key=SecretStr(KEY))


@dataclass(frozen=True)
class Row:
    contract: type
    add: tuple[str, str]  # method, URL
    body: dict[str, Any]
    answer: Any
    target_id: str
    remove: list[tuple[str, str, Any]]  # what removing it sends: (method, URL, answer json)
    remove_body: Callable[[Any], bool] = lambda body: body is None


MUX = test_mux.TestMuxContract
MUX_ONE = f"{MUX.get_url}"
CF = test_cloudflare.TestCloudflareContract
FP = test_fastpix.TestFastPixContract
AV = test_apivideo.TestApiVideoContract

ROWS = {
    "mux": Row(
        MUX, ("POST", f"{MUX_ONE}/simulcast-targets"),
        {"url": TARGET.url, "stream_key": KEY, "passthrough": "YouTube"},
        {"data": {"id": "sim-1", "passthrough": "YouTube", "status": "idle", "url": TARGET.url,
                  "stream_key": KEY}},
        "sim-1", [("DELETE", f"{MUX_ONE}/simulcast-targets/sim-1", None)]),
    "cloudflare": Row(
        CF, ("POST", f"{CF.get_url}/outputs"),
        {"url": TARGET.url, "streamKey": KEY, "enabled": True},
        {"success": True, "errors": [], "messages": [],
         "result": {"uid": "out-1", "url": TARGET.url, "streamKey": KEY, "enabled": True}},
        "out-1", [("DELETE", f"{CF.get_url}/outputs/out-1", {"success": True, "errors": [], "messages": [],
                                                             "result": None})]),
    "fastpix": Row(
        FP, ("POST", f"{FP.get_url}/simulcast"),
        {"url": TARGET.url, "streamKey": KEY, "metadata": {"obs_livestream_target": "YouTube"}},
        {"success": True, "data": {"simulcastId": "fp-sim-1", "url": TARGET.url, "streamKey": KEY,
                                   "isEnabled": True, "metadata": {"obs_livestream_target": "YouTube"}}},
        "fp-sim-1", [("DELETE", f"{FP.get_url}/simulcast/fp-sim-1", {"success": True})]),
}


def _client(row_or_contract: Any, fake: Any):
    contract = (row_or_contract.contract if isinstance(row_or_contract, Row) else row_or_contract)()
    contract.script_login(fake)
    return contract, contract.make(fake)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_adding_a_target_sends_the_documented_body_and_keeps_the_providers_id(fake, name):
    row = ROWS[name]
    contract, client = _client(row, fake)
    fake.expect(*row.add, status=201, json=row.answer)
    state = client.add_simulcast_target(contract.stream_id, TARGET)
    sent = fake.requests[-1]
    assert (sent.method, sent.url) == row.add
    assert sent.json == row.body
    assert (state.name, state.target_id, state.host) == ("YouTube", row.target_id, "a.rtmp.youtube.com")
    assert KEY not in repr(state) and KEY not in repr(TARGET)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_removing_a_target_deletes_it_and_a_target_already_gone_is_no_error(fake, name):
    row = ROWS[name]
    contract, client = _client(row, fake)
    state = TargetState(name="YouTube", target_id=row.target_id)
    for method, url, answer in row.remove:
        fake.expect(method, url, json=answer) if answer is not None else fake.expect(method, url, status=204)
    client.remove_simulcast_target(contract.stream_id, state)
    assert [(r.method, r.url) for r in fake.requests[-len(row.remove):]] == [(m, u) for m, u, _ in row.remove]
    # A retried removal whose first answer was lost finds it gone: done, quietly.
    fake.expect(row.remove[-1][0], row.remove[-1][1], status=404, json={})
    client.remove_simulcast_target(contract.stream_id, state)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_refused_add_is_an_invalid_request_without_the_key(fake, name):
    row = ROWS[name]
    contract, client = _client(row, fake)
    fake.expect(*row.add, status=400, json={"error": {"type": "invalid_parameters",
                                                      "messages": ["live stream is not idle"]}})
    with pytest.raises(InvalidRequestError) as refused:
        client.add_simulcast_target(contract.stream_id, TARGET)
    assert KEY not in str(refused.value)


def test_mux_reports_each_targets_status(fake):
    contract, client = _client(MUX, fake)
    stream = test_mux._stream("active")
    stream["data"]["simulcast_targets"] = [
        {"id": "a", "passthrough": "YouTube", "status": "broadcasting"},
        {"id": "b", "passthrough": "Twitch", "status": "errored", "error_severity": "fatal"},
        {"id": "c", "passthrough": "Kick", "status": "starting"},
    ]
    fake.expect("GET", MUX.get_url, json=stream)
    states = client.simulcast_targets(contract.stream_id)
    assert [(s.name, s.status) for s in states] == [
        ("YouTube", TargetStatus.LIVE), ("Twitch", TargetStatus.FAILED), ("Kick", TargetStatus.CONNECTING)]
    assert states[1].describe() == "Twitch: failed (Mux says errored (fatal))"


def test_cloudflare_lists_a_live_inputs_outputs_and_a_disabled_one_as_removed(fake):
    contract, client = _client(CF, fake)
    fake.expect("GET", f"{CF.get_url}/outputs", json={"success": True, "errors": [], "messages": [], "result": [
        {"uid": "o1", "url": "rtmp://a.rtmp.youtube.com/live2", "enabled": True},
        {"uid": "o2", "url": "rtmps://live.twitch.tv/app", "enabled": False}]})
    states = client.simulcast_targets(contract.stream_id)
    assert [(s.target_id, s.name, s.status) for s in states] == [
        ("o1", "a.rtmp.youtube.com", TargetStatus.ADDED), ("o2", "live.twitch.tv", TargetStatus.REMOVED)]


def _av_stream(*restreams: dict) -> dict:
    stream = test_apivideo._stream()
    stream["restreams"] = list(restreams)
    return stream


def test_apivideo_sends_its_whole_restream_list_with_the_target_added_and_then_without_it(fake):
    contract, client = _client(AV, fake)
    theirs = {"name": "Twitch", "serverUrl": "rtmp://live.twitch.tv/app", "streamKey": "tw-key-0001"}
    ours = {"name": "YouTube", "serverUrl": TARGET.url, "streamKey": KEY}
    fake.expect("GET", AV.get_url, json=_av_stream(theirs))
    fake.expect("PATCH", AV.get_url, json=_av_stream(theirs, ours))
    state = client.add_simulcast_target(contract.stream_id, TARGET)
    assert fake.requests[-1].json == {"restreams": [theirs, ours]}
    assert (state.target_id, state.name) == ("YouTube", "YouTube")

    fake.expect("GET", AV.get_url, json=_av_stream(theirs, ours))
    fake.expect("PATCH", AV.get_url, json=_av_stream(theirs))
    client.remove_simulcast_target(contract.stream_id, state)
    assert fake.requests[-1].json == {"restreams": [theirs]}, "a restream the user set up elsewhere is kept"

    fake.expect("GET", AV.get_url, json=_av_stream(theirs))
    client.remove_simulcast_target(contract.stream_id, state)  # gone already: nothing is sent


@pytest.mark.parametrize("name", ["tpstreams"])
def test_a_provider_that_cannot_restream_says_so(fake, name):
    cls = providers.get(name)
    assert cls.capabilities.simulcast is None
    with pytest.raises(ConfigurationError, match="does not restream"):
        check_targets([TARGET], provider=cls.display_name, support=None, able=["Mux Video"])


def test_the_declarations_limit_what_the_checks_accept():
    av = providers.get("apivideo").capabilities.simulcast
    six = [SimulcastTarget(name=f"t{i}", url="rtmp://x.example/app", stream_key=SecretStr(f"key-{i}-xyz"))
           for i in range(6)]
    with pytest.raises(ConfigurationError, match="at most 5"):
        check_targets(six, provider="api.video", support=av)
    srt = SimulcastTarget(name="SRT box", url="srt://relay.example:9000?streamid=abc", stream_key=SecretStr(""))
    with pytest.raises(ConfigurationError, match=r"cannot restream to srt://"):
        check_targets([srt], provider="api.video", support=av)
    check_targets([srt], provider="Mux Video", support=providers.get("mux").capabilities.simulcast)
    assert KEY in secrets.registered()
