"""The simulcast file and the checks made before anything is created (lib/livestream/simulcast.py)."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from livestream import secrets
from livestream.errors import ConfigurationError
from livestream.simulcast import (
    SimulcastSupport,
    SimulcastTarget,
    check_targets,
    load_targets_file,
    targets_from_json,
)

KEY = "live_1012464221_DuM8W004MoZYNx"
RTMP_ONLY = SimulcastSupport(max_targets=2, schemes=("rtmp", "rtmps"))


@pytest.fixture(autouse=True)
def _registry_left_as_found():
    before = secrets.registered()
    yield
    secrets.forget_all()
    secrets.register(*before)


def _write(tmp_path, data) -> str:
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_a_file_of_targets_reads_keys_inline_or_from_the_environment(tmp_path):
    path = _write(tmp_path, [
        {"name": "YouTube", "url": "rtmp://a.rtmp.youtube.com/live2", "stream_key": KEY},
        {"name": "Twitch", "url": "rtmps://live.twitch.tv/app", "stream_key_env": "TWITCH_KEY"},
    ])
    targets = load_targets_file(path, {"TWITCH_KEY": "live_twitch_key_123"})
    assert [(t.name, t.scheme, t.host) for t in targets] == [
        ("YouTube", "rtmp", "a.rtmp.youtube.com"), ("Twitch", "rtmps", "live.twitch.tv")]
    assert targets[1].stream_key.get_secret_value() == "live_twitch_key_123"
    assert {KEY, "live_twitch_key_123"} <= secrets.registered(), "every target key is redacted from logs"
    assert KEY not in repr(targets)


@pytest.mark.parametrize(("data", "says"), [
    ("{not json", "is not valid JSON"),
    ({"name": "x"}, "is not a JSON list"),
    (["rtmp://x"], "target #1 is not an object"),
    ([{"url": "rtmp://x/app", "stream_key": KEY}], "target #1 has no name"),
    ([{"name": "YT", "url": "rtmp://x/app", "key": KEY}], "unknown fields: key"),
    ([{"name": "YT", "url": "rtmp://x/app", "stream_key_env": "NOPE"}], "reads its key from NOPE, which is not set"),
    ([{"name": "YT", "url": "rtmp://x/app", "stream_key": KEY, "stream_key_env": "K"}], "both stream_key"),
])
def test_a_bad_file_says_which_entry_and_what_to_do_without_the_key(tmp_path, data, says):
    with pytest.raises(ConfigurationError) as bad:
        load_targets_file(_write(tmp_path, data), {})
    assert says in str(bad.value)
    assert bad.value.hint
    assert KEY not in str(bad.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="Cannot read the simulcast file"):
        load_targets_file(str(tmp_path / "nope.json"), {})


def _target(name="YouTube", url="rtmp://a.rtmp.youtube.com/live2", key=KEY):
    return SimulcastTarget(name=name, url=url, stream_key=SecretStr(key))


@pytest.mark.parametrize(("targets", "says"), [
    ([_target(url="http://a.rtmp.youtube.com/live2")], "no rtmp://, rtmps:// or srt:// server URL"),
    ([_target(url="rtmp:///live2")], "no rtmp://, rtmps:// or srt:// server URL"),
    ([_target(key="")], "has no stream key"),
    ([_target(), _target(name="youtube")], "Two simulcast targets are named 'youtube'"),
    ([_target(url="srt://relay.example:9000")], "cannot restream to srt://"),
    ([_target("a"), _target("b"), _target("c")], "at most 2 destinations, 3 were given"),
    ([_target(name="x" * 65)], "longer than 64"),
])
def test_targets_the_provider_cannot_take_are_refused_before_anything_is_created(targets, says):
    with pytest.raises(ConfigurationError) as refused:
        check_targets(targets, provider="Example", support=RTMP_ONLY)
    assert says in str(refused.value)
    assert KEY not in str(refused.value)


def test_a_provider_without_simulcast_names_the_ones_that_have_it():
    with pytest.raises(ConfigurationError) as refused:
        check_targets([_target()], provider="TP Streams", support=None, able=["Mux Video", "api.video"])
    assert str(refused.value) == ("TP Streams does not restream to other destinations: remove the simulcast "
                                  "targets, or choose Mux Video, api.video")


def test_good_targets_and_none_at_all_pass():
    check_targets([_target(), _target("Twitch", "rtmps://live.twitch.tv/app")], provider="Example",
                  support=RTMP_ONLY)
    check_targets([], provider="TP Streams", support=None)
    srt = SimulcastSupport(max_targets=None, schemes=("rtmp", "rtmps", "srt"))
    check_targets([_target(url="srt://relay.example:9000?streamid=abc", key="")], provider="Mux", support=srt)


def test_json_entries_are_trimmed():
    [target] = targets_from_json([{"name": " YT ", "url": " rtmp://x.example/app ", "stream_key": f" {KEY} "}], {})
    assert (target.name, target.url, target.stream_key.get_secret_value()) == ("YT", "rtmp://x.example/app", KEY)
