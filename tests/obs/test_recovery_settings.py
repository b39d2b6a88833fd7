"""The recovery caps are saved settings of the panel's Schedule group, bounded like every number."""

from __future__ import annotations

from fake_obspython import FakeObsStudio
from script_harness import Script


def test_the_caps_default_as_before_and_the_panel_changes_them(script: Script):
    script.load()
    assert (script.app.controller.policies.recovery_tries, script.app.controller.policies.recovery_streams) == (6, 3)
    panel = script.panel()
    tries = panel.prop("recovery_tries")
    assert (tries.extra["min"], tries.extra["max"]) == (1, 50) and "tries" in tries.description
    panel.change("recovery_tries", 2)
    panel.change("recovery_streams", 0)
    assert (script.app.controller.policies.recovery_tries, script.app.controller.policies.recovery_streams) == (2, 0)


def test_a_saved_cap_out_of_range_falls_back_to_the_default(script: Script, studio: FakeObsStudio):
    script.load(recovery_tries=10_000, recovery_streams=-1)
    assert (script.app.controller.policies.recovery_tries, script.app.controller.policies.recovery_streams) == (6, 3)
    script.ticks(1)
    assert "Setting recovery_tries:" in studio.log_text() and "using 6" in studio.log_text()
