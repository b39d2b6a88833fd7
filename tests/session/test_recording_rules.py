"""The safety recording's rules: when to start and stop, which files are listed, and that
only listed files older than the set days are removed."""

from __future__ import annotations

import os

from livestream.session.recording import DAY, SafetyRecordings


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_starts_once_when_live_and_stops_only_its_own(tmp_path):
    rules = SafetyRecordings(tmp_path / "list.json")
    assert rules.on_state("creating", enabled=True, recording_active=False) is None
    assert rules.on_state("live", enabled=True, recording_active=False) == "start"
    assert rules.on_state("live", enabled=True, recording_active=True) is None  # a status refresh
    assert rules.on_state("ending", enabled=True, recording_active=True) is None
    assert rules.on_state("ended", enabled=True, recording_active=True) == "stop"


def test_a_recording_the_user_started_is_never_stopped_nor_listed(tmp_path):
    rules = SafetyRecordings(tmp_path / "list.json")
    assert rules.on_state("live", enabled=True, recording_active=True) is None
    assert rules.on_state("ended", enabled=True, recording_active=True) is None
    assert rules.stopped("/videos/mine.mkv") is None
    assert rules.listed() == []


def test_off_means_nothing_and_the_user_stopping_ours_is_not_undone(tmp_path):
    rules = SafetyRecordings(tmp_path / "list.json")
    assert rules.on_state("live", enabled=False, recording_active=False) is None
    assert rules.on_state("ended", enabled=False, recording_active=False) is None
    assert rules.on_state("live", enabled=True, recording_active=False) == "start"
    assert rules.stopped("/videos/ours.mkv") == "Safety recording saved: /videos/ours.mkv"  # the user pressed Stop
    assert rules.on_state("live", enabled=True, recording_active=False) is None  # same go-live: not again
    assert rules.on_state("ended", enabled=True, recording_active=False) is None


def test_obs_29_0_cannot_name_the_file_and_says_where_to_look(tmp_path):
    rules = SafetyRecordings(tmp_path / "list.json")
    rules.on_state("live", enabled=True, recording_active=False)
    message = rules.stopped(None)
    assert "29.1" in message and "Settings > Output > Recording" in message
    assert rules.listed() == []


def test_only_listed_files_older_than_the_days_are_removed(tmp_path):
    clock = Clock()
    rules = SafetyRecordings(tmp_path / "list.json", clock=clock)
    folder = tmp_path / "videos"
    folder.mkdir()
    users_own = folder / "users-own.mkv"
    users_own.write_bytes(b"x")
    os.utime(users_own, (0, 0))  # very old, but not ours
    old, recent = folder / "old.mkv", folder / "recent.mkv"
    for path in (old, recent):
        path.write_bytes(b"x")
        rules.on_state("live", enabled=True, recording_active=False)
        rules.stopped(str(path))
        rules.on_state("ended", enabled=True, recording_active=False)
        clock.now += 6 * DAY
    assert rules.remove_expired(0) == []  # 0: keep them all
    assert rules.remove_expired(7) == [str(old)]  # 12 days old; the other 6
    assert not old.exists() and recent.exists() and users_own.exists()
    assert rules.listed() == [str(recent)]
    recent.unlink()  # the user deleted it already: dropped from the list without an error
    clock.now += 7 * DAY
    assert rules.remove_expired(7) == [str(recent)]
    assert rules.listed() == []
