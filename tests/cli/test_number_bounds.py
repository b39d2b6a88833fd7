"""Every number flag (and the state folder) is refused outside its range with the range in the message (exit 2),
never a traceback: ``--end-after 1e20`` once made the script raise OverflowError on every
timer tick, ``--wait -1`` was reported later as "did not answer within -1 s"."""

from __future__ import annotations

import pytest

from .test_provider_cli import _fails

LATER = "2099-01-01 10:00"  # never reached: each case is refused before OBS is asked


@pytest.mark.parametrize("args, needle", [
    (("schedule", "set", "--at", "2027-01-01 10:00", "--end-after", "1e20"), "up to 10080 minutes"),
    (("schedule", "set", "--at", "2027-01-01 10:00", "--end-after", "nan"), "up to 10080 minutes"),
    (("schedule", "set", "--at", "2027-01-01 10:00", "--end-after", "inf"), "up to 10080 minutes"),
    (("schedule", "set", "--at", "2027-01-01 10:00", "--end-after", "0"), "more than 0"),
    (("schedule", "set", "--at", "2027-01-01 10:00", "--wait", "-1"), "the wait must be more than 0 up to 3600"),
    (("schedule", "cancel", "--wait", "nan"), "the wait must be more than 0 up to 3600"),
    (("schedule", "show", "--obs-timeout", "1e308"), "the timeout must be more than 0 up to 3600"),
    (("wait", "-p", "tpstreams", "s1", "--timeout", "inf"), "up to 3600"),
    (("schedule", "set", "--at", "0001-01-01 00:00"), "outside the range"),
    (("schedule", "set", "--at", "9999-12-31 23:59"), "within 366 days"),
])
def test_a_number_out_of_range_is_exit_2_with_the_allowed_range(cli, args, needle):
    result = _fails(cli(*args), 2, needle)
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_state_folder_that_is_a_file_is_exit_2_with_what_to_do(cli, tmp_path, below):
    in_the_way = tmp_path / "state-file"
    in_the_way.write_text("not a folder")
    folder = in_the_way / below if below else in_the_way
    result = _fails(cli("ledger", env={"OBS_LIVESTREAM_STATE_DIR": str(folder)}), 2,
                    "is a file, not a folder", "OBS_LIVESTREAM_STATE_DIR")
    assert "Traceback" not in result.stderr, result.stderr
    assert in_the_way.read_text() == "not a folder"  # nothing overwritten
