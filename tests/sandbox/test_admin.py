"""The control API: streams (keys masked), the event log with timings, config, reset, info."""

from __future__ import annotations

import pytest
import requests

from livestream_sandbox import AdminError, Sandbox


def test_streams_mask_keys_unless_revealed(api_sandbox, fp):
    stream = fp.create()
    admin = api_sandbox.admin

    view = admin.stream(stream["streamId"])

    assert view["provider"] == "fastpix" and view["status"] == "idle"
    assert view["stream_key"] != stream["streamKey"] and "…" in view["stream_key"]
    assert stream["streamKey"] not in requests.get(f"{api_sandbox.api_url}/_sandbox/streams", timeout=5).text
    assert admin.stream(stream["streamId"], reveal=True)["stream_key"] == stream["streamKey"]
    assert view["playback_urls"] == [f"{api_sandbox.api_url}/stream/{stream['playbackIds'][0]['id']}.m3u8"]


def test_streams_list_both_providers_newest_first(api_sandbox, tp, fp):
    first = tp.create()["id"]
    second = fp.create()["streamId"]
    admin = api_sandbox.admin
    assert [s["id"] for s in admin.streams()] == [second, first]
    assert [s["id"] for s in admin.streams(provider="tpstreams")] == [first]
    with pytest.raises(AdminError):
        admin.stream("missing")


def test_events_are_timestamped_and_filterable(api_sandbox, tp):
    asset = tp.wait_for_key(tp.create()["id"])
    admin = api_sandbox.admin

    events = admin.events(stream_id=asset["id"])

    assert [e["kind"] for e in events] == ["created", "server_start_requested", "key_issued"]
    assert events[0]["ts"] <= events[1]["ts"] <= events[2]["ts"]
    assert events[2]["ts"] - events[0]["ts"] >= 0.3  # the boot delay, readable from the log
    assert events[0]["time"].endswith("Z")
    later = admin.events(since=events[1]["seq"])
    assert [e["kind"] for e in later] == ["key_issued"]
    assert admin.events(kind="key_issued")[0]["stream_id"] == asset["id"]


def test_config_changes_timings_at_run_time(api_sandbox, tp):
    admin = api_sandbox.admin
    assert admin.config()["boot_delay"] == 0.3
    assert admin.config(boot_delay=0.05)["boot_delay"] == 0.05
    asset = tp.create()
    assert tp.wait_for_key(asset["id"], timeout=1)
    with pytest.raises(AdminError):
        admin.config(boot_delay=-1)
    with pytest.raises(AdminError):
        admin.config(colour="blue")
    assert admin.config()["fastpix_webhook_secret"] == "***"


def test_reset_forgets_everything(api_sandbox, tp, fp):
    tp.create()
    fp.create()
    tp.post("webhooks/", {"url": "http://127.0.0.1:9/", "secret_token": "x"})
    api_sandbox.admin.add_fault("tpstreams:latency=1")

    api_sandbox.admin.reset()

    assert api_sandbox.admin.streams() == [] and api_sandbox.admin.events() == []
    assert api_sandbox.admin.faults() == []
    assert tp.get("webhooks/").json()["count"] == 0


def test_info_tells_where_everything_is_without_secrets(api_sandbox):
    info = api_sandbox.admin.info()
    assert info["api_url"] == api_sandbox.api_url and info["rtmp_url"] == api_sandbox.rtmp_url
    assert info["credentials"]["tpstreams_api_token"] == "***"
    assert info["env"]["FASTPIX_SECRET_KEY"] == "***"
    assert info["env"]["APIVIDEO_API_KEY"] == "***" and info["credentials"]["apivideo_api_key"] == "***"
    revealed = api_sandbox.admin.info(reveal=True)
    assert revealed["credentials"]["fastpix_secret_key"] == api_sandbox.credentials.fastpix_secret_key
    assert api_sandbox.admin.health()


def test_env_points_the_clients_at_the_sandbox(api_sandbox):
    env = {k: v for k, v in api_sandbox.env().items() if k.startswith(("TPSTREAMS_", "FASTPIX_", "APIVIDEO_", "MUX_"))}
    creds = api_sandbox.credentials
    apivideo = {k: env.pop(k) for k in list(env) if k.startswith("APIVIDEO_")}
    assert apivideo == {
        "APIVIDEO_API_BASE_URL": api_sandbox.api_url, "APIVIDEO_API_KEY": creds.apivideo_api_key,
        "APIVIDEO_INGEST_RTMPS_URL": api_sandbox.rtmp_url, "APIVIDEO_INGEST_RTMP_URL": api_sandbox.rtmp_url,
        "APIVIDEO_INGEST_SRT_URL": api_sandbox.srt_url}
    assert env == {
        "TPSTREAMS_API_BASE_URL": api_sandbox.api_url, "TPSTREAMS_ORG_ID": creds.tpstreams_org_id,
        "TPSTREAMS_API_TOKEN": creds.tpstreams_api_token, "FASTPIX_API_BASE_URL": api_sandbox.api_url,
        "FASTPIX_ACCESS_TOKEN_ID": creds.fastpix_access_token_id, "FASTPIX_SECRET_KEY": creds.fastpix_secret_key,
        "FASTPIX_INGEST_RTMPS_URL": api_sandbox.rtmp_url, "FASTPIX_INGEST_SRT_URL": api_sandbox.srt_url,
        "FASTPIX_PLAYBACK_URL_TEMPLATE": api_sandbox.api_url + "/stream/{playback_id}.m3u8",
        "MUX_API_BASE_URL": api_sandbox.api_url, "MUX_TOKEN_ID": creds.mux_token_id,
        "MUX_TOKEN_SECRET": creds.mux_token_secret, "MUX_INGEST_RTMP_URL": api_sandbox.rtmp_url,
        "MUX_INGEST_SRT_URL": api_sandbox.srt_url,
        "MUX_PLAYBACK_URL_TEMPLATE": api_sandbox.api_url + "/mux/stream/{playback_id}.m3u8",
    }
    login = api_sandbox.env(tpstreams_login=True)
    assert "TPSTREAMS_API_TOKEN" not in login
    assert login["TPSTREAMS_USERNAME"] == creds.tpstreams_username


def test_disconnect_cuts_the_publisher_at_its_next_update(api_sandbox, fp):
    stream = fp.create()
    api_sandbox.admin.simulate_publish(stream["streamKey"], client_id="7")
    update = {"call": "update_publish", "name": stream["streamKey"], "clientid": "7"}
    url = f"{api_sandbox.api_url}/_sandbox/rtmp/on_update"
    assert requests.post(url, data=update, timeout=5).status_code == 200

    api_sandbox.admin.disconnect(stream["streamId"])

    assert requests.post(url, data=update, timeout=5).status_code == 403


def test_playback_urls_are_404_until_there_is_media(api_sandbox, tp, fp):
    asset = tp.create()
    stream = fp.create()
    assert requests.get(asset["live_stream"]["hls_url"], timeout=5).status_code == 404
    assert requests.get(f"{api_sandbox.api_url}/stream/{stream['playbackIds'][0]['id']}.m3u8",
                        timeout=5).status_code == 404
    assert requests.get(f"{api_sandbox.api_url}/transcoded/nope/video.m3u8", timeout=5).status_code == 404
    assert requests.get(f"{api_sandbox.api_url}/live/../../etc/passwd", timeout=5).status_code == 404


@pytest.mark.parametrize("value", ["-1", "NaN", "Infinity", "-Infinity", "1e400", '"soon"', "true"])
@pytest.mark.parametrize("setting", ["boot_delay", "prepare_delay", "recording_delay", "complete_delay"])
def test_a_delay_outside_its_range_is_refused_with_a_json_error(api_sandbox, setting, value):
    # Raw bodies: NaN and Infinity are what Python's json module writes for float("nan") and float("inf").
    answer = requests.patch(f"{api_sandbox.api_url}/_sandbox/config", data=f'{{"{setting}": {value}}}',
                            headers={"Content-Type": "application/json"}, timeout=5)
    assert answer.status_code == 400
    assert f"{setting} must be a number from 0 to 86400" in answer.json()["error"]
    config = requests.get(f"{api_sandbox.api_url}/_sandbox/config", timeout=5)
    assert config.json()[setting] == pytest.approx(0.3 if setting == "boot_delay" else 0.2)


@pytest.mark.parametrize("fault", ['{"kind": "latency", "value": NaN}', '{"kind": "latency", "value": -2}',
                                   '{"kind": "latency", "value": Infinity}', '{"spec": "latency=inf"}',
                                   '{"kind": "rate_limit", "value": NaN}', '{"kind": "status", "value": 503, '
                                   '"retry_after": Infinity}', '{"kind": "status", "value": 503, "count": 1e400}'])
def test_a_fault_with_a_non_finite_or_negative_number_is_refused(api_sandbox, fault):
    answer = requests.post(f"{api_sandbox.api_url}/_sandbox/faults", data=fault,
                           headers={"Content-Type": "application/json"}, timeout=5)
    assert answer.status_code == 400
    assert "must be a number from" in answer.json()["error"]
    listed = requests.get(f"{api_sandbox.api_url}/_sandbox/faults", timeout=5)
    assert listed.json() == {"faults": []}  # valid JSON, nothing added


@pytest.mark.parametrize("delay", [float("nan"), float("inf"), -0.5])
def test_a_sandbox_with_a_bad_delay_does_not_start(tmp_path, delay):
    with pytest.raises(ValueError, match="prepare_delay must be a number from 0 to 86400"):
        Sandbox(tmp_path / "data", ingest=False, prepare_delay=delay, environ={})
