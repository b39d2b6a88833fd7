"""The demo's options and bookkeeping: positive --seconds, the last five runs, the recording's file."""

from __future__ import annotations

from pathlib import Path

import pytest

import livestream_demo as demo
from livestream.cli import main


@pytest.mark.parametrize("value", ["0", "-5", "abc", "nan", "inf"])
def test_seconds_must_be_a_positive_number(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", f"--seconds={value}"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "--seconds" in error and "e.g. --seconds 30" in error


def test_the_demo_itself_refuses_a_non_positive_duration(tmp_path):
    with pytest.raises(demo.DemoError, match="positive"):
        demo.run(seconds=0, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


def test_only_the_last_five_runs_are_kept_and_other_folders_stay(tmp_path: Path):
    names = ["20261130-090000", "20261130-100000", "20261130-100000-2", "20261130-110000", "20261201-080000",
             "20261130-120000"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "obs-log.txt").write_text("log")
    (tmp_path / "my-notes").mkdir()
    (tmp_path / "README.txt").write_text("mine")

    newest = demo._new_run_dir(tmp_path)  # this run
    removed = demo._keep_last_runs(tmp_path, demo.KEEP_RUNS)

    assert sorted(p.name for p in removed) == ["20261130-090000", "20261130-100000"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["20261130-100000-2", "20261130-110000", "20261130-120000", "20261201-080000",
                           newest.name, "my-notes", "README.txt"])


def test_a_second_run_in_the_same_second_gets_its_own_folder(tmp_path: Path):
    first, second = demo._new_run_dir(tmp_path), demo._new_run_dir(tmp_path)
    assert first != second and first.is_dir() and second.is_dir()


def test_the_recording_is_found_on_disk_from_its_url_or_media_id(tmp_path: Path):
    for media_id in ("m-tp", "m-fp"):
        (tmp_path / "vod" / media_id).mkdir(parents=True)
        (tmp_path / "vod" / media_id / "video.mp4").write_bytes(b"mp4")
    files = demo.recording_files(tmp_path, ["http://127.0.0.1:1/transcoded/m-tp/video.m3u8"], ["m-fp", "gone"])
    assert files == [tmp_path / "vod" / "m-fp" / "video.mp4", tmp_path / "vod" / "m-tp" / "video.mp4"]
    assert demo.recording_files(None, ["x"], []) == []
