"""The sandbox restreams like the providers: a Mux simulcast target gets the broadcast itself.

The product's Mux client adds the targets over the sandbox's Mux API; an encoder
publishes to the Mux ingest; the sandbox relays to each target with ffmpeg, and the
sandbox's own ``simulcast`` RTMP application records what arrives, which ffprobe reads.
A target nobody listens at is reported ``errored``, and the main stream carries on.
"""

from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr

from livestream import providers
from livestream.models import StreamStatus
from livestream.simulcast import SimulcastTarget, TargetStatus
from livestream_sandbox import Sandbox

from .support import Encoder, ffprobe, require_ingest_tools, wait_until


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tools = require_ingest_tools()
    folder = tmp_path_factory.mktemp("restream")
    sandbox = Sandbox(folder, prepare_delay=0.5, environ={})
    sandbox.start()
    yield sandbox, tools, folder
    sandbox.stop()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.ingest
def test_a_mux_simulcast_target_receives_the_broadcast_and_a_dead_one_is_errored(live):
    sandbox, tools, folder = live
    env = sandbox.env()
    cls = providers.get("mux")
    mux = cls(cls.credentials_from_env(env), environ=env)
    stream = mux.create("Restreamed class")
    good = SimulcastTarget(name="YouTube", url=sandbox.rtmp_url.rsplit("/", 1)[0] + "/simulcast",
                           stream_key=SecretStr("yt-relay-key"))
    dead = SimulcastTarget(name="Twitch", url=f"rtmp://127.0.0.1:{_closed_port()}/app",
                           stream_key=SecretStr("tw-relay-key"))
    states = [mux.add_simulcast_target(stream.id, t) for t in (good, dead)]
    assert [s.status for s in states] == [TargetStatus.IDLE, TargetStatus.IDLE]

    encoder = Encoder(tools.ffmpeg, f"{stream.ingest.server}/{stream.ingest.stream_key.get_secret_value()}")
    try:
        wait_until(lambda: mux.get(stream.id).status is StreamStatus.LIVE, 15, "the Mux stream to be active")
        by_name = wait_until(lambda: (lambda held: held if held["YouTube"] is TargetStatus.LIVE
                                      and held["Twitch"] is TargetStatus.FAILED else None)(
            {t.name: t.status for t in mux.simulcast_targets(stream.id)}), 20, "the targets' statuses")
        assert by_name == {"YouTube": TargetStatus.LIVE, "Twitch": TargetStatus.FAILED}
        assert mux.get(stream.id).status is StreamStatus.LIVE, "a failed target does not stop the stream"
        recorded = folder / "simulcast" / "yt-relay-key.flv"
        wait_until(lambda: recorded.exists() and recorded.stat().st_size > 50_000, 20, "media at the target")
    finally:
        encoder.stop()
    kinds = {s["codec_type"]: s["codec_name"] for s in ffprobe(tools.ffprobe, str(recorded))["streams"]}
    assert kinds == {"video": "h264", "audio": "aac"}

    for state in states:
        mux.remove_simulcast_target(stream.id, state)
    assert mux.simulcast_targets(stream.id) == []
    mux.close()
