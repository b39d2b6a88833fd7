"""A provider declared in the tests alone (tests/throwaway_provider.py) drives the CLI: ``providers``, the flags and
help of ``create``, and the options it parses, with no CLI code naming it.

It shares ``--protocol`` with FastPix: the flag is added once, offering both
providers' values, and each provider's ``Options`` model checks what it gets.
"""

from __future__ import annotations

import json
import re

import pytest

from livestream import providers
from livestream.cli import build_parser, main
from livestream.cli.common import stream_options
from livestream.errors import ConfigurationError
from tests.throwaway_provider import build

Throwaway = build()


@pytest.fixture
def throwaway():
    providers.register(Throwaway)
    try:
        yield Throwaway
    finally:
        providers._registry.pop(Throwaway.name, None)


def test_it_is_listed_with_its_capabilities(throwaway, capsys):
    assert main(["providers", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    row = rows["throwaway"]
    assert (row["display_name"], row["scheduling"], row["reuse"], row["protocols"]) == (
        "Throwaway Live", True, True, "srt, rtmp")
    assert row["credentials"] == "THROWAWAY_ACCOUNT, THROWAWAY_API_KEY"
    assert main(["providers"]) == 0
    assert "Throwaway Live" in capsys.readouterr().out


def test_create_help_shows_its_flags_and_credentials(throwaway, capsys):
    with pytest.raises(SystemExit):
        main(["create", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Throwaway Live options: --quality {high,low} picture quality" in text
    assert "--buffer-seconds N seconds of buffer, 5-60" in text and "--chat open a live chat" in text
    # --protocol is declared by several providers: one flag, in a group naming them all,
    # its choices the union of theirs (the throwaway one adds nothing new here).
    shared = re.search(r"Options of ([^:]*): --protocol \{([^}]*)\}", text)
    assert shared and "Throwaway Live" in shared.group(1) and "FastPix" in shared.group(1)
    assert {"rtmps", "srt", "rtmp"} <= set(shared.group(2).split(","))
    # (Added twice, argparse would have refused the parser: "conflicting option string".)
    assert "Throwaway Live: THROWAWAY_ACCOUNT, THROWAWAY_API_KEY" in text
    assert "schedule one (" in text and "Throwaway Live" in text.split("schedule one (")[1].split(")")[0]


def parse(*argv: str):
    return build_parser().parse_args(["create", "-t", "x", *argv])


def test_its_flags_become_its_options(throwaway):
    args = parse("-p", "throwaway", "--quality", "low", "--buffer-seconds", "20", "--chat", "--protocol", "rtmp")
    assert stream_options(args, "throwaway") == {"quality": "sd", "buffer_seconds": 20, "chat": True,
                                                 "protocol": "rtmp"}
    assert stream_options(parse("-p", "fastpix", "--protocol", "srt"), "fastpix") == {"protocol": "srt"}


def test_another_providers_flag_or_value_is_refused_naming_the_flag(throwaway):
    with pytest.raises(ConfigurationError) as info:
        stream_options(parse("-p", "throwaway", "--dvr"), "throwaway")
    assert "--dvr is a FastPix option" in str(info.value) and "--provider fastpix" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        stream_options(parse("-p", "throwaway", "--quality", "high"), "fastpix")
    assert "--quality is a Throwaway Live option" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        stream_options(parse("-p", "throwaway", "--protocol", "rtmps"), "throwaway")
    assert "Invalid Throwaway Live options: --protocol" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        stream_options(parse("-p", "throwaway", "--buffer-seconds", "2"), "throwaway")
    assert "--buffer-seconds" in str(info.value)


def test_a_fastpix_reconnect_window_under_a_minute_names_the_range():
    with pytest.raises(ConfigurationError) as info:
        stream_options(parse("-p", "fastpix", "--reconnect-window", "30"), "fastpix")
    assert "--reconnect-window: the reconnect window must be 60 to 1800 seconds" in str(info.value)


def test_stop_help_says_how_each_provider_ends_a_stream_in_its_own_sentence(capsys):
    with pytest.raises(SystemExit):
        main(["stop", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for cls in providers.all_providers():
        ending = cls.declaration().capabilities.ending
        assert f"{cls.display_name} {ending}." in text
        assert cls.display_name not in ending  # not "api.video completes ... (api.video ends it ...)"
    # The list of commands keeps the short line.
    with pytest.raises(SystemExit):
        main(["--help"])
    stop_line = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("stop "))
    assert stop_line.split(None, 1)[1] == "end a live stream's broadcast"
