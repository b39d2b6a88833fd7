"""Each fault produces the documented answer, for exactly as long as it was asked to."""

from __future__ import annotations

import json
import time

import pytest
import requests

from livestream_sandbox import Sandbox
from livestream_sandbox.faults import FaultBook, parse_spec

from .support import FP, TP, wait_until


@pytest.mark.parametrize("spec, expected", [
    ("tpstreams:latency=2", dict(provider="tpstreams", kind="latency", value=2.0, count=None)),
    ("fastpix:error_rate=0.3,count=10", dict(provider="fastpix", kind="error_rate", value=0.3, count=10)),
    ("status=503,count=2", dict(provider="all", kind="status", status=503, count=2)),
    ("fastpix:rate_limit=5", dict(kind="rate_limit", retry_after=5.0)),
    ("all:rate_limit", dict(kind="rate_limit", retry_after=1.0)),
    ("tpstreams:drop=body,count=1", dict(kind="drop", mode="body", count=1)),
    ("fastpix:drop", dict(kind="drop", mode="headers")),
    ("tpstreams:never_ready", dict(kind="never_ready")),
    ("fastpix:drip=0.5,count=1", dict(kind="drip", value=0.5, count=1)),
])
def test_fault_specs_parse(spec, expected):
    fault = parse_spec(spec).to_dict()
    assert {k: fault[k] for k in expected} == expected


@pytest.mark.parametrize("spec", ["nope", "moon:latency=1", "latency", "status=200", "error_rate=2",
                                  "drop=sideways", "status=503,count=0", "latency=1,bogus",
                                  "drip", "drip=0", "drip=nan"])
def test_bad_fault_specs_are_refused_with_a_reason(spec):
    with pytest.raises(ValueError):
        parse_spec(spec)


def test_counted_faults_are_used_up_in_order():
    book = FaultBook()
    book.add(parse_spec("tpstreams:status=503,count=2"))
    book.add(parse_spec("all:latency=0.5,count=1"))
    delay, action = book.take("tpstreams")
    assert delay == 0.5 and action.status == 503
    assert book.take("fastpix") == (0.0, None)
    assert book.take("tpstreams")[1].status == 503
    assert book.take("tpstreams") == (0.0, None)
    assert book.list() == []


def test_latency_delays_only_its_provider(api_sandbox, tp, fp):
    api_sandbox.admin.add_fault("tpstreams:latency=0.4")
    started = time.monotonic()
    assert tp.get("assets/live_streams/").status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert fp.call("GET").status_code == 200
    assert time.monotonic() - started < 0.3


def test_error_rate_answers_500_or_503(api_sandbox, tp):
    api_sandbox.admin.add_fault("tpstreams:error_rate=1,count=6")
    codes = {tp.get("assets/live_streams/").status_code for _ in range(6)}
    assert codes <= {500, 503} and codes
    assert tp.get("assets/live_streams/").status_code == 200


def test_error_rate_is_a_share(tmp_path):
    with Sandbox(tmp_path, ingest=False, seed=7, environ={}, faults=["fastpix:error_rate=0.3"]) as sandbox:
        fp = FP(sandbox)
        codes = [fp.call("GET").status_code for _ in range(200)]
    failed = sum(code >= 500 for code in codes)
    assert 30 <= failed <= 90 and set(codes) <= {200, 500, 503}


@pytest.mark.parametrize("status", [401, 403, 404, 422, 429, 500, 503])
def test_forced_status_uses_the_fastpix_error_envelope(api_sandbox, fp, status):
    api_sandbox.admin.add_fault(f"fastpix:status={status},count=2")
    answers = [fp.call("GET") for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    body = answers[0].json()
    assert body["success"] is False and body["error"]["code"] == status
    assert body["error"]["message"] and body["error"]["description"]
    if status == 422:
        assert body["error"]["fields"]
    if status == 429:
        assert answers[0].headers["Retry-After"] == "1"


@pytest.mark.parametrize("status", [401, 403, 404, 422, 429, 500, 503])
def test_forced_status_uses_drf_bodies_for_tpstreams(api_sandbox, tp, status):
    api_sandbox.admin.add_fault(f"tpstreams:status={status},count=1")
    answer = tp.get("assets/live_streams/")
    assert answer.status_code == status
    if status >= 500:
        assert answer.headers["Content-Type"].startswith("text/html")  # Django's and proxies' error pages
    else:
        assert set(answer.json()) == {"detail"}
    assert tp.get("assets/live_streams/").status_code == 200


def test_a_forced_status_has_no_effect_on_the_stream(api_sandbox, tp):
    api_sandbox.admin.add_fault("tpstreams:status=503,count=1")
    assert tp.post("assets/live_streams/", {"title": "x"}).status_code == 503
    assert tp.get("assets/live_streams/").json()["count"] == 0


def test_rate_limit_sends_retry_after(api_sandbox, tp, fp):
    api_sandbox.admin.add_fault("all:rate_limit=7,count=2")
    tp_answer, fp_answer = tp.get("assets/live_streams/"), fp.call("GET")
    assert tp_answer.status_code == fp_answer.status_code == 429
    assert tp_answer.headers["Retry-After"] == fp_answer.headers["Retry-After"] == "7"
    assert tp_answer.json() == {"detail": "Request was throttled. Expected available in 7 seconds."}
    assert fp_answer.json()["error"]["code"] == 429


def test_reject_auth_refuses_every_call_until_cleared(api_sandbox, tp):
    admin = api_sandbox.admin
    admin.add_fault("tpstreams:reject_auth")
    for _ in range(3):
        answer = tp.get("assets/live_streams/")
        assert answer.status_code == 401 and answer.json() == {"detail": "Invalid token."}
    creds = api_sandbox.credentials
    login = requests.post(f"{api_sandbox.api_url}/api/auth/login/", timeout=5, json={
        "username": creds.tpstreams_username, "password": creds.tpstreams_password,
        "organization_id": creds.tpstreams_org_id})
    assert login.status_code == 401
    assert admin.clear_faults("tpstreams") == 1
    assert tp.get("assets/live_streams/").status_code == 200


@pytest.mark.parametrize("mode, error", [("headers", requests.ConnectionError),
                                         ("reset", requests.ConnectionError),
                                         ("body", requests.exceptions.ChunkedEncodingError)])
def test_drop_closes_the_connection_mid_answer(api_sandbox, fp, mode, error):
    api_sandbox.admin.add_fault(f"fastpix:drop={mode},count=1")
    with pytest.raises(error):
        fp.call("POST", json={"playbackSettings": {"accessPolicy": "public"}})
    # The request itself went through (a reply lost on the way back).
    assert fp.call("GET").json()["pagination"]["totalRecords"] == 1


def test_a_dripped_answer_is_whole_and_the_request_took_effect(api_sandbox, tp):
    api_sandbox.admin.add_fault("tpstreams:drip=0.01,count=1")
    answer = tp.session.get(tp.url("assets/live_streams/"), stream=True, timeout=(5, 5))
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    chunks = list(answer.raw.stream(1))
    body = b"".join(chunks)
    assert len(chunks) == len(body) == int(answer.headers["Content-Length"])
    assert json.loads(body)["count"] == 0
    assert tp.get("assets/live_streams/").json()["count"] == 0  # the next answer is whole again


def test_malformed_json(api_sandbox, tp):
    api_sandbox.admin.add_fault("tpstreams:malformed,count=1")
    answer = tp.get("assets/live_streams/")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)
    assert tp.get("assets/live_streams/").json()["count"] == 0


def test_never_ready_keeps_the_tp_key_away_until_cleared(api_sandbox, tp):
    admin = api_sandbox.admin
    admin.add_fault("tpstreams:never_ready")
    asset = tp.create()
    time.sleep(0.8)  # well past the 0.3 s boot
    assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["stream_key"] is None
    assert tp.get("assets/live_streams/").status_code == 200  # requests are not affected

    admin.clear_faults()

    assert tp.wait_for_key(asset["id"], timeout=3)["live_stream"]["status"] == "Not Started"


def test_never_ready_refuses_fastpix_publishes(api_sandbox, fp):
    stream = fp.create()
    api_sandbox.admin.add_fault("fastpix:never_ready")
    assert not api_sandbox.admin.simulate_publish(stream["streamKey"])
    assert api_sandbox.admin.events(kind="publish_refused")[-1]["reason"].startswith("ingest refused")


def test_boot_error_ends_the_next_boot_in_error(api_sandbox, tp):
    api_sandbox.admin.add_fault("tpstreams:boot_error,count=1")
    failed, fine = tp.create("one"), tp.create("two")
    wait_until(lambda: tp.get(f"assets/{failed['id']}/").json()["live_stream"]["status"] == "Error", 3, "Error")
    assert tp.wait_for_key(fine["id"], timeout=3)
    assert tp.get(f"assets/{failed['id']}/").json()["live_stream"]["stream_key"] is None


def test_faults_are_listed_removed_and_logged(api_sandbox, tp):
    admin = api_sandbox.admin
    first = admin.add_fault("tpstreams:latency=5")
    admin.add_fault(kind="status", provider="fastpix", status=503, count=1)
    assert [f["kind"] for f in admin.faults()] == ["latency", "status"]
    assert admin.remove_fault(first["id"])
    assert [f["kind"] for f in admin.faults()] == ["status"]
    with pytest.raises(Exception, match="unknown fault kind"):
        admin.add_fault(kind="gremlins")
    FP(api_sandbox).call("GET")
    applied = admin.events(kind="fault_applied")
    assert applied[-1]["status_code"] == 503 and applied[-1]["provider"] == "fastpix"
    assert admin.faults() == []


def test_faults_given_at_start_apply(tmp_path):
    with Sandbox(tmp_path, ingest=False, environ={}, faults=["tpstreams:status=500,count=1"]) as sandbox:
        tp = TP(sandbox)
        assert tp.get("assets/live_streams/").status_code == 500
        assert tp.get("assets/live_streams/").status_code == 200
