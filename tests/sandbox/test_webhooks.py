"""Webhook delivery: signed, asynchronous, retried a bounded number of times."""

from __future__ import annotations

import time

from livestream_sandbox.webhooks import fastpix_signature


def test_fastpix_signature_is_base64_hmac_sha256():
    # echo -n '{}' | openssl dgst -sha256 -hmac secret -binary | base64
    assert fastpix_signature(b"{}", "secret") == "dzJZAsrKgS3CWXM6rNBGtzgXNyx3e42VtAJkdHRRbhM="


def test_a_failed_delivery_is_retried(tp, api_sandbox, receiver):
    receiver.statuses = [500]
    tp.post("webhooks/", {"url": receiver.url, "secret_token": "t"})
    asset = tp.create()

    event = api_sandbox.admin.wait_for_event("webhook_delivered", stream_id=asset["id"])

    assert event["attempts"] == 2 and event["status_code"] == 200
    assert len(receiver.received()) == 1


def test_an_unreachable_hook_gives_up_without_slowing_the_api(tp, api_sandbox):
    tp.post("webhooks/", {"url": "http://127.0.0.1:9/nobody", "secret_token": "t"})
    started = time.monotonic()
    asset = tp.create()
    assert time.monotonic() - started < 0.5

    event = api_sandbox.admin.wait_for_event("webhook_failed", stream_id=asset["id"], timeout=10)

    assert event["attempts"] == 3 and event["status_code"] is None
