"""Armed (arm_on_start): the rules, with the fake OBS port, a fake clock and the go-live controller.

What a user would notice: their own stream settings are never lost, a start from outside while
armed goes live once (never a loop, never with their own key), and nothing changes when disarmed.
"""

from __future__ import annotations

import itertools
import json

import pytest

from livestream.session.armed import FOREIGN_TIMEOUT, PLACEHOLDER, Armed, OwnSettings, is_placeholder
from livestream.session.request import GoLiveRequest
from livestream.session.states import State
from livestream_fakes import PREVIOUS_SERVICE
from tests.session.conftest import Harness


class Studio:
    """A controller and the armed rules on one fake OBS, driven the way obs.app drives them."""

    def __init__(self, tmp_path, **kw) -> None:
        self.h = Harness(tmp_path, **kw)
        self.armed = Armed(self.h.obs, store=OwnSettings(tmp_path / "armed.json"), clock=self.h.clock)
        self.h.ctrl.obs = self.armed.port
        self.armed.enabled = True
        self.went_live = 0

    def tick(self, seconds: float = 0.0) -> None:
        for _ in range(int(seconds) + 1):
            if self.armed.tick(active=self.h.ctrl.state.is_active):
                self.went_live += 1
                self.h.ctrl.go_live(GoLiveRequest(provider=self.h.provider, title="Class", origin="armed"))
            self.h.ctrl.tick()
            self.h.clock.now += 1.0

    def foreign_start(self, *, connects: bool = False) -> None:
        """OBS's Start Streaming (or StartStream) with the placeholder in the settings."""
        self.armed.starting(active=self.h.ctrl.state.is_active)
        if connects:
            self.h.obs.streaming = True
            self.armed.started()
        else:  # the placeholder's port refuses the connect: OBS stops with an error at once
            self.armed.stopped()
            self.h.ctrl.streaming_stopped("Failed to connect to server")

    @property
    def obs(self):
        return self.h.obs


@pytest.fixture
def studio(tmp_path):
    return Studio(tmp_path)


def test_arming_keeps_the_users_settings_aside_and_points_obs_at_the_placeholder(studio, tmp_path):
    studio.tick()
    assert is_placeholder(studio.obs.service)
    assert studio.armed.own == PREVIOUS_SERVICE
    saved = json.loads((tmp_path / "armed.json").read_text())
    assert saved["own"] == {"": PREVIOUS_SERVICE.to_dict()}  # a crash now loses nothing (per profile)


def test_a_start_from_outside_goes_live_through_the_provider_once(studio):
    studio.tick()
    studio.foreign_start()
    studio.tick(3)
    assert studio.went_live == 1
    assert studio.h.state is State.LIVE
    assert studio.obs.service.settings["key"] == studio.h.provider.stream_key
    # Its own start (while STARTING) did not count as another start from outside.
    studio.tick(3)
    assert studio.went_live == 1 and studio.h.state is State.LIVE
    assert studio.h.ledger.entries()[-1].origin == "armed"


def test_the_stop_ends_it_and_the_placeholder_comes_back_then_the_users_own_when_disarmed(studio):
    studio.tick()
    studio.foreign_start()
    studio.tick(3)
    studio.obs.stop_streaming()  # StopStream from outside
    studio.tick(3)
    assert studio.h.state is State.ENDED
    assert [c for c in studio.h.provider.calls if c[0] == "end"]  # the provider stream was ended
    assert is_placeholder(studio.obs.service)
    studio.armed.enabled = False
    studio.tick(2)
    assert studio.obs.service == PREVIOUS_SERVICE
    assert not studio.armed.store.file.path.exists()


def test_a_start_made_by_the_script_never_triggers_armed(studio):
    studio.tick()
    studio.h.ctrl.go_live(GoLiveRequest(provider=studio.h.provider, title="Class"))
    studio.h.ctrl.tick()
    assert studio.h.state is State.LIVE
    studio.armed.starting(active=studio.h.ctrl.state.is_active)  # the STARTING of its own start
    studio.armed.started()
    studio.tick(3)
    assert studio.went_live == 0 and "stop_streaming" not in studio.obs.calls


def test_a_start_from_outside_that_connects_anyway_is_stopped_before_going_live(studio):
    studio.tick()
    studio.foreign_start(connects=True)
    studio.tick()
    assert "stop_streaming" in studio.obs.calls and studio.went_live == 0
    studio.armed.stopped()
    studio.tick(3)
    assert studio.went_live == 1 and studio.h.state is State.LIVE


def test_a_start_that_never_ends_is_forgotten_without_going_live(studio):
    studio.tick()
    studio.armed.starting(active=False)
    studio.tick(FOREIGN_TIMEOUT + 2)
    studio.armed.stopped()
    studio.tick(2)
    assert studio.went_live == 0


def test_disarmed_a_start_from_outside_is_left_alone(studio):
    studio.armed.enabled = False
    studio.tick()
    studio.foreign_start()
    studio.tick(3)
    assert studio.went_live == 0 and studio.obs.service == PREVIOUS_SERVICE
    assert "set_stream_service" not in studio.obs.calls


def test_settings_the_user_changes_while_armed_become_their_own(studio):
    studio.tick()
    mine = PREVIOUS_SERVICE.__class__("rtmp_custom", {"server": "rtmp://mine.example/app", "key": "new-own-key"})
    studio.obs.service = mine  # Settings > Stream edited while armed
    studio.tick(2)
    assert is_placeholder(studio.obs.service) and studio.armed.own == mine


def test_an_ingest_left_behind_is_not_taken_for_the_users_own(tmp_path):
    from livestream.session.request import Policies

    studio = Studio(tmp_path, policies=Policies(restore_previous=False))
    studio.tick()
    studio.foreign_start()
    studio.tick(3)
    studio.obs.stop_streaming()
    studio.tick(3)
    assert studio.h.state is State.ENDED
    assert is_placeholder(studio.obs.service)  # the old key is not left for the next start
    assert studio.armed.own == PREVIOUS_SERVICE


def test_the_users_settings_survive_a_crash_and_come_back_on_the_next_load(studio, tmp_path):
    studio.tick()
    # OBS dies; the profile keeps the placeholder. The next load, with armed turned off:
    again = Armed(studio.obs, store=OwnSettings(tmp_path / "armed.json"), clock=studio.h.clock)
    again.tick(active=False)
    assert studio.obs.service == PREVIOUS_SERVICE


def test_while_obs_streams_the_users_settings_wait(studio):
    studio.tick()
    studio.obs.streaming = True
    studio.armed.enabled = False
    studio.armed.release()
    assert is_placeholder(studio.obs.service) and studio.armed.store.file.path.exists()
    studio.obs.streaming = False
    studio.tick(2)
    assert studio.obs.service == PREVIOUS_SERVICE


def test_the_placeholder_connects_nowhere_off_this_machine():
    assert PLACEHOLDER.settings["server"].startswith("rtmp://127.0.0.1:1/")


def test_each_profile_gets_its_own_settings_back(tmp_path):
    """The stream service belongs to the OBS profile: a profile switch while armed must not
    put one profile's settings into another, nor lose the first profile's."""
    from livestream.session.ports import StreamService
    from livestream_fakes import FakeObs

    obs, current = FakeObs(), {"name": "Classes"}
    ticks = itertools.count(0.0, 5.0)  # each look at the clock is 5 s later: every tick checks
    armed = Armed(obs, store=OwnSettings(tmp_path / "armed.json"), clock=lambda: next(ticks),
                  profile=lambda: current["name"])
    armed.enabled = True
    armed.tick(active=False)
    assert is_placeholder(obs.service)
    other = StreamService("rtmp_custom", {"server": "rtmp://other.example/app", "key": "other-key"})
    current["name"], obs.service = "Church", other  # OBS loads the other profile's service.json
    armed.tick(active=False)
    assert is_placeholder(obs.service)
    armed.enabled = False
    armed.release()
    assert obs.service == other  # Church's own, in Church
    current["name"], obs.service = "Classes", PLACEHOLDER  # back to the first profile
    armed.tick(active=False)
    assert obs.service == PREVIOUS_SERVICE
    assert not (tmp_path / "armed.json").exists()
