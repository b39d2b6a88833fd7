"""The panel's "Listen on" for the status dock: every interface serves again on 0.0.0.0 with
the same URL, and the panel warns while it does; back to loopback hides the warning."""

from __future__ import annotations

import sys

from script_harness import Script


def test_listening_on_every_interface_keeps_the_url_and_warns_in_the_panel(script: Script):
    script.load()
    script.ticks(2)
    dock = sys.modules["livestream.obs.entry"].app.dock
    url = dock.url
    panel = script.panel()
    assert not panel.shown("dock_bind_warning")
    assert [value for _, value in panel.list_items("dock_bind")] == ["127.0.0.1", "0.0.0.0"]

    panel.change("dock_bind", "0.0.0.0")
    script.ticks(2)
    assert dock.server.bind == "0.0.0.0" and dock.beyond_loopback
    assert dock.url == url  # the same port and token: the dock added to OBS keeps working
    panel = script.panel()
    assert panel.shown("dock_bind_warning")
    assert "listens on every network interface" in panel.prop("dock_bind_warning").description

    panel.change("dock_bind", "127.0.0.1")
    script.ticks(2)
    assert dock.server.bind == "127.0.0.1" and not dock.beyond_loopback and dock.url == url
    assert not script.panel().shown("dock_bind_warning")
