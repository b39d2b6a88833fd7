"""`schedule add/import --safety-recording on|off` puts the choice in the entry's preset;
without it the entry follows the panel's setting."""

from __future__ import annotations

import argparse

from livestream.cli import schedule_commands


def preset(*argv: str) -> dict:
    parser = argparse.ArgumentParser()
    schedule_commands._add_preset_arguments(parser)
    return schedule_commands._preset(parser.parse_args(list(argv)))


def test_on_off_and_the_panels_choice():
    assert preset("--safety-recording", "on")["safety_recording"] is True
    assert preset("--safety-recording", "off")["safety_recording"] is False
    assert preset()["safety_recording"] is None
