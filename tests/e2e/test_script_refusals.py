"""Profiles the script must refuse to go live with, in a real OBS (29, 30.2 and 32).

* A linked Twitch/YouTube/Restream account: OBS overwrites the stream key at each start
  (or opens its broadcast dialog), so the provider's key would never be used.
* Enhanced Broadcasting (multitrack video, OBS 30.2+): OBS builds its own multitrack
  output and service at the start, over the server and key the script set.

Both are refused before anything is created at the provider, and OBS never streams.
"""

from __future__ import annotations

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio, wait_state_never_streaming

pytestmark = pytest.mark.e2e


def _refused(studio: Studio) -> str:
    studio.press("go_live")
    session = wait_state_never_streaming(studio, "failed", "live", timeout=30)
    assert session["state"] == "failed", session
    assert studio.streams() == []  # nothing created at the provider
    assert studio.stream_service() == PREVIOUS_SERVICE
    return session["message"]


def test_a_linked_account_is_refused_before_anything_is_created(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", profile_sections={"Auth": {"Type": "Twitch"}},
                      **obs_under_test.obs_kwargs()) as studio:
        message = _refused(studio)
    assert "Twitch account is linked" in message and "Disconnect Account" in message, message


@pytest.mark.obs_versions("30", "32")
def test_enhanced_broadcasting_is_refused_before_anything_is_created(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", profile_sections={"Stream1": {"EnableMultitrackVideo": True}},
                      **obs_under_test.obs_kwargs()) as studio:
        message = _refused(studio)
    assert "Enhanced Broadcasting" in message and "untick it" in message, message
