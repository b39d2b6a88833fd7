"""The panel's "Send these from OBS instead of the provider": offered where the provider
restreams, the help text follows it, and a go-live with it checked sends the targets from
OBS's own outputs while the provider (which restreams, as Mux) adds none."""

from __future__ import annotations

from fake_obspython import FakeObsStudio
from script_harness import Script

KEY = "yt-request-panel-key-3c4d5e"


def test_the_checkbox_is_offered_where_the_provider_restreams_and_the_help_follows_it(script: Script):
    script.load(provider="mux")
    panel = script.panel()
    assert panel.prop("simulcast_from_obs").description == "Send these from OBS instead of the provider"
    assert panel.shown("simulcast_from_obs")
    assert "Mux Video restreams this go-live" in panel.prop("simulcast_help").description
    panel.change("simulcast_from_obs", True)
    assert panel.prop("simulcast_help").description.startswith(
        "Mux Video adds no target: OBS sends this go-live itself to up to 4 destinations (rtmp://, rtmps://)")
    panel.change("provider", "tpstreams")
    assert not panel.shown("simulcast_from_obs"), "TP Streams does not restream: OBS sends them anyway"


def test_with_the_checkbox_obs_sends_the_targets_and_the_provider_adds_none(script: Script, studio: FakeObsStudio,
                                                                             backend):
    script.load(simulcast_from_obs=True, simulcast_1_name="YouTube",
                simulcast_1_url="rtmp://youtube.example/live2", simulcast_1_key=KEY)
    assert script.app.config.request().simulcast_from_obs

    def shown():
        return [(t["name"], t["status"]) for t in script.app.controller.snapshot.targets]

    script.go_live()
    script.tick_until(lambda: studio.extra_outputs, what="the extra output")
    [youtube] = studio.extra_outputs
    assert youtube.started and youtube.service.describe()["settings"]["server"] == "rtmp://youtube.example/live2"
    youtube.connect()
    script.tick_until(lambda: shown() == [("YouTube", "live")], what="the target live")
    script.panel().click("end_stream")
    script.tick_until(lambda: "stop" in studio.pending, what="a stop request to OBS")
    assert youtube.stopped, "the extra output stops before the main stream"
    studio.stop()
    script.tick_until(lambda: script.state == "ended", what="the end")
    assert youtube.stopped and shown() == [("YouTube", "removed")]
    assert backend.count("add_target") == 0 and backend.count("remove_target") == 0, \
        "the provider restreams, but was asked for nothing"
    assert KEY not in studio.log_text()


def test_a_target_obs_cannot_send_is_refused_before_anything_is_created(script: Script, backend):
    slots = {f"simulcast_{n}_{part}": value for n in (1, 2, 3)
             for part, value in (("name", f"T{n}"), ("url", f"rtmp://t{n}.example/live"), ("key", f"k-{n}-abcd"))}
    script.load(simulcast_from_obs=True, **{**slots, "simulcast_3_url": "srt://t3.example:9000"})
    script.panel().click("go_live")
    script.tick_until(lambda: script.state == "failed", what="the refusal")
    assert "cannot restream to srt://" in script.status and "OBS (sending for" in script.status
    assert backend.count("create") == 0
