"""The panel's settings keys generated from the TP Streams and FastPix declarations are
the keys saved in users' scene collections before the declarations existed, with the
same defaults: nobody's saved credentials or options are lost by the upgrade."""

from __future__ import annotations

import pytest

from livestream import providers
from livestream.obs.config import PanelConfig, fields, provider_fields

# (provider, key, default): the keys and defaults the panel used before they were generated.
SAVED_KEYS = [
    ("tpstreams", "tp_org_id", ""),
    ("tpstreams", "tp_api_token", ""),
    ("tpstreams", "tp_username", ""),
    ("tpstreams", "tp_password", ""),
    ("tpstreams", "tp_latency", ""),
    ("tpstreams", "tp_drm", False),
    ("tpstreams", "tp_api_base_url", ""),
    ("fastpix", "fp_token_id", ""),
    ("fastpix", "fp_secret_key", ""),
    ("fastpix", "fp_access_policy", "public"),
    ("fastpix", "fp_max_resolution", "1080p"),
    ("fastpix", "fp_dvr", False),
    ("fastpix", "fp_recording", True),
    ("fastpix", "fp_reconnect_window", 60),
    ("fastpix", "fp_protocol", "rtmps"),
    ("fastpix", "fp_api_base_url", ""),
    ("fastpix", "fp_ingest_url", ""),
]


@pytest.mark.parametrize("name", ["tpstreams", "fastpix"])
def test_each_provider_generates_exactly_its_saved_keys(name):
    expected = {key: default for owner, key, default in SAVED_KEYS if owner == name}
    generated = provider_fields(providers.get(name).declaration())
    assert generated == expected
    assert all(type(generated[key]) is type(default) for key, default in expected.items())


def test_the_script_keeps_its_own_keys_beside_the_providers():
    every = fields()
    assert {key for _, key, _ in SAVED_KEYS} <= set(every)
    for key in ("provider", "use_env", "mode", "title", "ingest_timeout", "schedule_boot_seconds"):
        assert key in every
    assert every["provider"] == "tpstreams"


def test_saved_panel_values_become_the_same_options_as_before():
    tp = PanelConfig.from_mapping({"provider": "tpstreams", "tp_latency": "Low Latency", "tp_drm": True})
    assert tp.options() == {"latency": "Low Latency", "enable_drm_for_recording": True}
    assert PanelConfig.from_mapping({"provider": "tpstreams"}).options() == {"enable_drm_for_recording": False}
    fp = PanelConfig.from_mapping({"provider": "fastpix", "fp_access_policy": "private", "fp_recording": False,
                                   "fp_reconnect_window": 300, "fp_protocol": "srt"})
    assert fp.options() == {"access_policy": "private", "max_resolution": "1080p", "enable_dvr": False,
                            "enable_recording": False, "reconnect_window": 300, "protocol": "srt"}


def test_a_reconnect_window_saved_under_a_minute_is_sent_as_the_minimum():
    # Older versions offered 0-59, which FastPix refuses; the number box shows 60 for it.
    saved = PanelConfig.from_mapping({"provider": "fastpix", "fp_reconnect_window": 0})
    assert saved.options()["reconnect_window"] == 60


def test_the_fastpix_ingest_override_reaches_the_client():
    config = PanelConfig.from_mapping({"provider": "fastpix", "fp_token_id": "id-1", "fp_secret_key": "key-Vb8nM3kQ",
                                       "fp_ingest_url": "rtmp://127.0.0.1:1935/live",
                                       "fp_api_base_url": "http://127.0.0.1:9"})
    with config.build_provider(environ={}) as client:
        assert client.rtmps_server == "rtmp://127.0.0.1:1935/live"
        assert client.base_url == "http://127.0.0.1:9"
    assert "key-Vb8nM3kQ" not in repr(config)
