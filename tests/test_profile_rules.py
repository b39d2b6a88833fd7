"""The profile rules give one answer whether OBS reads basic.ini or obs-websocket does."""

import pytest

from livestream import profile_rules


@pytest.mark.parametrize("stored, expected", [
    ("1", True), ("-1", True), ("0", False), (None, False), ("", False), ("true", True), ("TRUE", True),
    ("false", False), ("junk", False),
])
def test_enhanced_broadcasting_reads_like_obs(stored, expected):
    assert profile_rules.multitrack_video(stored, (30, 2)) is expected
    # OBS before 30.2 has no Enhanced Broadcasting, whatever the profile says.
    assert profile_rules.multitrack_video(stored, (30, 1)) is False


@pytest.mark.parametrize("stored, expected", [
    ("Twitch", "Twitch"), (" YouTube - RTMP ", "YouTube - RTMP"), ("None", None), ("", None), (None, None),
])
def test_linked_account(stored, expected):
    assert profile_rules.linked_account(stored) == expected
