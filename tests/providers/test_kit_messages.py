"""The messages the kit's shared create prelude, path builder and protocol check give,
worded per provider as each provider wrote them before the kit held them."""

from __future__ import annotations

import pytest

from livestream.errors import ConfigurationError
from tests.providers.test_apivideo import TestApiVideoContract as _ApiVideo
from tests.providers.test_cloudflare import TestCloudflareContract as _Cloudflare
from tests.providers.test_fastpix import TestFastPixContract as _FastPix
from tests.providers.test_mux import TestMuxContract as _Mux
from tests.providers.test_tpstreams import TestTPStreamsContract as _TPStreams

BLANK = [  # contract, what a blank title says, what a blank stream ID says
    (_FastPix, "A FastPix live stream needs a title", "No FastPix live stream ID given"),
    (_Mux, "A Mux live stream needs a title", "No Mux live stream ID given"),
    (_ApiVideo, "An api.video live stream needs a name", "No api.video live stream ID given"),
    (_TPStreams, "A TP Streams live stream needs a title", "No TP Streams stream ID given"),
    (_Cloudflare, "A Cloudflare Stream live input needs a title", "No Cloudflare Stream live input ID given"),
]


@pytest.mark.parametrize(("contract", "no_title", "no_id"), BLANK, ids=lambda v: getattr(v, "__name__", None))
def test_a_blank_title_or_stream_id_is_refused_before_any_request(fake, contract, no_title, no_id):
    client = contract().make(fake)
    with pytest.raises(ConfigurationError) as refused:
        client.create("   ")
    assert str(refused.value).startswith(no_title) and refused.value.hint == "give a non-empty title"
    with pytest.raises(ConfigurationError) as refused:
        client.get(" ")
    assert str(refused.value).startswith(no_id)
    assert fake.requests == []


@pytest.mark.parametrize(("contract", "hint"), [
    (_FastPix, "use rtmps or srt"), (_Mux, "use rtmps, rtmp or srt"), (_ApiVideo, "use rtmps, rtmp or srt"),
], ids=["fastpix", "mux", "apivideo"])
def test_an_unknown_default_protocol_names_the_ones_to_use(fake, contract, hint):
    with pytest.raises(ConfigurationError) as refused:
        contract().make(fake, protocol="ftp")
    assert str(refused.value).startswith(f"Unknown {contract.provider.service.name} ingest protocol 'ftp'")
    assert refused.value.hint == hint
