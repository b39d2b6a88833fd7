"""Mux's and api.video's SRT stream id is the stream key, which OBS writes to its own log
when an SRT connection fails: picking SRT with them is warned about (RTMPS keeps it out)."""

from __future__ import annotations

import pytest

from .test_provider_cli import _ok


@pytest.mark.parametrize("provider", ["mux", "apivideo"])
def test_create_over_srt_with_a_provider_whose_stream_id_is_the_key_warns(cli, provider):
    result = _ok(cli("create", "-p", provider, "--title", "SRT night", "--protocol", "srt"))
    assert "warning:" in result.stderr and "stream id is the stream key" in result.stderr, result.stderr
    assert "pick RTMPS" in result.stderr


def test_create_over_rtmps_or_fastpix_srt_does_not_warn(cli):
    assert "stream id is the stream key" not in _ok(cli("create", "-p", "mux", "--title", "RTMPS night")).stderr
    result = _ok(cli("create", "-p", "fastpix", "--title", "SRT night", "--protocol", "srt"))
    assert "stream id is the stream key" not in result.stderr  # FastPix's stream id is not its key
