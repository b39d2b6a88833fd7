"""``--simulcast-file`` on the command line: refused before anything is created, keys never printed."""

from __future__ import annotations

import json

import pytest

from livestream import providers

from .test_provider_cli import _fails, _ok

KEY = "live_yt_key_Hq81ZzPw"


def _count(cli, provider: str) -> int:
    return len(json.loads(_ok(cli("list", "-p", provider, "--json")).stdout))


def _file(tmp_path, targets) -> str:
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(targets))
    return str(path)


YOUTUBE = {"name": "YouTube", "url": "rtmp://a.rtmp.youtube.com/live2", "stream_key": KEY}


def test_a_provider_that_cannot_restream_refuses_before_creating(cli, tmp_path):
    before = _count(cli, "tpstreams")
    result = cli("create", "-p", "tpstreams", "--title", "Class", "--simulcast-file", _file(tmp_path, [YOUTUBE]))
    _fails(result, 2, "TP Streams does not restream to other destinations", "Mux Video")
    assert _count(cli, "tpstreams") == before, "nothing was created"
    assert KEY not in result.stdout + result.stderr


@pytest.mark.parametrize(("targets", "says"), [
    ([YOUTUBE, dict(YOUTUBE)], "Two simulcast targets are named 'YouTube'"),
    ([dict(YOUTUBE, url="https://a.rtmp.youtube.com/live2")], "no rtmp://, rtmps:// or srt:// server URL"),
    ([dict(YOUTUBE, url="srt://relay.example:9000")], "cannot restream to srt://"),
    ([{"name": "YouTube", "url": YOUTUBE["url"], "stream_key_env": "NOT_SET_ANYWHERE"}], "NOT_SET_ANYWHERE"),
    ([dict(YOUTUBE, name=f"T{i}") for i in range(6)], "at most 5 destinations"),
])
def test_bad_targets_are_exit_2_with_what_to_do_and_nothing_created(cli, tmp_path, targets, says):
    before = _count(cli, "apivideo")
    result = cli("create", "-p", "apivideo", "--title", "Class", "--simulcast-file", _file(tmp_path, targets))
    _fails(result, 2, says)
    assert "Traceback" not in result.stderr
    assert KEY not in result.stdout + result.stderr
    assert _count(cli, "apivideo") == before


def _restreams(cli, stream_id: str) -> list[str]:
    """The names of the targets api.video holds for the stream, read with the product's client."""
    cls = providers.get("apivideo")
    with cls(cls.credentials_from_env(cli.env), base_url=cli.env["APIVIDEO_API_BASE_URL"]) as client:
        return [t.name for t in client.simulcast_targets(stream_id)]


def test_create_keeps_its_targets_in_the_ledger_and_stop_removes_them_first(cli, tmp_path):
    """A stream made with ``create --simulcast-file`` is in the ledger with its targets (names
    and the provider's ids, never keys); ``stop`` removes them before the end, so the reused
    stream does not restream to them next time."""
    twitch = {"name": "Twitch", "url": "rtmp://live.twitch.tv/app", "stream_key": "live_tw_key_Ux72KqLm"}
    made = json.loads(_ok(cli("create", "-p", "apivideo", "--title", "Class", "--json",
                              "--simulcast-file", _file(tmp_path, [YOUTUBE, twitch]))).stdout)
    assert _restreams(cli, made["id"]) == ["YouTube", "Twitch"]
    entries = json.loads(_ok(cli("ledger", "--all", "--json")).stdout)["entries"]
    [entry] = [e for e in entries if e["stream_id"] == made["id"]]
    assert [t["name"] for t in entry["targets"]] == ["YouTube", "Twitch"]
    ledger_text = (tmp_path / "state" / "ledger.json").read_text()
    assert KEY not in ledger_text and twitch["stream_key"] not in ledger_text

    stopped = cli("stop", "-p", "apivideo", made["id"])
    _ok(stopped)
    assert _restreams(cli, made["id"]) == [], "the targets were removed before the end"
    assert KEY not in stopped.stdout + stopped.stderr
    still_open = [e for e in json.loads(_ok(cli("ledger", "--all", "--json")).stdout)["entries"]
                  if e["stream_id"] == made["id"] and e["state"] not in ("ended",)]
    assert not still_open, still_open
