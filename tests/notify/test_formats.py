"""Which format a URL gets, each event in each format, and the live template."""

from __future__ import annotations

import json

import pytest

from livestream.errors import ProviderError
from livestream.notify.events import event_for, render
from livestream.notify.formats import GENERIC_FIELDS, Kind, build_request, kind_of, parse_targets
from livestream.session.snapshot import Snapshot
from livestream.session.states import State

SNAP = Snapshot(state=State.LIVE, since=0.0, provider="tpstreams", stream_id="s-1", title="Maths 101",
                playback_url="https://play.example/s-1", chat_url="https://chat.example/s-1",
                recording_url="https://rec.example/s-1")
FAILED = Snapshot(state=State.FAILED, since=0.0, provider="mux", title="Maths 101", level="error",
                  error=ProviderError("Mux refused the credentials", hint="check MUX_TOKEN_ID in the panel"))


@pytest.mark.parametrize(("url", "kind"), [
    ("https://discord.com/api/webhooks/123/abc", Kind.DISCORD),
    ("https://hooks.slack.com/services/T0/B0/xyz", Kind.SLACK),
    ("https://ntfy.sh/my-class", Kind.NTFY),
    ("ntfy:https://push.example.org/room1", Kind.NTFY),
    ("slack:https://chat.example.org/hooks/abc", Kind.SLACK),
    ("discord:http://127.0.0.1:8080/hook", Kind.DISCORD),
    ("json:https://hooks.slack.com/services/x", Kind.GENERIC),
    ("https://discord.com/channels/1/2", Kind.GENERIC),  # not a webhook
    ("https://example.org/hook", Kind.GENERIC),
])
def test_the_url_picks_the_format(url: str, kind: Kind) -> None:
    assert kind_of(url)[0] is kind


def test_an_ntfy_prefix_is_not_part_of_the_posted_url() -> None:
    assert kind_of("ntfy:https://push.example.org/room1")[1] == "https://push.example.org/room1"


def test_targets_are_named_by_kind_and_number_never_by_url() -> None:
    targets = parse_targets("https://discord.com/api/webhooks/1/tok1\n\nhttps://ntfy.sh/t\n"
                            "https://discord.com/api/webhooks/2/tok2")
    assert [t.name for t in targets] == ["Discord webhook #1", "ntfy topic #1", "Discord webhook #2"]
    assert "tok1" not in repr(targets)


def test_a_bad_line_says_which_and_what_to_do_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        parse_targets("https://ntfy.sh/ok\nsecret-token-not-a-url")
    assert "#2" in str(info.value) and "one webhook URL per line" in str(info.value)
    assert "secret-token" not in str(info.value)


@pytest.mark.parametrize("kind", ["live", "ended", "failed"])
def test_discord_and_slack_get_the_text_in_their_field(kind: str) -> None:
    event = event_for(kind, FAILED if kind == "failed" else SNAP, duration_s=3725)
    assert json.loads(build_request(Kind.DISCORD, event)[0]) == {"content": event["text"]}
    assert json.loads(build_request(Kind.SLACK, event)[0]) == {"text": event["text"]}


def test_live_text_has_the_playback_and_chat_links() -> None:
    text = event_for("live", SNAP)["text"]
    assert text.startswith("Maths 101 is live: https://play.example/s-1")
    assert "https://chat.example/s-1" in text


def test_ended_says_how_long_and_where_the_recording_is() -> None:
    event = event_for("ended", SNAP, duration_s=3725)
    assert "1:02:05" in event["text"] and "https://rec.example/s-1" in event["text"]
    assert json.loads(build_request(Kind.GENERIC, event)[0])["duration_s"] == 3725


def test_failed_says_why_and_what_to_do() -> None:
    text = event_for("failed", FAILED)["text"]
    assert "Mux refused the credentials" in text and "What to do: check MUX_TOKEN_ID" in text


def test_ntfy_gets_plain_text_with_title_tags_and_click() -> None:
    body, headers = build_request(Kind.NTFY, event_for("live", SNAP))
    assert body.decode().startswith("Maths 101 is live")
    assert headers["Title"] == "Maths 101 is live"
    assert headers["Tags"] == "red_circle"
    assert headers["Click"] == "https://play.example/s-1"


def test_generic_json_has_every_documented_field() -> None:
    payload = json.loads(build_request(Kind.GENERIC, event_for("live", SNAP, origin="cli"))[0])
    assert set(GENERIC_FIELDS) <= set(payload)
    assert payload["event"] == "live" and payload["origin"] == "cli" and payload["stream_id"] == "s-1"


def test_the_template_fills_known_fields_and_keeps_unknown_ones() -> None:
    assert render("{title} on {provider} {nope}", {"title": "T", "provider": "mux"}) == "T on mux {nope}"
    assert render("broken {", {"title": "T"}) == "broken {"
    assert event_for("live", SNAP, live_template="Join {title}! {chat_url}")["text"] == \
        "Join Maths 101! https://chat.example/s-1"
