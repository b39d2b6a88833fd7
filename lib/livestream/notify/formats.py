"""Which service a webhook URL belongs to, and the request each one expects.

* Discord: ``{"content": text}`` (Execute Webhook,
  https://discord.com/developers/docs/resources/webhook#execute-webhook).
* Slack: ``{"text": text}`` (incoming webhooks, https://api.slack.com/messaging/webhooks).
* ntfy: the message as the plain-text body, with ``Title``, ``Tags`` and ``Click`` headers
  (https://docs.ntfy.sh/publish/), for ``https://ntfy.sh/<topic>``.
* Anything else: generic JSON with every field of the event.

A prefix names the format for a URL on another host: ``ntfy:https://push.example.org/room``
(a self-hosted ntfy), ``slack:`` (Slack-compatible incoming webhooks, e.g. Mattermost's,
https://developers.mattermost.com/integrate/webhooks/incoming/), ``discord:`` and ``json:``.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

GENERIC_FIELDS = ("event", "provider", "stream_id", "title", "playback_url", "chat_url", "at",
                  "message", "origin")
#: Fields an event adds when it has them (ended, failed, the alerts of ``alerts``).
EXTRA_FIELDS = ("duration_s", "recording_url", "hint", "reconnecting_s", "provider_status", "stream_ids",
                "open_state", "dropped_percent", "dropped_frames", "frames")


class Kind(str, enum.Enum):
    DISCORD = "discord"
    SLACK = "slack"
    NTFY = "ntfy"
    GENERIC = "generic"

    @property
    def label(self) -> str:
        return {"discord": "Discord webhook", "slack": "Slack webhook", "ntfy": "ntfy topic",
                "generic": "webhook"}[self.value]


PREFIXES = {"ntfy": Kind.NTFY, "slack": Kind.SLACK, "discord": Kind.DISCORD, "json": Kind.GENERIC}


@dataclass(frozen=True)
class Target:
    """One configured URL; ``name`` ("Discord webhook #1") is what logs show instead of it."""

    kind: Kind
    url: str
    name: str

    def __repr__(self) -> str:  # the URL carries the webhook's token
        return f"Target({self.name!r})"


def kind_of(url: str) -> tuple[Kind, str]:
    """(kind, the URL to post to) for one configured line."""
    prefix, _, rest = url.partition(":")
    forced = PREFIXES.get(prefix.lower())
    if forced is not None and not rest.startswith("//"):
        return forced, rest.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in ("discord.com", "discordapp.com") and parts.path.startswith("/api/webhooks/"):
        return Kind.DISCORD, url
    if host == "hooks.slack.com":
        return Kind.SLACK, url
    if host == "ntfy.sh":
        return Kind.NTFY, url
    return Kind.GENERIC, url


def parse_targets(text: Optional[str]) -> list[Target]:
    """The ``notify_urls`` field / ``OBS_LIVESTREAM_NOTIFY_URLS``: one URL a line (or comma-separated).

    Raises ValueError naming the line (never its content) for something that is not an http(s) URL.
    """
    lines = [p.strip() for p in (text or "").replace(",", "\n").splitlines()]
    targets: list[Target] = []
    counts: dict[Kind, int] = {}
    for number, line in enumerate((x for x in lines if x and not x.startswith("#")), start=1):
        kind, url = kind_of(line)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ValueError(f"notification URL #{number} is not an http(s) URL: "
                             "enter one webhook URL per line, e.g. https://ntfy.sh/my-topic")
        counts[kind] = counts.get(kind, 0) + 1
        targets.append(Target(kind, url, f"{kind.label} #{counts[kind]}"))
    return targets


def build_request(kind: Kind, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """(body, headers) for one event; ``event`` has the generic fields plus ``text``/``tags``."""
    text = event["text"]
    if kind is Kind.DISCORD:
        return _json({"content": text})
    if kind is Kind.SLACK:
        return _json({"text": text})
    if kind is Kind.NTFY:
        headers = {"Content-Type": "text/plain; charset=utf-8",
                   "Title": _header(event.get("headline") or event["event"]),
                   "Tags": ",".join(event.get("tags") or ())}
        if event.get("playback_url"):
            headers["Click"] = event["playback_url"]
        return text.encode("utf-8"), {k: v for k, v in headers.items() if v}
    return _json({**{f: event.get(f) for f in GENERIC_FIELDS}, "message": text,
                  **{k: event[k] for k in EXTRA_FIELDS if event.get(k) is not None}})


def _json(obj: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return json.dumps(obj).encode("utf-8"), {"Content-Type": "application/json"}


def _header(value: str) -> str:
    """HTTP headers are latin-1: ntfy's docs allow RFC 2047 for others; plain ASCII is enough here."""
    return value.encode("ascii", "replace").decode("ascii")
