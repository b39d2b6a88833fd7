"""A provider declared in the tests alone (tests/throwaway_provider.py) drives the panel: no front-end code names it.

It is registered in the freshly imported registry of each script load (the fixtures
throw those modules away after the test), with credentials, options of every kind,
a connection setting and capabilities unlike the built-in providers'.
"""

from __future__ import annotations

import sys
from typing import Any

from fake_obspython import CONSTANTS, FakeObsStudio
from script_harness import Script

from tests.throwaway_provider import PANEL_SETTINGS, build


def register_throwaway() -> None:
    from livestream import providers

    providers.register(build())


def load(script: Script, **settings: Any) -> Script:
    script.host.after_import.append(register_throwaway)
    return script.load(**settings)


THROWAWAY = PANEL_SETTINGS


def test_its_credentials_options_and_settings_appear_for_it_alone(script: Script):
    load(script, **THROWAWAY)
    panel = script.panel()

    assert ("Throwaway Live", "throwaway") in panel.list_items("provider")
    assert panel.shown("tw_account") and panel.shown("tw_api_key")
    assert panel.prop("tw_api_key").extra["text_type"] == CONSTANTS["OBS_TEXT_PASSWORD"]
    assert panel.prop("tw_account").extra["text_type"] == CONSTANTS["OBS_TEXT_DEFAULT"]
    assert panel.shown("tw_options") and panel.prop("tw_options").description == "Throwaway Live options"
    assert panel.list_items("tw_quality") == [("HD", "hd"), ("SD", "sd")]
    assert panel.prop("tw_buffer_seconds").extra == {"min": 5, "max": 60, "step": 5}
    assert panel.prop("tw_chat").type == CONSTANTS["OBS_PROPERTY_BOOL"]
    assert panel.prop("tw_api_base_url").description == "Throwaway Live API base URL"
    assert panel.prop("tw_region").description == "Throwaway region"
    assert "THROWAWAY_ACCOUNT, THROWAWAY_API_KEY" in panel.prop("use_env").long_description
    # Reuse is offered naming it; the built-in providers' fields are hidden.
    assert any("Throwaway Live" in text for text, value in panel.list_items("mode") if value == "existing")
    assert not panel.shown("tp_org_id") and not panel.shown("tp_options") and not panel.shown("fp_options")


def test_choosing_another_provider_hides_its_fields(script: Script):
    load(script, **THROWAWAY)
    panel = script.panel()
    panel.change("provider", "tpstreams")
    assert panel.shown("tp_org_id") and panel.shown("tp_options")
    assert not panel.shown("tw_account") and not panel.shown("tw_api_key") and not panel.shown("tw_options")
    panel.change("use_env", True)
    assert not panel.shown("tp_org_id")


def test_its_settings_become_the_client_and_the_options_of_a_go_live(script: Script, studio: FakeObsStudio):
    load(script, **THROWAWAY, tw_quality="sd", tw_buffer_seconds=20, tw_chat=True, tw_region="eu-1")
    config = script.app.config
    assert config.options() == {"quality": "sd", "buffer_seconds": 20, "chat": True, "protocol": "srt"}
    client = config.build_provider()
    assert type(client).name == "throwaway" and client.region == "eu-1"
    assert client.credentials.account == "acme"
    assert "tw-key-Vb8nM3kQ" not in repr(config)  # a declared secret is masked
    assert "tw-key-Vb8nM3kQ" not in sys.modules["livestream.secrets"].redact("key tw-key-Vb8nM3kQ")
