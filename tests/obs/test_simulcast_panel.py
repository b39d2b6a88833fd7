"""The panel's "Also stream to" group: the provider's restreaming or OBS's own, keys as passwords,
filled slots become the go-live's targets, a key never in a repr or the log."""

from __future__ import annotations

import sys

import pytest
from fake_obspython import CONSTANTS
from script_harness import Script

KEY = "yt-panel-key-Zr4Lm8"


def test_the_group_follows_what_the_provider_declares(script: Script):
    script.load(provider="mux")
    panel = script.panel()
    assert panel.prop("simulcast").description == "Also stream to"
    assert panel.shown("simulcast_1_url") and panel.shown("simulcast_3_key")
    assert panel.prop("simulcast_1_key").extra["text_type"] == CONSTANTS["OBS_TEXT_PASSWORD"]
    assert "Mux Video restreams this go-live" in panel.prop("simulcast_help").description
    panel.change("provider", "apivideo")
    assert "up to 5 destinations (rtmp://, rtmps://)" in panel.prop("simulcast_help").description
    panel.change("provider", "tpstreams")
    assert panel.shown("simulcast_1_url"), "OBS sends the targets itself for a provider that does not restream"
    assert panel.prop("simulcast_help").description.startswith(
        "TP Streams does not restream: OBS sends this go-live itself to up to 4 destinations (rtmp://, rtmps://)")


def test_filled_slots_are_the_targets_of_the_go_live_and_the_key_stays_secret(script: Script):
    script.load(provider="mux", simulcast_1_name="YouTube", simulcast_1_url="rtmp://a.rtmp.youtube.com/live2",
                simulcast_1_key=KEY, simulcast_3_url="rtmps://live.twitch.tv/app", simulcast_3_key="tw-panel-key-9")
    config = script.app.config
    targets = config.simulcast_targets()
    assert [(t.name, t.url) for t in targets] == [("YouTube", "rtmp://a.rtmp.youtube.com/live2"),
                                                  ("Target 3", "rtmps://live.twitch.tv/app")]
    # The script's own copy of the package (the harness loads it as OBS does).
    script_secrets = sys.modules[type(config).__module__.split(".")[0] + ".secrets"]
    assert KEY in script_secrets.registered() and KEY not in repr(config)


def test_a_slot_without_a_server_url_says_so(script: Script):
    script.load(provider="mux", simulcast_2_name="YouTube", simulcast_2_key=KEY)
    with pytest.raises(Exception, match="Also stream to #2 has no server URL") as refused:
        script.app.config.simulcast_targets()
    assert type(refused.value).__name__ == "ConfigurationError"  # the script's own copy of the class
