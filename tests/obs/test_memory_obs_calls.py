"""Go-lives in a long-running OBS leave nothing of OBS's behind: the config folder, whose
look-up leaks a string in OBS at each call, is asked for once however many go-lives run."""

from __future__ import annotations

from fake_obspython import FakeObsStudio
from script_harness import ORIGINAL_SERVICE, Script

GO_LIVE = "obs_livestream.go_live"


def test_many_go_lives_ask_obs_for_its_config_folder_once(script: Script, studio: FakeObsStudio, backend):
    script.load()
    for n in range(1, 4):
        studio.trigger_hotkey(GO_LIVE)
        script.wait_for_start_request()
        studio.start_and_connect()
        script.wait_until_live()
        studio.stop()
        script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
        assert backend.count("create") == n
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.persistent_data()  # the session was published into the profile all along
    assert studio.config_path_calls == 1
