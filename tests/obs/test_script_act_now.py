"""A hotkey or button acts at once, not at OBS's next frame.

The script's timer runs once per video frame (every 33 ms at 30 fps); the Go live hotkey
and buttons used to wait for it before anything happened. They now run the controller in
their own callback (an OBS thread, with the script set), unless the timer is running it
at that moment; the network still runs only on the worker.
"""

from __future__ import annotations

import time

from fake_obspython import DEFER_THREAD, FakeObsStudio
from script_harness import Script
from test_script_glue import GO_LIVE, ledger_entries

from livestream.session import claim


def wait_without_ticks(condition, timeout: float = 5.0) -> bool:
    """Wait for the worker only: the timer does not run meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_the_go_live_hotkey_creates_the_stream_before_the_next_frame(script: Script, studio: FakeObsStudio, backend,
                                                                    tmp_path):
    script.load()
    script.ticks(1)  # the first tick looks for an earlier session to resume
    studio.trigger_hotkey(GO_LIVE)
    # The claim on OBS's stream is written at once (session.claim); the create waits for it to settle.
    assert studio.persistent_data()[claim.SLOT]["owner"] == "panel"
    time.sleep(claim.SETTLE)
    script.ticks(1)
    assert [e["state"] for e in ledger_entries(tmp_path)] in (["creating"], ["open"])  # on disk before it leaves
    assert wait_without_ticks(lambda: backend.count("create") == 1)
    assert [op for op, thread in backend.threads if thread == DEFER_THREAD] == []  # not on OBS's thread

    script.wait_for_start_request()
    studio.start_and_connect()
    script.wait_until_live()


def test_the_go_live_button_creates_the_stream_before_the_next_frame(script: Script, backend):
    script.load()
    script.ticks(1)
    script.panel().click("go_live")
    time.sleep(claim.SETTLE)
    script.ticks(1)
    assert wait_without_ticks(lambda: backend.count("create") == 1)
    assert script.status.startswith("Creating")  # the panel refreshed by the click says so already


def test_a_hotkey_while_the_timer_runs_the_controller_leaves_the_work_to_the_timer(
        script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.ticks(1)
    busy = script.app._controller_busy
    assert busy.acquire(blocking=False)  # the timer is in the middle of its tick
    try:
        studio.trigger_hotkey(GO_LIVE)  # returns at once: it does not wait for the timer
    finally:
        busy.release()
    time.sleep(0.05)
    assert backend.count("create") == 0
    script.tick_until(lambda: backend.count("create") == 1, what="the timer to send the create")


def test_a_hotkey_before_the_first_tick_waits_for_it(script: Script, studio: FakeObsStudio, backend):
    script.load()
    studio.trigger_hotkey(GO_LIVE)  # an earlier session must be looked for first
    time.sleep(0.05)
    assert backend.count("create") == 0
    script.tick_until(lambda: backend.count("create") == 1, what="the first tick to act on it")
