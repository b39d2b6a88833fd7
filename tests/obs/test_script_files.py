"""While live, the script reads and writes files only when something changed: the published
session is rewritten on a change (not every second), and global.ini is read again only when
it changes (a profile switch)."""

from __future__ import annotations

import sys
import time

from fake_obspython import FakeObsStudio
from script_harness import Script


def test_while_live_nothing_is_read_or_written_until_something_changes(script: Script, studio: FakeObsStudio,
                                                                         monkeypatch, backend):
    script.load()
    script.go_live()
    # The provider's status is read once right after OBS starts: a change, published when it comes.
    script.tick_until(lambda: backend.count("get") >= 1, what="the first status read")
    settle = time.monotonic() + 0.5
    while time.monotonic() < settle:
        script.ticks(5)
        time.sleep(0.05)
    profile = sys.modules["livestream.obs.profile"]  # the script's own import
    reads: list[str] = []
    real_read_ini = profile._read_ini
    monkeypatch.setattr(profile, "_read_ini", lambda path: reads.append(path.name) or real_read_ini(path))
    writes: list[str] = []
    real_write = profile.paths.write_private
    monkeypatch.setattr(profile.paths, "write_private", lambda path, data, **kw: writes.append(path.name)
                        or real_write(path, data, **kw))
    published = studio.persistent_data()["obs_livestream_session"]

    deadline = time.monotonic() + 2.5  # the controller re-emits its snapshot once a second
    while time.monotonic() < deadline:
        script.ticks(5)
        time.sleep(0.05)

    assert writes == [] and reads == []
    assert studio.persistent_data()["obs_livestream_session"]["seq"] == published["seq"]

    # A change is published at once, and readers still get the elapsed time from state_since.
    studio.lose_connection()
    script.tick_until(lambda: studio.persistent_data()["obs_livestream_session"]["seq"] != published["seq"],
                      what="the reconnect to be published")
    assert writes == ["obsWebSocketPersistentData.json"]
    assert reads == []  # global.ini did not change

    root = studio.os_get_config_path_ptr("obs-studio")
    with open(f"{root}/global.ini", "a", encoding="utf-8") as ini:  # the user switches profiles
        ini.write("\n[General]\nLastVersion=1\n")
    studio.reconnected()
    script.tick_until(lambda: len(writes) == 2, what="the reconnected state to be published")
    assert reads == ["global.ini"]
