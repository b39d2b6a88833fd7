"""The script inside a real OBS 29 fails cleanly: OBS never streams, settings stay the user's.

* wrong credentials (both providers): the provider rejects them, nothing is created;
* a TP Streams server that never becomes ready: after the ingest timeout the provider
  stream is stopped and the session fails with a message saying so.
"""

from __future__ import annotations

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio, sandbox_events, wait_state_never_streaming

pytestmark = pytest.mark.e2e

# Wrong credentials, given the way a user of "Read credentials from environment variables" would.
WRONG_ENV = {
    "tpstreams": {"TPSTREAMS_API_TOKEN": "0123456789abcdef0123456789abcdef01234567"},
    "fastpix": {"FASTPIX_SECRET_KEY": "not-the-secret-key-0123456789"},
}
CHECK = {"tpstreams": "check the organization ID and token", "fastpix": "check the access token ID and secret key"}
NAMES = {"tpstreams": "TP Streams", "fastpix": "FastPix"}


@pytest.mark.parametrize("provider", ["tpstreams", "fastpix"])
def test_wrong_credentials_fail_before_anything_is_created_and_obs_never_streams(tmp_path, need_tools, provider):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider=provider, boot_delay=1, env=WRONG_ENV[provider],
                      settings={"ingest_timeout": 30}) as studio:
        studio.press("go_live")
        session = wait_state_never_streaming(studio, "failed", "live", timeout=60)

        assert session["state"] == "failed", session
        text = f"{session['message']} | {session['status_line']}"
        assert f"{NAMES[provider]} rejected the" in text, text
        assert "401" in text, text
        assert CHECK[provider] in text, text  # what to check
        assert session["error_type"] == "AuthenticationError", session

        # Nothing was created, nothing was published, OBS kept the user's settings.
        assert studio.streams() == []
        assert sandbox_events(studio, "created") == []
        assert sandbox_events(studio, "publish_started") == []
        assert studio.client.stream_status()["outputActive"] is False
        assert studio.stream_service() == PREVIOUS_SERVICE


def test_rejected_credentials_fault_fails_like_revoked_credentials(tmp_path, need_tools):
    """The sandbox's ``reject_auth`` fault: correct credentials, but revoked at the provider."""
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", boot_delay=1, settings={"ingest_timeout": 30}) as studio:
        studio.sandbox.admin.add_fault("fastpix:reject_auth")
        studio.press("go_live")
        session = wait_state_never_streaming(studio, "failed", "live", timeout=60)

        assert session["state"] == "failed", session
        assert "FastPix rejected the access token" in session["message"], session
        assert CHECK["fastpix"] in session["message"], session
        assert studio.streams() == []
        assert sandbox_events(studio, "publish_started") == []
        assert studio.stream_service() == PREVIOUS_SERVICE


def test_server_never_ready_times_out_stops_the_provider_stream_and_leaves_obs_alone(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    timeout = 30  # the panel's minimum ingest wait
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=1,
                      settings={"ingest_timeout": timeout}) as studio:
        studio.sandbox.admin.add_fault("tpstreams:never_ready")
        studio.press("go_live")
        waiting = studio.wait_state("waiting_for_ingest", "failed", timeout=30)
        assert waiting["state"] == "waiting_for_ingest", waiting

        session = wait_state_never_streaming(studio, "failed", "live", "ended", timeout=timeout + 40)

        assert session["state"] == "failed", session
        assert f"not ready after {timeout} s" in session["message"], session
        assert "the provider stream was stopped" in session["message"], session
        assert session["error_type"] == "IngestTimeoutError", session

        # The provider stream was stopped at the sandbox, and OBS never published to it.
        stream_id = session["stream_id"]
        assert stream_id
        assert sandbox_events(studio, "stop_requested", stream_id)
        studio.sandbox.admin.wait_for_status(stream_id, "Stopped", timeout=10)
        assert sandbox_events(studio, "publish_started") == []
        assert studio.stream_service() == PREVIOUS_SERVICE
