"""The small private JSON files in the state folder (``livestream.statefile``): what a user
would notice is that none of them ever stops a go-live, and none is readable by others."""

from __future__ import annotations

import logging
import stat

from livestream.session.armed import Armed, OwnSettings, is_placeholder
from livestream.statefile import StateFile
from livestream_fakes import PREVIOUS_SERVICE
from tests.session.conftest import Harness


def test_written_data_reads_back_and_only_the_user_can_read_the_file(tmp_path):
    file = StateFile(tmp_path / "state" / "due.json", "the due thing")
    assert file.write({"format": 1, "due_at": 12.5}) is True
    assert file.read() == {"format": 1, "due_at": 12.5}
    assert stat.S_IMODE(file.path.stat().st_mode) == 0o600


def test_a_missing_file_is_nothing_and_says_nothing(tmp_path, caplog):
    file = StateFile(tmp_path / "none.json", "the due thing")
    with caplog.at_level(logging.WARNING):
        assert file.read("nothing follows") is None
        file.remove()
    assert caplog.records == []


def test_a_damaged_file_is_taken_as_missing_and_said_with_what_follows(tmp_path, caplog):
    file = StateFile(tmp_path / "due.json", "the due thing")
    file.path.write_text("{half a file", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert file.read("nothing from before") is None
    assert "Could not read the due thing (due.json" in caplog.text and "nothing from before" in caplog.text


def test_a_disk_that_refuses_the_write_or_the_removal_is_said_and_goes_on(tmp_path, caplog):
    (tmp_path / "blocked").write_text("a file where the folder should be", encoding="utf-8")
    unwritable = StateFile(tmp_path / "blocked" / "due.json", "the due thing")
    in_the_way = StateFile(tmp_path / "folder.json", "the list")
    in_the_way.path.mkdir()
    (in_the_way.path / "inside").write_text("x", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert unwritable.write({"a": 1}) is False
        in_the_way.remove()
    assert "Could not write the due thing (due.json)" in caplog.text
    assert "Could not remove the list (folder.json)" in caplog.text
    assert in_the_way.path.exists()


def test_armed_never_replaces_the_users_settings_it_could_not_keep_on_disk(tmp_path):
    h = Harness(tmp_path)
    (tmp_path / "blocked").write_text("a file where the state folder should be", encoding="utf-8")
    armed = Armed(h.obs, store=OwnSettings(tmp_path / "blocked" / "armed.json"), clock=h.clock)
    armed.enabled = True
    armed.tick(active=False)
    assert h.obs.service == PREVIOUS_SERVICE and not is_placeholder(h.obs.service)
